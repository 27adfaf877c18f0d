// A group's name, with a small form to rename it.
import { useId, useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import type { GroupView } from '../../net/workshop-types';
import { busyAttrs, useCommand } from '../../ui/use-command';

export function GroupHeading({ group, count }: { group: GroupView; count: number }) {
  useLang();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(group.label);
  const { run, busy, error } = useCommand();
  async function submit(event: Event) {
    event.preventDefault();
    if (!label.trim()) return;
    if (await run({ type: 'rename_group', group_id: group.id, label: label.trim() }, t('group.renamed'))) setEditing(false);
  }
  return (
    <div class="idea-group__head">
      <h3 class="idea-group__title">
        {group.label} <span class="muted">({tCount('board.count', count)})</span>
      </h3>
      {editing ? (
        <form class="inline-form" onSubmit={submit}>
          <label for={`${id}-name`}>{t('group.newName')}</label>
          <input id={`${id}-name`} class="input" type="text" value={label} maxLength={80} onInput={(e) => setLabel(e.currentTarget.value)} />
          <button type="submit" class="button button--secondary" disabled={!label.trim()} {...busyAttrs(busy)}>
            {t('group.save')}
          </button>
          <button type="button" class="button button--quiet" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <button
          type="button"
          class="button button--quiet"
          aria-label={`${t('group.rename')}: ${group.label}`}
          onClick={() => {
            setLabel(group.label);
            setEditing(true);
          }}
        >
          {t('group.rename')}
        </button>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
