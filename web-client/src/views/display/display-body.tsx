// The projector's screen, once the session is there: the title and phase on top, one view
// per kind of activity in the middle, and how to join beside it. Everything fits in the
// window (a wide screen never scrolls): see projector.css.
import type { ComponentChildren } from 'preact';
import { loc, t, useLang } from '../../i18n';
import type { Activity } from '../../net/workshop-types';
import type { WorkshopState } from '../../state/workshop-reducer';
import { currentPhase } from '../../state/template';
import { useWorkshop } from '../../ui/session-context';
import { CarouselDisplay } from './carousel-display';
import { FormatDisplay } from './format-display';
import { GuideDisplay } from './guide-display';
import { JoinBox } from './join-box';
import { ListsDisplay } from './lists-display';
import { NotesDisplay } from './notes-display';
import { PhaseIntro } from './phase-intro';
import { PlanDisplay } from './plan-display';
import { VisualisationDisplay } from './visualisation-display';
import { Wall, wallOrder } from './wall';

type Of<K extends Activity['kind']> = Extract<Activity, { kind: K }>;

function ofKind<K extends Activity['kind']>(activities: Activity[], kind: K): Array<Of<K>> {
  return activities.filter((a): a is Of<K> => a.kind === kind);
}

/** What the projector shows now: the live thing first, else the phase's main activity. */
export function projectorView(state: WorkshopState): { kind: string; view: (slots: Slots) => ComponentChildren } {
  const { kind, view } = activityView(state);
  // Post-its can be posted in every phase: when this phase's board has some, the wall shares
  // the screen with the activity (the carousel and the intro show it anyway).
  if (kind === 'carousel' || kind === 'intro' || !wallOrder(state).length) return { kind, view };
  return {
    kind,
    view: (slots) => (
      <>
        {view(slots)}
        <Wall />
      </>
    ),
  };
}

function activityView(state: WorkshopState): { kind: string; view: (slots: Slots) => ComponentChildren } {
  const activities = currentPhase(state)?.activities ?? [];
  const here = (id: string) => activities.some((a) => a.id === id);
  const { carousel, visualisation } = state;
  if (carousel && carousel.current_round !== null && here(carousel.activity_id)) {
    return { kind: 'carousel', view: (slots) => <CarouselDisplay ready={slots.ready} /> };
  }
  if (visualisation && here(visualisation.activity_id)) return { kind: 'vis', view: () => <VisualisationDisplay /> };
  const lists = ofKind(activities, 'list');
  if (lists.length) return { kind: 'lists', view: () => <ListsDisplay activities={lists} /> };
  const [format] = ofKind(activities, 'connection_format');
  if (format) return { kind: 'format', view: () => <FormatDisplay activity={format} /> };
  const [guide] = ofKind(activities, 'conversation_guide');
  if (guide) return { kind: 'guide', view: () => <GuideDisplay activity={guide} /> };
  const [plan] = ofKind(activities, 'communication_plan');
  if (plan) return { kind: 'plan', view: () => <PlanDisplay activity={plan} /> };
  const notes = ofKind(activities, 'notes').find((n) => !n.personal);
  if (notes && activities.length === 1) return { kind: 'notes', view: () => <NotesDisplay activity={notes} /> };
  return {
    kind: 'intro',
    view: () => (
      <>
        <PhaseIntro />
        <Wall />
      </>
    ),
  };
}

export interface Slots {
  /** "N van M klaar" in the carousel (the phone part's ReadyCount goes here). */
  ready?: ComponentChildren;
}

export function DisplayBody(slots: Slots) {
  useLang();
  const state = useWorkshop();
  const phase = currentPhase(state);
  const { kind, view } = projectorView(state);
  return (
    <div class={`projector projector--${kind}`} data-view={kind} data-testid="projector">
      <header class="display__head">
        <h1 class="display__title">{state.title || t('session.untitled')}</h1>
        {phase && (
          <p class="display__phase" data-testid="display-phase">
            <span class="display__phase-step">{t('phase.step', { n: state.phase.index + 1, count: state.phase.count })}:</span>{' '}
            {loc(phase.title)}
          </p>
        )}
      </header>
      <div class="projector__body">
        <div class="projector__main">{view(slots)}</div>
        {/* The carousel keeps it in its own column, beside the wall. */}
        {kind !== 'carousel' && <JoinBox compact={kind !== 'intro'} />}
      </div>
    </div>
  );
}
