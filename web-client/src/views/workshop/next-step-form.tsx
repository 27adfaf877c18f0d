// The owner's next step, in the carousel's last stage: what, who and when. It becomes an
// action in the results.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import type { RoundView } from '../../net/workshop-types';
import { busyAttrs, useCommand } from '../../ui/use-command';

export function NextStepForm({ round, mine }: { round: RoundView; mine: boolean }) {
  useLang();
  const id = useId();
  const [text, setText] = useState(round.next_step?.text ?? '');
  const [owner, setOwner] = useState(round.next_step?.owner ?? round.owner_name);
  const [date, setDate] = useState(round.next_step?.date ?? new Date().toISOString().slice(0, 10));
  const { run, busy, error } = useCommand();
  // A step saved elsewhere (the owner or a facilitator) fills the form, unless this person is
  // typing their own version.
  const edited = useRef(false);
  const saved = round.next_step;
  useEffect(() => {
    if (!saved || edited.current) return;
    setText(saved.text);
    setOwner(saved.owner);
    setDate(saved.date);
  }, [saved?.text, saved?.owner, saved?.date]);
  const edit = (set: (value: string) => void) => (value: string) => {
    edited.current = true;
    set(value);
  };
  async function submit(event: Event) {
    event.preventDefault();
    if (!text.trim()) return;
    const ok = await run(
      { type: 'set_next_step', round_id: round.id, text: text.trim(), owner: owner.trim() || undefined, date: date || undefined },
      t('nextStep.saved'),
    );
    if (ok) edited.current = false;
  }
  return (
    <form class="form next-step" onSubmit={submit} aria-labelledby={`${id}-h`} data-testid="next-step-form">
      <h3 id={`${id}-h`}>{mine ? t('nextStep.headingMine') : t('nextStep.heading', { name: round.owner_name })}</h3>
      <div class="field">
        <label for={`${id}-text`}>{t('nextStep.text')}</label>
        <textarea id={`${id}-text`} class="input" rows={2} value={text} maxLength={1000} onInput={(e) => edit(setText)(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${id}-owner`}>{t('nextStep.owner')}</label>
        <input id={`${id}-owner`} class="input" type="text" value={owner} maxLength={80} onInput={(e) => edit(setOwner)(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${id}-date`}>{t('nextStep.date')}</label>
        <input id={`${id}-date`} class="input input--date" type="date" value={date} onInput={(e) => edit(setDate)(e.currentTarget.value)} />
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="button button--primary" {...busyAttrs(busy)} aria-disabled={busy || !text.trim() ? 'true' : undefined}>
        {t('nextStep.save')}
      </button>
      {round.next_step && <p class="muted">{t('nextStep.current', { text: round.next_step.text })}</p>}
    </form>
  );
}
