// Shared notes on the projector, as they are typed (personal notes are nobody else's).
import { loc, useLang } from '../../i18n';
import type { NotesActivity } from '../../net/workshop-types';
import { readNotes } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
import { FitBox } from './fit-box';
import { useDocVersion } from './use-doc-version';

export function NotesDisplay({ activity }: { activity: NotesActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const version = useDocVersion(conn.doc);
  const text = readNotes(conn.doc, activity);
  return (
    <section class="display-view display-view--notes" aria-labelledby="display-notes" data-testid="display-notes">
      <h2 id="display-notes" class="display__label">
        {loc(activity.title)}
      </h2>
      <FitBox count={0} signature={`${version}`}>
        {() => <p class="display-notes__text">{text.trim() || '…'}</p>}
      </FitBox>
    </section>
  );
}
