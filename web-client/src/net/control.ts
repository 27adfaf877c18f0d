// The control channel's JSON, mirrored from protocol/src/control.rs. Keep the two in step:
// the Rust side is the source of truth.

export const CONTROL_VERSION = 1;

export type Role = 'facilitator' | 'co_facilitator' | 'participant' | 'display';

/** Commands a client sends. `id` is added by the connection. */
export type Command =
  | { type: 'hello'; version: number }
  | { type: 'ping'; client_time: number };

export type ErrorCode =
  | 'bad_request'
  | 'forbidden'
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

/** Events the server sends. New event types arrive as the workshop engine grows. */
export type ServerEvent = WelcomeEvent | PongEvent | ErrorEvent;

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
