import { render } from 'preact';
import { App } from './app';
import { applyLang } from './i18n';
import { initLiveRegion } from './ui/live-region';
import './styles.css';
import './styles/facilitator.css';
import './styles/phone.css';
import './styles/projector.css';
import './styles/print.css';

applyLang();
initLiveRegion();
render(<App />, document.getElementById('app') as HTMLElement);
