// The facilitator moves the session through the phases: back, on, or straight to one.
// Everyone's page follows.
import { useEffect, useId, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import { useWorkshop } from '../../ui/session-context';
import { useCommand } from '../../ui/use-command';
// phone helper (issue 14): how many participants said "klaar".
import { ReadyCount } from '../workshop/ready-count';

export function PhaseControls() {
  useLang();
  const state = useWorkshop();
  const id = useId();
  const { run, busy, error } = useCommand();
  const [target, setTarget] = useState<number | null>(null);
  const index = state.phase.index;
  // After a move the jump list shows where we are again.
  useEffect(() => setTarget(null), [index]);
  const last = state.phase.count - 1;
  const phases = state.template.phases;
  const chosen = target ?? index;
  const title = (i: number) => `${i + 1}. ${loc(phases[i]?.title)}`;
  return (
    <nav class="card phase-controls" aria-labelledby={`${id}-h`} data-testid="phase-controls">
      <h2 id={`${id}-h`} class="phase-controls__title">
        {t('pc.heading')}
      </h2>
      <div class="phase-controls__row">
        {/* Unavailable buttons stay focusable (aria-disabled): pressing one must not drop focus. */}
        <button
          type="button"
          class="button button--secondary"
          aria-disabled={busy || index === 0 ? 'true' : undefined}
          {...(busy ? { 'aria-busy': 'true' } : {})}
          onClick={() => index > 0 && run({ type: 'phase_previous' }, t('pc.moved'))}
        >
          <span aria-hidden="true">← </span>
          {t('pc.previous')}
        </button>
        <button
          type="button"
          class="button button--primary"
          data-focus-home
          aria-disabled={busy || index >= last ? 'true' : undefined}
          {...(busy ? { 'aria-busy': 'true' } : {})}
          onClick={() => index < last && run({ type: 'phase_next' }, t('pc.moved'))}
        >
          {t('pc.next')}
          <span aria-hidden="true"> →</span>
        </button>
        <form
          class="phase-controls__jump"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen !== index) void run({ type: 'phase_goto', index: chosen }, t('pc.moved'));
          }}
        >
          <label for={`${id}-goto`}>{t('pc.goto')}</label>
          <select id={`${id}-goto`} class="input" value={String(chosen)} onChange={(e) => setTarget(Number(e.currentTarget.value))}>
            {phases.map((_, i) => (
              <option key={i} value={String(i)}>
                {title(i)}
              </option>
            ))}
          </select>
          <button type="submit" class="button button--secondary" aria-disabled={busy || chosen === index ? 'true' : undefined}>
            {t('pc.go')}
          </button>
        </form>
      </div>
      <ReadyCount />
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </nav>
  );
}
