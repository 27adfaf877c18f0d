// Wire compatibility with stock Yjs: two unmodified y-websocket providers edit one Y.Text
// through the real server and converge; awareness crosses; a wrong token gets 4401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { startServer, postJson } from './server-harness.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** Resolves when `check()` is true, polling; fails with `what` after the timeout. */
async function eventually(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function provider(sessionId, token, doc = new Y.Doc()) {
  return new WebsocketProvider(`${server.ws}/ws`, sessionId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket,
    // Both providers live in one process: without this they would sync through the
    // in-process BroadcastChannel and never prove anything about the server.
    disableBc: true,
  });
}

/** Closes the provider and its doc (the doc owns the awareness timer that keeps Node alive). */
function close(p) {
  p.destroy();
  p.doc.destroy();
}

const synced = (p) => new Promise((resolve) => (p.synced ? resolve() : p.once('synced', resolve)));

test('two stock providers converge on one Y.Text and see each other', async () => {
  const created = await postJson(server.http, '/api/sessions', { title: 'Interop' });
  const joined = await postJson(server.http, '/api/join', {
    code: created.join_code.toLowerCase(),
    name: 'Deelnemer',
  });
  assert.equal(joined.session_id, created.id);

  const a = provider(created.id, created.facilitator_token);
  const b = provider(created.id, joined.participant_token);
  try {
    await Promise.all([synced(a), synced(b)]);
    const ta = a.doc.getText('scratch');
    const tb = b.doc.getText('scratch');

    a.awareness.setLocalStateField('user', { name: 'Begeleider', color: '#1f6f8b' });
    b.awareness.setLocalStateField('user', { name: 'Deelnemer', color: '#8b1f5a' });

    // Concurrent edits: both sides type before either sees the other.
    for (let i = 0; i < 20; i++) {
      ta.insert(i % 3 === 0 ? 0 : ta.length, `a${i} `);
      tb.insert(i % 2 === 0 ? 0 : tb.length, `b${i} `);
    }
    tb.delete(0, 2);

    await eventually('texts converge', () => ta.toString() === tb.toString() && ta.length > 0);
    for (let i = 0; i < 20; i++) {
      assert.ok(ta.toString().includes(`a${i} `), `a${i} survived`);
    }
    // The server's copy matches too: a third, late provider gets the same text.
    const c = provider(created.id, created.facilitator_token);
    try {
      await synced(c);
      await eventually('late joiner has the text', () => c.doc.getText('scratch').toString() === ta.toString());
    } finally {
      close(c);
    }

    const names = (p) =>
      [...p.awareness.getStates().entries()]
        .filter(([id]) => id !== p.doc.clientID)
        .map(([, s]) => s.user?.name);
    await eventually('a sees b in awareness', () => names(a).includes('Deelnemer'));
    await eventually('b sees a in awareness', () => names(b).includes('Begeleider'));
  } finally {
    close(a);
    close(b);
  }
});

test('a provider with a wrong token is closed with 4401 and stops', async () => {
  const created = await postJson(server.http, '/api/sessions', { title: 'Wrong token' });
  const p = provider(created.id, 'not-a-real-token');
  try {
    const close = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no close event')), 10_000);
      p.on('connection-close', (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
    assert.equal(close.code, 4401);
    // y-websocket 3 treats 4xxx as terminal: it must not keep hammering the server.
    assert.equal(p.shouldConnect, false);
  } finally {
    close(p);
  }
});
