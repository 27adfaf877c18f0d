// A link for a co-facilitator: someone who may also steer (phases, carousel, hiding post-its).
// The link holds a token, so it is shown once, here, to pass on privately.
import { useId, useState } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import type { CoFacilitatorAddedEvent } from '../../net/control';
import { announce } from '../../ui/live-region';
import { useSessionContext } from '../../ui/session-context';
import { busyAttrs } from '../../ui/use-command';
import { commandErrorText } from '../command-errors';
import { CopyButton } from '../copy-button';
import { Fold } from './fold';

export function CoFacilitatorPanel() {
  useLang();
  const { conn } = useSessionContext();
  const id = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<{ name: string; link: string } | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    if (busy || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const reply = (await conn.command({ type: 'add_co_facilitator', name: name.trim() })) as CoFacilitatorAddedEvent;
      setMade({ name: name.trim(), link: new URL(reply.link, location.origin).href });
      setName('');
      announce(t('cofac.made'));
    } catch (err) {
      setError(commandErrorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Fold headingId={`${id}-h`} title={t('cofac.heading')}>
      <p class="hint">{t('cofac.hint')}</p>
      <form class="inline-form" onSubmit={submit}>
        <label for={`${id}-name`}>{t('cofac.name')}</label>
        <input id={`${id}-name`} class="input" type="text" value={name} maxLength={60} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" class="button button--secondary" disabled={!name.trim()} {...busyAttrs(busy)}>
          {t('cofac.make')}
        </button>
      </form>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {made && (
        <div class="share__row" data-testid="cofac-link">
          <p class="share__label">{t('cofac.linkFor', { name: made.name })}</p>
          <p class="share__value break-all">{made.link}</p>
          <p class="share__actions">
            <CopyButton value={made.link} label={t('cofac.linkFor', { name: made.name })} />
          </p>
          <p class="hint">{t('cofac.private')}</p>
        </div>
      )}
    </Fold>
  );
}
