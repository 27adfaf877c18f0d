// One websocket to the session: the y-websocket protocol (sync, awareness) for the shared
// document, plus the Werkplaats control channel (tag 87, JSON) for everything that is not a
// document edit. It reconnects by itself and keeps the Y.Doc across reconnects, so what was
// typed offline merges when the socket is back.

import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';

import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';
import { ServerClock } from './clock';
import { type StopReason, stopReasonFor } from './close-codes';
import {
  CONTROL_VERSION,
  type CoFacilitatorAddedEvent,
  type Command,
  type CarouselTopicsEvent,
  type FormatAddedEvent,
  type ControlEvents,
  type ErrorCode,
  isServerEvent,
  type PongEvent,
  type ServerEvent,
  type WelcomeEvent,
} from './control';
import { Emitter } from './emitter';

// y-websocket message tags (see protocol/src/message.rs).
const TAG_SYNC = 0;
const TAG_AWARENESS = 1;
const TAG_AUTH = 2;
const TAG_QUERY_AWARENESS = 3;
const TAG_CONTROL = 87;

/** No message at all for this long: the socket is dead even if the browser thinks not. */
const DEAD_AFTER_MS = 35_000;
/** Quiet for this long: send a ping, so a live socket always has something to say. */
const HEARTBEAT_AFTER_MS = 15_000;
/** How often the watchdog looks. */
const WATCHDOG_EVERY_MS = 5_000;
/** A woken page gives a stale-looking socket this long to answer before replacing it. */
const PROBE_TIMEOUT_MS = 4_000;
/** A connection must stay up this long before the backoff starts again from the bottom. */
const STABLE_AFTER_MS = 5_000;
/** Default time a command waits for its reply. */
const COMMAND_TIMEOUT_MS = 8_000;

export type ConnectionStatus =
  /** Not started, or destroyed. */
  | 'idle'
  /** A socket is opening. */
  | 'connecting'
  /** The socket is open (see `synced` for whether the document has caught up). */
  | 'open'
  /** Waiting before the next attempt (backoff). */
  | 'waiting'
  /** The browser says there is no network; we try again when it comes back. */
  | 'offline'
  /** Given up for good: see `stopReason`. */
  | 'stopped';

export interface ConnectionState {
  status: ConnectionStatus;
  /** The document has received the server's state since the socket opened. */
  synced: boolean;
  /** Has been open at least once: tells a first connect from a reconnect. */
  everConnected: boolean;
  /** Failed attempts since the last stable connection. */
  attempt: number;
  /** When the next attempt starts (ms since epoch), while `waiting`. */
  nextRetryAt: number | null;
  /** Why we stopped, when `stopped`. */
  stopReason: ConnectionStopReason | null;
  /** Who the server says we are; kept across reconnects. */
  welcome: WelcomeEvent | null;
}

/** Close-code reasons, plus a control protocol this client does not speak. */
export type ConnectionStopReason = StopReason | 'outdated';

export interface ConnectionEvents extends Record<string, unknown> {
  /** Any change of `state`. */
  state: ConnectionState;
  /** Each `welcome` (after every (re)connect). */
  welcome: WelcomeEvent;
  /** The document caught up with the server. */
  synced: undefined;
  /** Given up for good. */
  stopped: ConnectionStopReason;
  /** The server refused a document update (read-only role). */
  'permission-denied': string;
}

/** Replies by command type; extend this when the protocol grows. */
export interface CommandReplies {
  hello: WelcomeEvent;
  ping: PongEvent;
  add_co_facilitator: CoFacilitatorAddedEvent;
  add_format: FormatAddedEvent;
  carousel_topics: CarouselTopicsEvent;
}

export class ControlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** A command could not be answered: not connected, socket lost, or no reply in time. */
export class ConnectionError extends Error {
  constructor(
    readonly reason: 'not_connected' | 'disconnected' | 'timeout' | 'destroyed',
    message: string = reason,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface ConnectionOptions {
  sessionId: string;
  token: string;
  /** The document to sync; kept across reconnects. A new one by default. */
  doc?: Y.Doc;
  /** Never send document changes (the projector display). Also set by a `display` welcome. */
  readOnly?: boolean;
  /** Origin of the websocket, like `wss://example.org`; from `location` by default. */
  baseUrl?: string;
  /** For tests. */
  WebSocketImpl?: typeof WebSocket;
  backoff?: BackoffOptions;
}

interface Pending {
  resolve: (event: ServerEvent) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

function defaultBaseUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

export class Connection {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly clock = new ServerClock();
  /** Lifecycle events of the connection. */
  readonly events = new Emitter<ConnectionEvents>();
  /** Control events from the server, by their `type`. */
  readonly control = new Emitter<ControlEvents>();

  private readonly url: string;
  private readonly protocols: string[];
  private readonly WS: typeof WebSocket;
  private readonly backoff: BackoffOptions;
  private readOnly: boolean;

  private ws: WebSocket | null = null;
  private current: ConnectionState = {
    status: 'idle',
    synced: false,
    everConnected: false,
    attempt: 0,
    nextRetryAt: null,
    stopReason: null,
    welcome: null,
  };
  private started = false;
  private openedAt = 0;
  private lastMessageAt = 0;
  private lastTickAt = 0;
  private heartbeatInFlight = false;
  private hiddenPresence: Record<string, unknown> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(options: ConnectionOptions) {
    this.doc = options.doc ?? new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.readOnly = options.readOnly ?? false;
    this.WS = options.WebSocketImpl ?? WebSocket;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    const base = options.baseUrl ?? defaultBaseUrl();
    // The token travels as a subprotocol, so it stays out of URLs and so out of proxy and
    // server access logs (a browser cannot set headers on a websocket). A token that is not a
    // valid subprotocol name (a hand-edited link) goes in the query, as stock clients send it.
    const path = `${base}/ws/${encodeURIComponent(options.sessionId)}`;
    if (/^[A-Za-z0-9_-]+$/.test(options.token)) {
      this.url = path;
      this.protocols = ['werkplaats', `werkplaats-token.${options.token}`];
    } else {
      this.url = `${path}?token=${encodeURIComponent(options.token)}`;
      this.protocols = [];
    }
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  /** A snapshot of the connection's state; `events.on('state')` tells of changes. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Opens the socket and keeps it open until `destroy` or a stop. */
  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('pageshow', this.onPageShow);
    document.addEventListener('visibilitychange', this.onVisibilityChange);
    this.lastTickAt = Date.now();
    this.watchdog = setInterval(this.onWatchdog, WATCHDOG_EVERY_MS);
    this.connect();
  }

  /** Closes the socket for good and lets go of every listener. The doc stays usable. */
  destroy(): void {
    if (!this.started && this.current.status === 'idle') return;
    this.started = false;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('pageshow', this.onPageShow);
    document.removeEventListener('visibilitychange', this.onVisibilityChange);
    if (this.watchdog) clearInterval(this.watchdog);
    this.clearRetry();
    // Tell the others we left before the socket goes.
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy');
    this.dropSocket(1000, 'client closed');
    this.rejectPending(new ConnectionError('destroyed'));
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.setState({ status: 'idle', synced: false, nextRetryAt: null });
    this.events.clear();
    this.control.clear();
  }

  /**
   * Sends a control command and resolves with the server's reply (matched by request id).
   * Rejects with `ControlError` when the server answers `error`, and with `ConnectionError`
   * when not connected, when the socket drops, or after `timeoutMs`. Commands are not queued
   * while offline: a facilitator's click must not fire minutes later by surprise.
   */
  command<C extends Command>(
    cmd: C,
    options: { timeoutMs?: number } = {},
  ): Promise<C['type'] extends keyof CommandReplies ? CommandReplies[C['type']] : ServerEvent> {
    const ws = this.ws;
    if (!ws || ws.readyState !== this.WS.OPEN) {
      return Promise.reject(new ConnectionError('not_connected'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConnectionError('timeout', `no reply to ${String(cmd.type)} in time`));
      }, options.timeoutMs ?? COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: resolve as (event: ServerEvent) => void,
        reject,
        timer,
      });
      this.sendControl(ws, { id, ...cmd });
    });
  }

  /** Sets one field of our awareness state (e.g. `user`, `field`), like y-websocket. */
  setPresence(field: string, value: unknown): void {
    if (this.awareness.getLocalState() === null) return;
    this.awareness.setLocalStateField(field, value);
  }

  // ---- socket lifecycle ----

  private connect(): void {
    this.clearRetry();
    if (!this.started || this.ws || this.current.status === 'stopped') return;
    let ws: WebSocket;
    try {
      ws = new this.WS(this.url, this.protocols);
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.setState({ status: 'connecting', synced: false, nextRetryAt: null });
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (event) => this.onMessage(ws, event);
    ws.onclose = (event) => this.onClose(ws, event.code);
    // An error is always followed by a close event; nothing to do here.
    ws.onerror = () => {};
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.openedAt = Date.now();
    this.lastMessageAt = this.openedAt;
    this.heartbeatInFlight = false;
    // hello first: the server only speaks control to clients that opted in.
    const helloId = this.nextId++;
    this.pending.set(helloId, {
      resolve: () => {},
      reject: () => {},
      timer: setTimeout(() => this.pending.delete(helloId), COMMAND_TIMEOUT_MS),
    });
    this.sendControl(ws, { id: helloId, type: 'hello', version: CONTROL_VERSION });
    // Then the y-websocket opening: our state vector, then who we are.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, TAG_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send(ws, encoding.toUint8Array(encoder));
    if (this.awareness.getLocalState() !== null) {
      this.sendAwareness(ws, [this.doc.clientID]);
    }
    this.setState({ status: 'open', everConnected: true });
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.detach(ws);
    this.ws = null;
    this.afterSocketLoss();
    const stop = stopReasonFor(code);
    if (stop) {
      this.stop(stop);
      return;
    }
    this.scheduleReconnect();
  }

  /** What every lost socket means, whoever closed it. */
  private afterSocketLoss(): void {
    const stable = this.openedAt > 0 && Date.now() - this.openedAt >= STABLE_AFTER_MS;
    this.openedAt = 0;
    if (stable && this.current.synced) this.setState({ attempt: 0 });
    this.rejectPending(new ConnectionError('disconnected'));
    // The others' presence is unknown until we are back; the server resends it on join.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    this.setState({ synced: false });
  }

  private stop(reason: ConnectionStopReason): void {
    this.clearRetry();
    this.setState({ status: 'stopped', stopReason: reason, nextRetryAt: null });
    this.events.emit('stopped', reason);
  }

  private scheduleReconnect(): void {
    if (!this.started || this.current.status === 'stopped') return;
    this.clearRetry();
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      // Wait for the `online` event; try now and then anyway, since the flag can be wrong.
      this.setState({ status: 'offline', nextRetryAt: null });
      this.retryTimer = setTimeout(() => this.connect(), this.backoff.capMs);
      return;
    }
    const delay = backoffDelay(this.current.attempt, this.backoff);
    this.setState({
      status: 'waiting',
      attempt: this.current.attempt + 1,
      nextRetryAt: Date.now() + delay,
    });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Replaces a socket we no longer trust, at once. */
  private reconnectNow(): void {
    if (!this.started || this.current.status === 'stopped') return;
    if (this.ws) {
      this.dropSocket(4000, 'dead socket');
      this.afterSocketLoss();
    }
    this.connect();
  }

  private dropSocket(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.detach(ws);
    try {
      ws.close(code, reason);
    } catch {
      // closing a socket that never opened may throw in some browsers
    }
  }

  private detach(ws: WebSocket): void {
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = () => {};
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  // ---- messages ----

  private onMessage(ws: WebSocket, event: MessageEvent): void {
    if (ws !== this.ws) return;
    this.lastMessageAt = Date.now();
    if (!(event.data instanceof ArrayBuffer)) return;
    try {
      this.readMessage(ws, new Uint8Array(event.data));
    } catch (err) {
      // A message we cannot read should not take the page down; the server validates its own.
      console.error('unreadable message', err);
    }
  }

  private readMessage(ws: WebSocket, data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const tag = decoding.readVarUint(decoder);
    switch (tag) {
      case TAG_SYNC: {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, TAG_SYNC);
        const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
        // A step 1 asks for our changes: the answer (step 2) carries what we typed offline.
        if (kind === syncProtocol.messageYjsSyncStep1 && !this.readOnly) {
          this.send(ws, encoding.toUint8Array(encoder));
        }
        if (kind === syncProtocol.messageYjsSyncStep2 && !this.current.synced) {
          this.setState({ synced: true });
          this.events.emit('synced', undefined);
        }
        break;
      }
      case TAG_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(
          this.awareness,
          decoding.readVarUint8Array(decoder),
          this,
        );
        break;
      case TAG_AUTH: {
        decoding.readVarUint(decoder); // 0: permission denied, the only kind
        const reason = decoding.readVarString(decoder);
        this.readOnly = true;
        this.events.emit('permission-denied', reason);
        break;
      }
      case TAG_QUERY_AWARENESS:
        // Only our own entry: the server refuses entries for client ids of other connections.
        if (this.awareness.getLocalState() !== null) this.sendAwareness(ws, [this.doc.clientID]);
        break;
      case TAG_CONTROL:
        this.onControl(decoding.readVarString(decoder));
        break;
      default:
        // A newer server may know more tags; ignoring them is safe.
        break;
    }
  }

  private onControl(json: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return;
    }
    if (!isServerEvent(parsed)) return;
    const event = parsed;
    if (typeof event.reply_to === 'number') {
      const pending = this.pending.get(event.reply_to);
      if (pending) {
        this.pending.delete(event.reply_to);
        clearTimeout(pending.timer);
        if (event.type === 'error') pending.reject(new ControlError(event.code, event.message));
        else pending.resolve(event);
      }
    }
    if (event.type === 'welcome') this.onWelcome(event);
    if (event.type === 'error' && event.code === 'unsupported_version') {
      this.dropSocket(1000, 'unsupported version');
      this.afterSocketLoss();
      this.stop('outdated');
      return;
    }
    // Unknown types are still passed on; listeners pick what they know.
    (this.control as unknown as Emitter<Record<string, unknown>>).emit(event.type, event);
  }

  private onWelcome(welcome: WelcomeEvent): void {
    if (welcome.role === 'display') this.readOnly = true;
    this.clock.seed(welcome.server_time);
    this.setState({ welcome });
    this.events.emit('welcome', welcome);
    // Redo the clock after every (re)connect: it may be another node, or the laptop slept.
    this.clock
      .sync((clientTime) => this.command({ type: 'ping', client_time: clientTime }))
      .catch(() => {
        // The next reconnect tries again; the rough estimate from welcome stays meanwhile.
      });
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    // Changes that came from the server are not echoed; offline changes wait for step 2.
    if (origin === this || this.readOnly) return;
    const ws = this.ws;
    if (!ws || ws.readyState !== this.WS.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, TAG_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.send(ws, encoding.toUint8Array(encoder));
  };

  private onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this) return;
    const own = this.doc.clientID;
    const mine = [...change.added, ...change.updated, ...change.removed].includes(own);
    const ws = this.ws;
    if (!mine || !ws || ws.readyState !== this.WS.OPEN) return;
    this.sendAwareness(ws, [own]);
  };

  private sendAwareness(ws: WebSocket, clients: number[]): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, TAG_AWARENESS);
    encoding.writeVarUint8Array(
      encoder,
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients),
    );
    this.send(ws, encoding.toUint8Array(encoder));
  }

  private sendControl(ws: WebSocket, envelope: Command & { id?: number }): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, TAG_CONTROL);
    encoding.writeVarString(encoder, JSON.stringify(envelope));
    this.send(ws, encoding.toUint8Array(encoder));
  }

  private send(ws: WebSocket, bytes: Uint8Array<ArrayBuffer>): void {
    if (ws.readyState !== this.WS.OPEN) return;
    try {
      ws.send(bytes);
    } catch {
      // The close event follows; the doc keeps the change for the next step 2.
    }
  }

  private rejectPending(err: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(err);
      this.pending.delete(id);
    }
  }

  // ---- liveness ----

  private onWatchdog = (): void => {
    const now = Date.now();
    // A long gap between ticks means the machine slept: check the socket at once.
    const slept = now - this.lastTickAt > WATCHDOG_EVERY_MS * 3;
    this.lastTickAt = now;
    const ws = this.ws;
    if (!ws || ws.readyState !== this.WS.OPEN) return;
    const quiet = now - this.lastMessageAt;
    if (quiet > DEAD_AFTER_MS) {
      this.reconnectNow();
    } else if (slept || quiet > HEARTBEAT_AFTER_MS) {
      this.probe(slept ? PROBE_TIMEOUT_MS : DEAD_AFTER_MS - quiet);
    }
  };

  /** Pings; a socket that does not answer within `timeoutMs` is replaced. */
  private probe(timeoutMs: number): void {
    if (this.heartbeatInFlight) return;
    const ws = this.ws;
    this.heartbeatInFlight = true;
    this.command({ type: 'ping', client_time: Date.now() }, { timeoutMs })
      .catch((err) => {
        if (err instanceof ConnectionError && err.reason === 'timeout' && this.ws === ws) {
          this.reconnectNow();
        }
      })
      .finally(() => {
        this.heartbeatInFlight = false;
      });
  }

  private onOnline = (): void => {
    if (this.ws) return;
    this.setState({ attempt: 0 });
    this.connect();
  };

  private onOffline = (): void => {
    // The socket cannot live without a network; do not wait 35 s to find out.
    if (this.ws) {
      this.dropSocket(4000, 'offline');
      this.afterSocketLoss();
    }
    this.scheduleReconnect();
  };

  private onVisibilityChange = (): void => {
    if (document.visibilityState !== 'visible' || !this.started) return;
    if (this.current.status === 'stopped') return;
    if (!this.ws) {
      // Back from the pocket: do not sit out the rest of a backoff.
      this.connect();
    } else if (Date.now() - this.lastMessageAt > HEARTBEAT_AFTER_MS) {
      this.probe(PROBE_TIMEOUT_MS);
    }
  };

  private onPageHide = (): void => {
    // Best effort: the others see us leave now instead of after 30 s.
    this.hiddenPresence = this.awareness.getLocalState();
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'pagehide');
  };

  private onPageShow = (event: PageTransitionEvent): void => {
    // Restored from the back/forward cache: be present again, and check the socket.
    if (!event.persisted) return;
    if (this.hiddenPresence !== null) this.awareness.setLocalState(this.hiddenPresence);
    this.hiddenPresence = null;
    this.onVisibilityChange();
  };

  private setState(patch: Partial<ConnectionState>): void {
    this.current = { ...this.current, ...patch };
    this.events.emit('state', this.current);
  }
}
