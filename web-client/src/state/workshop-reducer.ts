// The workshop as this client knows it: the `session` view from the server, with every later
// event applied. A pure function, so it is unit-tested without a browser (tests/node).
//
// Carousel and visualisation views carry a `seq` that grows with every change; a view with a
// smaller `seq` than the one held is stale (it can only come from an older snapshot) and is
// dropped, so the clock never jumps back. A fresh `session` (after each reconnect) replaces
// everything: it is the server's whole truth for this role.
import type { ServerEvent } from '../net/control';
import type {
  CarouselView,
  GroupView,
  IdeaView,
  ParticipantView,
  PhaseView,
  SessionView,
  Settings,
  Template,
  VisualisationView,
} from '../net/workshop-types';

export interface WorkshopState {
  title: string;
  joinCode: string;
  template: Template;
  phase: PhaseView;
  settings: Settings;
  participants: ParticipantView[];
  carousel: CarouselView | null;
  visualisation: VisualisationView | null;
  /** Oldest first. */
  ideas: IdeaView[];
  groups: GroupView[];
  myVotes: string[];
  /** Post-its this participant wrote (from the server; the outbox knows new ones too). */
  myIdeas: string[];
  /** This person's own notes (personal notes activities), by activity id. */
  myNotes: Record<string, string>;
  /** The current board (`round:…` or `phase:…`): where new post-its go. */
  board: string;
  /** Facilitators only: the session takes no new joins. */
  joinLocked: boolean;
  /** Participants who said "klaar" for the current stage or assignment. */
  ready: string[];
}

function byCreated(a: IdeaView, b: IdeaView): number {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function fromSession(session: SessionView): WorkshopState {
  return {
    title: session.title,
    joinCode: session.join_code,
    template: session.template,
    phase: session.phase,
    settings: session.settings,
    participants: session.participants,
    carousel: session.carousel,
    visualisation: session.visualisation,
    ideas: [...session.ideas].sort(byCreated),
    groups: session.groups,
    myVotes: session.my_votes,
    myIdeas: session.my_ideas ?? [],
    myNotes: session.my_notes ?? {},
    board: session.board,
    joinLocked: false,
    ready: session.ready?.participant_ids ?? [],
  };
}

/** Whether `next` may replace `held` (not older by `seq`). */
export function isNewer<T extends { seq: number; activity_id: string }>(held: T | null, next: T | null): boolean {
  if (!held || !next) return true;
  if (held.activity_id !== next.activity_id) return true;
  return next.seq >= held.seq;
}

/**
 * The state after `event`. Returns the same object when nothing changed, so listeners can
 * skip work. Events before the first `session` are ignored (there is nothing to apply to).
 */
export function reduceWorkshop(state: WorkshopState | null, event: ServerEvent): WorkshopState | null {
  if (event.type === 'session') return fromSession(event.session);
  if (!state) return state;
  switch (event.type) {
    case 'phase':
      return { ...state, phase: event.phase };
    case 'settings':
      return { ...state, settings: event.settings };
    case 'participants':
      return { ...state, participants: event.participants };
    case 'carousel':
      if (!isNewer(state.carousel, event.carousel)) return state;
      return { ...state, carousel: event.carousel };
    case 'visualisation':
      if (!isNewer(state.visualisation, event.visualisation)) return state;
      return { ...state, visualisation: event.visualisation };
    case 'personal_note':
      if ((state.myNotes[event.activity_id] ?? '') === event.text) return state;
      return { ...state, myNotes: { ...state.myNotes, [event.activity_id]: event.text } };
    case 'board':
      return state.board === event.board ? state : { ...state, board: event.board };
    case 'idea': {
      const others = state.ideas.filter((idea) => idea.id !== event.idea.id);
      return { ...state, ideas: [...others, event.idea].sort(byCreated) };
    }
    case 'idea_removed': {
      const ideas = state.ideas.filter((idea) => idea.id !== event.id);
      if (ideas.length === state.ideas.length) return state;
      // A deleted post-it takes its votes with it; a hidden one keeps them on the server, and
      // they come back with the next `session`.
      return { ...state, ideas, myVotes: state.myVotes.filter((id) => id !== event.id) };
    }
    case 'groups':
      return { ...state, groups: event.groups };
    case 'my_votes':
      return { ...state, myVotes: event.idea_ids };
    case 'ready':
      return { ...state, ready: event.ready.participant_ids };
    case 'join_locked':
      return state.joinLocked === event.locked ? state : { ...state, joinLocked: event.locked };
    case 'join_code':
      return state.joinCode === event.join_code ? state : { ...state, joinCode: event.join_code };
    default:
      return state;
  }
}
