// The control channel's JSON, mirrored from protocol/src/control.rs. Keep the two in step:
// the Rust side is the source of truth. The views and the template's shape are in
// ./workshop-types.ts (mirror of protocol/src/workshop.rs and protocol/src/template/).
import type {
  CarouselView,
  GroupView,
  IdeaView,
  ParticipantView,
  PhaseView,
  ReadyView,
  SessionView,
  Settings,
  TopicSuggestion,
  VisualisationView,
} from './workshop-types';

export const CONTROL_VERSION = 1;

export type Role = 'facilitator' | 'co_facilitator' | 'participant' | 'display';

/** Commands a client sends. `id` is added by the connection. The comment says who may. */
export type Command =
  | { type: 'hello'; version: number }
  | { type: 'ping'; client_time: number }
  // facilitators
  | { type: 'phase_next' }
  | { type: 'phase_previous' }
  | { type: 'phase_goto'; index: number }
  // the facilitator only
  | { type: 'add_co_facilitator'; name: string }
  | { type: 'remove_participant'; participant_id: string }
  // facilitators: a locked session takes no new joins
  | { type: 'set_join_locked'; locked: boolean }
  // facilitators: a fresh join code; the old one (and its link and QR code) stops working
  | { type: 'rotate_join_code' }
  // facilitators; fields left out stay as they are
  | {
      type: 'set_settings';
      anonymous_posting?: boolean;
      votes_per_participant?: number;
      auto_next_round?: boolean;
    }
  // anyone who edits
  | { type: 'add_format'; activity_id: string }
  // participants and facilitators
  | { type: 'post_idea'; text: string; client_ref: string }
  | { type: 'vote'; idea_id: string }
  | { type: 'unvote'; idea_id: string }
  | { type: 'group_ideas'; idea_ids: string[]; group_id?: string; label?: string }
  | { type: 'ungroup'; idea_id: string }
  | { type: 'rename_group'; group_id: string; label: string }
  // facilitators
  | { type: 'hide_idea'; idea_id: string; hidden: boolean }
  | { type: 'delete_idea'; idea_id: string }
  | { type: 'set_personal_note'; activity_id: string; text: string }
  // participants: "Ik ben klaar" for the current stage or assignment (false takes it back)
  | { type: 'set_ready'; ready: boolean }
  | { type: 'edit_idea'; idea_id: string; text: string }
  | { type: 'remove_format'; format_id: string }
  | { type: 'carousel_add_round'; topic: string; owner_id: string; activity_id?: string }
  | { type: 'carousel_set_owner'; round_id: string; owner_id: string }
  | { type: 'carousel_start'; round_id?: string }
  | { type: 'carousel_topics'; activity_id?: string }
  | { type: 'carousel_pause' }
  | { type: 'carousel_resume' }
  | { type: 'carousel_add_time'; seconds: number }
  | { type: 'carousel_next_stage' }
  | { type: 'carousel_previous_stage' }
  | { type: 'carousel_restart_stage' }
  | { type: 'carousel_next_round' }
  | { type: 'carousel_end' }
  // the round's owner, facilitators
  | { type: 'set_next_step'; round_id: string; text: string; owner?: string; date?: string }
  // facilitators (read_done/next/previous also the question-asker)
  | { type: 'visualisation_start'; activity_id: string; asker_id?: string }
  | { type: 'visualisation_read_done' }
  | { type: 'visualisation_next' }
  | { type: 'visualisation_previous' }
  | { type: 'visualisation_stop' };

export type CommandType = Command['type'];

export type ErrorCode =
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unsupported_version'
  | 'store_unavailable'
  | 'internal';

export interface WelcomeEvent {
  type: 'welcome';
  version: number;
  session_id: string;
  role: Role;
  participant_id: string;
  name: string;
  /** Server time in ms since the Unix epoch. */
  server_time: number;
}

export interface PongEvent {
  type: 'pong';
  client_time: number;
  server_time: number;
}

export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  message: string;
}

export interface AckEvent {
  type: 'ack';
}

export interface SessionEvent {
  type: 'session';
  session: SessionView;
}
export interface PhaseEvent {
  type: 'phase';
  phase: PhaseView;
}
export interface SettingsEvent {
  type: 'settings';
  settings: Settings;
}
export interface ParticipantsEvent {
  type: 'participants';
  participants: ParticipantView[];
}
export interface CarouselEvent {
  type: 'carousel';
  carousel: CarouselView | null;
}
export interface VisualisationEvent {
  type: 'visualisation';
  visualisation: VisualisationView | null;
}
export interface PersonalNoteEvent {
  type: 'personal_note';
  activity_id: string;
  text: string;
}
export interface BoardEvent {
  type: 'board';
  board: string;
}
export interface IdeaEvent {
  type: 'idea';
  idea: IdeaView;
}
export interface IdeaRemovedEvent {
  type: 'idea_removed';
  id: string;
}
export interface GroupsEvent {
  type: 'groups';
  groups: GroupView[];
}
/** Who said "klaar" for the current stage or assignment (empties when it moves on). */
export interface ReadyEvent {
  type: 'ready';
  ready: ReadyView;
}
export interface MyVotesEvent {
  type: 'my_votes';
  idea_ids: string[];
}
export interface CoFacilitatorAddedEvent {
  type: 'co_facilitator_added';
  participant_id: string;
  token: string;
  /** A path: `/s/ID#token=…`. */
  link: string;
}
/** To facilitators: whether the session takes new joins. */
export interface JoinLockedEvent {
  type: 'join_locked';
  locked: boolean;
}
/** To everyone on the control channel, after `rotate_join_code`: the session's new join code. */
export interface JoinCodeEvent {
  type: 'join_code';
  join_code: string;
}
/** The answer to `carousel_topics`: lines from the formats' opportunities and challenges. */
export interface CarouselTopicsEvent {
  type: 'carousel_topics';
  topics: TopicSuggestion[];
}
export interface FormatAddedEvent {
  type: 'format_added';
  format_id: string;
}
export interface SessionDeletedEvent {
  type: 'session_deleted';
}

/** Events the server sends. */
export type ServerEvent =
  | WelcomeEvent
  | PongEvent
  | ErrorEvent
  | AckEvent
  | SessionEvent
  | PhaseEvent
  | SettingsEvent
  | ParticipantsEvent
  | CarouselEvent
  | VisualisationEvent
  | BoardEvent
  | PersonalNoteEvent
  | IdeaEvent
  | IdeaRemovedEvent
  | GroupsEvent
  | MyVotesEvent
  | ReadyEvent
  | CoFacilitatorAddedEvent
  | JoinLockedEvent
  | JoinCodeEvent
  | FormatAddedEvent
  | CarouselTopicsEvent
  | SessionDeletedEvent;

/** Event payloads by their `type`, for the typed emitter. */
export type ControlEvents = { [E in ServerEvent as E['type']]: E };

export interface ServerEnvelope {
  reply_to?: number;
}

/** Whether a parsed JSON value looks like a server event (has a string `type`). */
export function isServerEvent(value: unknown): value is ServerEvent & ServerEnvelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/** Steering roles: only these may move the session on. */
export function steers(role: Role): boolean {
  return role === 'facilitator' || role === 'co_facilitator';
}
