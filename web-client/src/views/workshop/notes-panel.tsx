// Free notes, shared by everyone in the session; or, for a personal notes activity (the
// write-up after the visualisation), each person's own (`personal-note.tsx`).
import { loc, useLang } from '../../i18n';
import type { NotesActivity } from '../../net/workshop-types';
import { NOTES, textAt } from '../../state/doc-schema';
import { useYVersion } from '../../ui/hooks';
import { useSessionContext } from '../../ui/session-context';
import { PersonalNote } from './personal-note';
import { SharedText } from './shared-text';

export function NotesPanel({ activity }: { activity: NotesActivity }) {
  return activity.personal ? <PersonalNote activity={activity} /> : <SharedNotes activity={activity} />;
}

function SharedNotes({ activity }: { activity: NotesActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const notes = conn.doc.getMap<unknown>(NOTES);
  useYVersion(notes);
  const headingId = `activity-${activity.id}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{loc(activity.title)}</h2>
      <SharedText
        text={textAt(notes, activity.id)}
        field={`notes/${activity.id}`}
        label={loc(activity.title)}
        hideLabel
        help={loc(activity.intro)}
        rows={8}
        testId={`notes-${activity.id}`}
      />
    </section>
  );
}
