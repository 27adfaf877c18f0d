// One button that switches between Dutch and English. Its text is in the other language,
// so someone who cannot read the current one still finds it.
import { getLang, setLang, t, useLang } from '../i18n';

export function LanguageSwitch() {
  const lang = useLang();
  const other = lang === 'nl' ? 'en' : 'nl';
  return (
    <button
      type="button"
      class="button button--quiet lang-switch"
      lang={other}
      aria-label={t('lang.switchLabel')}
      onClick={() => setLang(getLang() === 'nl' ? 'en' : 'nl')}
    >
      {t('lang.switch')}
    </button>
  );
}
