// One activity of the phase, by its kind.
import type { Activity } from '../../net/workshop-types';
import { CarouselPanel } from './carousel-panel';
import { ConnectionFormatPanel } from './connection-format';
import { GuidePanel } from './guide-panel';
import { ListPanel } from './list-panel';
import { NotesPanel } from './notes-panel';
import { PlanPanel } from './plan-panel';
import { VisualisationPanel } from './visualisation-panel';

export function ActivityView({ activity }: { activity: Activity }) {
  switch (activity.kind) {
    case 'connection_format':
      return <ConnectionFormatPanel activity={activity} />;
    case 'brainstorm_carousel':
      return <CarouselPanel activity={activity} />;
    case 'guided_visualisation':
      return <VisualisationPanel activity={activity} />;
    case 'list':
      return <ListPanel activity={activity} />;
    case 'conversation_guide':
      return <GuidePanel activity={activity} />;
    case 'communication_plan':
      return <PlanPanel activity={activity} />;
    case 'notes':
      return <NotesPanel activity={activity} />;
  }
}
