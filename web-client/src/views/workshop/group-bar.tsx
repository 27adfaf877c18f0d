// Grouping without dragging: the ticked post-its go into a new group (with a name) or into a
// group that exists. Works by keyboard and screen reader alike.
import { useId, useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import { useWorkshop } from '../../ui/session-context';
import { busyAttrs, useCommand } from '../../ui/use-command';

const NEW = '__new__';

export function GroupBar({ chosen, onDone }: { chosen: string[]; onDone: () => void }) {
  useLang();
  const state = useWorkshop();
  const id = useId();
  const [target, setTarget] = useState(NEW);
  const [label, setLabel] = useState('');
  const { run, busy, error } = useCommand();
  const existing = state.groups.find((g) => g.id === target);
  const isNew = !existing;
  async function submit(event: Event) {
    event.preventDefault();
    if (chosen.length === 0) return;
    if (isNew && !label.trim()) return;
    const ok = await run(
      existing
        ? { type: 'group_ideas', idea_ids: chosen, group_id: existing.id }
        : { type: 'group_ideas', idea_ids: chosen, label: label.trim() },
      t('group.done', { name: existing ? existing.label : label.trim() }),
    );
    if (ok) {
      setLabel('');
      onDone();
    }
  }
  return (
    <form class="group-bar" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`} class="group-bar__title">
        {t('group.heading')}
      </h3>
      <p class="hint" aria-live="polite">
        {chosen.length === 0 ? t('group.hint') : tCount('group.chosen', chosen.length)}
      </p>
      <div class="group-bar__fields">
        <div class="field">
          <label for={`${id}-target`}>{t('group.target')}</label>
          <select id={`${id}-target`} class="input" value={existing ? target : NEW} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value={NEW}>{t('group.new')}</option>
            {state.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.label}
              </option>
            ))}
          </select>
        </div>
        {isNew && (
          <div class="field">
            <label for={`${id}-label`}>{t('group.name')}</label>
            <input id={`${id}-label`} class="input" type="text" value={label} maxLength={80} onInput={(e) => setLabel(e.currentTarget.value)} />
          </div>
        )}
        <button type="submit" class="button button--secondary" disabled={chosen.length === 0 || (isNew && !label.trim())} {...busyAttrs(busy)}>
          {t('group.submit')}
        </button>
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
