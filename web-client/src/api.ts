// The server's JSON API (server/src/http/api.rs).

export interface CreatedSession {
  id: string;
  join_code: string;
  title: string;
  facilitator_token: string;
  facilitator_participant_id: string;
  display_token: string;
  links: { participant: string; facilitator: string; display: string; websocket: string };
}

export interface Joined {
  session_id: string;
  participant_id: string;
  participant_token: string;
}

export type ApiErrorKind = 'not_found' | 'bad_request' | 'unauthorized' | 'rate_limited' | 'unavailable' | 'network';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** Seconds to wait, for `rate_limited`. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError('network', String(err));
  }
  if (res.ok) return (await res.json()) as T;
  let message = res.statusText;
  try {
    message = ((await res.json()) as { message?: string }).message ?? message;
  } catch {
    // not JSON; keep the status text
  }
  if (res.status === 429) {
    const seconds = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
    throw new ApiError('rate_limited', message, Number.isFinite(seconds) ? seconds : 60);
  }
  if (res.status === 404) throw new ApiError('not_found', message);
  if (res.status === 401) throw new ApiError('unauthorized', message);
  if (res.status >= 400 && res.status < 500) throw new ApiError('bad_request', message);
  throw new ApiError('unavailable', message);
}

/** `createKey`: for a server started with `--create-key` (it answers 401 without it). */
export function createSession(title: string, facilitatorName?: string, createKey?: string): Promise<CreatedSession> {
  const body = facilitatorName ? { title, facilitator_name: facilitatorName } : { title };
  return post('/api/sessions', body, createKey ? { authorization: `Bearer ${createKey}` } : {});
}

export function joinSession(code: string, name: string): Promise<Joined> {
  return post('/api/join', { code, name });
}

export type ExportFormat = 'md' | 'json' | 'html';

/** The results, fetched with the facilitator's token (never put in a URL). */
export async function exportSession(
  sessionId: string,
  token: string,
  format: ExportFormat,
  lang: 'nl' | 'en',
): Promise<{ blob: Blob; filename: string }> {
  let res: Response;
  try {
    res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}&lang=${lang}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    throw new ApiError('network', String(err));
  }
  if (!res.ok) throw new ApiError(res.status === 404 ? 'not_found' : res.status >= 500 ? 'unavailable' : 'bad_request', res.statusText);
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = disposition.match(/filename="([^"]+)"/)?.[1] ?? `werkplaats.${format}`;
  return { blob: await res.blob(), filename };
}

/** Deletes the session and everything in it (the facilitator's token only). */
export async function deleteSession(sessionId: string, token: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    throw new ApiError('network', String(err));
  }
  if (!res.ok && res.status !== 404) {
    throw new ApiError(res.status >= 500 ? 'unavailable' : 'bad_request', res.statusText);
  }
}
