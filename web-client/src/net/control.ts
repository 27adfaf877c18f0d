// The control channel's JSON. The types and names are generated from protocol/src/control.rs
// into ./generated/protocol.ts (the Rust side is the source of truth; `cargo test` fails when
// the generated file is stale). This file adds what is behaviour, and names for each event.
import {
  COMMAND_TYPES,
  EVENT_TYPES,
  type Command,
  type Event,
  type ServerEnvelope as GeneratedServerEnvelope,
} from './generated/protocol';

export { COMMAND_TYPES, CONTROL_VERSION, ERROR_CODES, EVENT_TYPES, ROLES } from './generated/protocol';
export type { ClientEnvelope, Command, ErrorCode, Role } from './generated/protocol';
import type { Role } from './generated/protocol';

/** Events the server sends. */
export type ServerEvent = Event;
/** An event as it arrives: with `reply_to` when it answers a command. */
export type ServerEnvelope = GeneratedServerEnvelope;

export type CommandType = Command['type'];
export type EventType = ServerEvent['type'];

/** The event of one `type`. */
export type EventOf<T extends EventType> = Extract<ServerEvent, { type: T }>;

export type WelcomeEvent = EventOf<'welcome'>;
export type PongEvent = EventOf<'pong'>;
export type ErrorEvent = EventOf<'error'>;
export type AckEvent = EventOf<'ack'>;
export type SessionEvent = EventOf<'session'>;
export type PhaseEvent = EventOf<'phase'>;
export type SettingsEvent = EventOf<'settings'>;
export type ParticipantsEvent = EventOf<'participants'>;
export type CarouselEvent = EventOf<'carousel'>;
export type VisualisationEvent = EventOf<'visualisation'>;
export type BoardEvent = EventOf<'board'>;
export type IdeaEvent = EventOf<'idea'>;
export type IdeaRemovedEvent = EventOf<'idea_removed'>;
export type GroupsEvent = EventOf<'groups'>;
export type PersonalNoteEvent = EventOf<'personal_note'>;
export type ReadyEvent = EventOf<'ready'>;
export type MyVotesEvent = EventOf<'my_votes'>;
export type CoFacilitatorAddedEvent = EventOf<'co_facilitator_added'>;
export type JoinLockedEvent = EventOf<'join_locked'>;
export type JoinCodeEvent = EventOf<'join_code'>;
export type FormatAddedEvent = EventOf<'format_added'>;
export type CarouselTopicsEvent = EventOf<'carousel_topics'>;
export type SessionDeletedEvent = EventOf<'session_deleted'>;

/** Event payloads by their `type`, for the typed emitter. */
export type ControlEvents = { [T in EventType]: EventOf<T> };

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
const commandTypes: ReadonlySet<string> = new Set(COMMAND_TYPES);

/**
 * Whether a parsed JSON value looks like a server event: an object with a string `type` and,
 * if it answers a command, a numeric `reply_to`. Types this client does not know pass too (a
 * newer server may send them; listeners pick what they know): see `isKnownEventType`.
 */
export function isServerEvent(value: unknown): value is ServerEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const { type, reply_to } = value as { type?: unknown; reply_to?: unknown };
  return typeof type === 'string' && (reply_to === undefined || reply_to === null || typeof reply_to === 'number');
}

/** Whether `type` is an event type of this protocol version. */
export function isKnownEventType(type: string): type is EventType {
  return eventTypes.has(type);
}

/** Whether `type` is a command type of this protocol version. */
export function isCommandType(type: string): type is CommandType {
  return commandTypes.has(type);
}

/** Steering roles: only these may move the session on. */
export function steers(role: Role): boolean {
  return role === 'facilitator' || role === 'co_facilitator';
}
