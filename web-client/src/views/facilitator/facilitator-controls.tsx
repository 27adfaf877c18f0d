// The facilitator's controls for the moment: the phases, and the carousel's controls when the
// current phase has a carousel. Beside the live view on a wide screen.
import { useLang } from '../../i18n';
import { currentPhase } from '../../state/template';
import { useWorkshop } from '../../ui/session-context';
import { CarouselControls } from './carousel-controls';
import { PhaseControls } from './phase-controls';

export function FacilitatorControls() {
  useLang();
  const state = useWorkshop();
  const phase = currentPhase(state);
  return (
    <>
      <PhaseControls />
      {phase?.activities.map((activity) => {
        if (activity.kind !== 'brainstorm_carousel') return null;
        const carousel = state.carousel?.activity_id === activity.id ? state.carousel : null;
        return <CarouselControls key={activity.id} activity={activity} carousel={carousel} />;
      })}
    </>
  );
}
