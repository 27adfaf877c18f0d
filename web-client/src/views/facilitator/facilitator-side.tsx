// The facilitator's side column: invite, who is here, settings, co-facilitator, results and
// deleting the session.
import { CoFacilitatorPanel } from './co-facilitator-panel';
import { DeletePanel } from './delete-panel';
import { ExportPanel } from './export-panel';
import { ParticipantsPanel } from './participants-panel';
import { SettingsPanel } from './settings-panel';
import { SharePanel } from './share-panel';
import { useSessionContext } from '../../ui/session-context';

export function FacilitatorSide() {
  const { welcome } = useSessionContext();
  const owner = welcome.role === 'facilitator';
  return (
    <>
      <SharePanel />
      <ParticipantsPanel />
      <SettingsPanel />
      {owner && <CoFacilitatorPanel />}
      <ExportPanel />
      {owner && <DeletePanel />}
    </>
  );
}
