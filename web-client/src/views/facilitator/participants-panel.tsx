// Everyone in the session, with whether they are online now and which field they are in. The
// facilitator may remove someone (after a confirmation): their link stops working.
import { t, tCount, useLang } from '../../i18n';
import { announce } from '../../ui/live-region';
import { colorFor } from '../../state/presence';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { Fold } from './fold';

export function ParticipantsPanel() {
  useLang();
  const { welcome, people, conn } = useSessionContext();
  const mayRemove = welcome.role === 'facilitator';
  async function remove(id: string, name: string) {
    if (!confirm(t('people.removeConfirm', { name }))) return;
    try {
      await conn.command({ type: 'remove_participant', participant_id: id });
      announce(t('people.removed', { name }));
    } catch {
      announce(t('people.removeFailed', { name }));
    }
  }
  const state = useWorkshop();
  const list = state.participants.filter((p) => p.role !== 'display');
  const online = list.filter((p) => p.online).length;
  return (
    <Fold headingId="people-heading" title={t('people.heading')} class="people" testId="participants">
      <p class="muted">{tCount('people.online', online, { total: list.length })}</p>
      <ul class="plain-list people__list">
        {list.map((p) => {
          const typing = people.some((person) => person.id === p.id && person.field);
          return (
            <li key={p.id} class="person">
              <span class="person__dot" style={{ backgroundColor: colorFor(p.id) }} aria-hidden="true" />
              <span class="person__text">
                <span class="person__name">{p.name}</span>
                {p.id === welcome.participant_id && <span class="muted"> {t('people.you')}</span>}
                {p.role !== 'participant' && (
                  <>
                    {' '}
                    <span class="person__role">{t(`role.${p.role}`)}</span>
                  </>
                )}
                <br />
                <span class={`status ${p.online ? 'status--on' : 'status--off'}`}>
                  {p.online ? t('people.online') : t('people.offline')}
                  {typing && ` · ${t('people.typing')}`}
                </span>
              </span>
              {mayRemove && p.role !== 'facilitator' && (
                <button type="button" class="button button--secondary" onClick={() => void remove(p.id, p.name)}>
                  {t('people.remove')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </Fold>
  );
}
