// Who is here: name and colour of everyone present (from awareness). Names are other
// people's input: rendered as text only.
import { t, tCount, useLang } from '../i18n';
import type { Person } from '../state/presence';

export function PeopleList({ people }: { people: Person[] }) {
  useLang();
  return (
    <section class="card people" aria-labelledby="people-heading">
      <h2 id="people-heading">{t('people.heading')}</h2>
      <p class="muted">{tCount('people.count', people.length)}</p>
      <ul class="plain-list people__list">
        {people.map((person) => (
          <li key={person.id} class="person">
            <span class="person__dot" style={{ backgroundColor: person.color }} aria-hidden="true" />
            <span class="person__text">
              <span class="person__name">{person.name}</span>
              {person.isSelf && <span class="muted"> {t('people.you')}</span>}
              {person.role !== 'participant' && (
                <>
                  {' '}
                  <span class="person__role">{t(`role.${person.role}`)}</span>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
