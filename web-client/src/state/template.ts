// Looking things up in the session's template: the current phase, an activity by id, the
// carousel's current stage. The template arrives with the `session` event.
import type {
  Activity,
  CarouselActivity,
  CarouselStage,
  CarouselView,
  Phase,
  RoundView,
  Template,
} from '../net/workshop-types';
import type { WorkshopState } from './workshop-reducer';

export function currentPhase(state: WorkshopState): Phase | null {
  return state.template.phases[state.phase.index] ?? null;
}

export function findActivity<K extends Activity['kind']>(
  template: Template,
  id: string,
  kind: K,
): Extract<Activity, { kind: K }> | null {
  for (const phase of template.phases) {
    for (const activity of phase.activities) {
      if (activity.id === id && activity.kind === kind) return activity as Extract<Activity, { kind: K }>;
    }
  }
  return null;
}

/** The first activity of a kind anywhere in the template (e.g. the carousel). */
export function firstActivity<K extends Activity['kind']>(
  template: Template,
  kind: K,
): Extract<Activity, { kind: K }> | null {
  for (const phase of template.phases) {
    for (const activity of phase.activities) {
      if (activity.kind === kind) return activity as Extract<Activity, { kind: K }>;
    }
  }
  return null;
}

export interface CarouselNow {
  activity: CarouselActivity | null;
  round: RoundView | null;
  stage: CarouselStage | null;
  stageIndex: number;
  stageCount: number;
}

/** What the carousel is doing now, with the template's words for the stage. */
export function carouselNow(template: Template, carousel: CarouselView): CarouselNow {
  const activity = findActivity(template, carousel.activity_id, 'brainstorm_carousel');
  const round = carousel.current_round === null ? null : (carousel.rounds[carousel.current_round] ?? null);
  const stageView = round ? carousel.stages[carousel.stage_index] : undefined;
  const stage = stageView ? (activity?.stages.find((s) => s.id === stageView.id) ?? null) : null;
  return {
    activity,
    round,
    stage,
    stageIndex: carousel.stage_index,
    stageCount: carousel.stages.length,
  };
}
