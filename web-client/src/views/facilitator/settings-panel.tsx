// Session settings: anonymous post-its, votes per participant, whether carousel rounds follow
// each other by themselves. Each change goes to the server at once.
import { useEffect, useId, useState } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import { useWorkshop } from '../../ui/session-context';
import { busyAttrs, useCommand } from '../../ui/use-command';
import { Fold } from './fold';

export function SettingsPanel() {
  useLang();
  const state = useWorkshop();
  const id = useId();
  const { run, busy, error } = useCommand();
  const settings = state.settings;
  const [votes, setVotes] = useState(String(settings.votes_per_participant));
  useEffect(() => setVotes(String(settings.votes_per_participant)), [settings.votes_per_participant]);
  function saveVotes(event: Event) {
    event.preventDefault();
    const n = Number.parseInt(votes, 10);
    if (Number.isFinite(n) && n >= 0 && n <= 100 && n !== settings.votes_per_participant) {
      void run({ type: 'set_settings', votes_per_participant: n }, t('settings.saved'));
    }
  }
  return (
    <Fold headingId={`${id}-h`} title={t('settings.heading')} class="settings">
      <div class="check">
        <input
          id={`${id}-anon`}
          type="checkbox"
          class="check__box"
          checked={settings.anonymous_posting}
          {...busyAttrs(busy)}
          onChange={(e) => run({ type: 'set_settings', anonymous_posting: e.currentTarget.checked }, t('settings.saved'))}
        />
        <label for={`${id}-anon`} class="check__label">
          {t('settings.anonymous')}
        </label>
      </div>
      <p class="hint">{t('settings.anonymousHint')}</p>
      <form class="inline-form" onSubmit={saveVotes}>
        <label for={`${id}-votes`}>{t('settings.votes')}</label>
        <input
          id={`${id}-votes`}
          class="input input--number"
          type="number"
          min={0}
          max={100}
          inputMode="numeric"
          value={votes}
          onInput={(e) => setVotes(e.currentTarget.value)}
        />
        <button type="submit" class="button button--secondary" {...busyAttrs(busy)}>
          {t('settings.save')}
        </button>
      </form>
      <div class="check">
        <input
          id={`${id}-auto`}
          type="checkbox"
          class="check__box"
          checked={settings.auto_next_round}
          {...busyAttrs(busy)}
          onChange={(e) => run({ type: 'set_settings', auto_next_round: e.currentTarget.checked }, t('settings.saved'))}
        />
        <label for={`${id}-auto`} class="check__label">
          {t('settings.autoNext')}
        </label>
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </Fold>
  );
}
