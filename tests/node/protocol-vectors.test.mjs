// The web client's side of the shared control-message vectors in protocol/vectors/ (the Rust
// side decodes and re-encodes the same files in protocol/src/vectors.rs), and the constants
// generated from the Rust types (web-client/src/net/generated/protocol.ts) against the
// hand-written modules that use them. The modules are compiled with the web client's own
// TypeScript, as in web-units.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './server-harness.mjs';

const web = path.join(repoRoot, 'web-client');
const tsc = path.join(web, 'node_modules', '.bin', 'tsc');
const sources = ['src/net/control.ts', 'src/net/close-codes.ts', 'src/state/doc-schema.ts'];
let out;

before(() => {
  if (!existsSync(tsc)) throw new Error('web-client/node_modules is missing: run scripts/ensure-node-deps.sh');
  // Inside web-client/node_modules, so that doc-schema's `import 'yjs'` resolves.
  out = mkdtempSync(path.join(web, 'node_modules', '.werkplaats-vectors-'));
  execFileSync(
    tsc,
    ['--outDir', out, '--rootDir', path.join(web, 'src'), '--module', 'esnext', '--target', 'es2022',
      '--moduleResolution', 'bundler', '--skipLibCheck', '--strict', ...sources.map((s) => path.join(web, s))],
    { stdio: 'inherit' },
  );
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  // The web client imports without extensions (Vite resolves them); Node's ES modules need them.
  for (const file of readdirSync(out, { recursive: true })) {
    if (!file.endsWith('.js')) continue;
    const full = path.join(out, file);
    const text = readFileSync(full, 'utf8').replace(/(from\s+'\.{1,2}\/[^']+?)(?<!\.js)'/g, "$1.js'");
    writeFileSync(full, text);
  }
});

after(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

async function load(rel) {
  return import(pathToFileURL(path.join(out, rel.replace(/^src\//, '').replace(/\.ts$/, '.js'))).href);
}

function vectors(file) {
  return JSON.parse(readFileSync(path.join(repoRoot, 'protocol', 'vectors', file), 'utf8'));
}

test('vectors: every event passes the client guard and is a known type; every type has one', async () => {
  const { isServerEvent, isKnownEventType, EVENT_TYPES } = await load('src/net/control.ts');
  const events = vectors('events.json');
  for (const event of events) {
    // The client reads what JSON.parse gives it, as from the socket.
    const parsed = JSON.parse(JSON.stringify(event));
    assert.ok(isServerEvent(parsed), `guard refuses ${JSON.stringify(event).slice(0, 80)}`);
    assert.ok(isKnownEventType(parsed.type), `unknown event type ${parsed.type}`);
  }
  assert.deepEqual(new Set(events.map((e) => e.type)), new Set(EVENT_TYPES));
  // The guard is not a rubber stamp.
  assert.equal(isServerEvent({ type: 'ack', reply_to: 'x' }), false);
  assert.equal(isServerEvent({ reply_to: 1 }), false);
  assert.equal(isServerEvent('ack'), false);
  assert.equal(isKnownEventType('format_disk'), false);
});

test('vectors: every command is a command type of the client; every type has one', async () => {
  const { isCommandType, COMMAND_TYPES } = await load('src/net/control.ts');
  const commands = vectors('commands.json');
  for (const command of commands) {
    assert.ok(isCommandType(command.type), `unknown command type ${command.type}`);
    assert.ok(command.id === undefined || Number.isSafeInteger(command.id));
  }
  assert.deepEqual(new Set(commands.map((c) => c.type)), new Set(COMMAND_TYPES));
  assert.equal(isCommandType('format_disk'), false);
});

test('vectors: the session event carries every activity kind, and each as the views expect', () => {
  const session = vectors('events.json').find((e) => e.type === 'session').session;
  const kinds = session.template.phases.flatMap((p) => p.activities.map((a) => a.kind));
  for (const kind of ['connection_format', 'brainstorm_carousel', 'guided_visualisation', 'list',
    'conversation_guide', 'communication_plan', 'notes']) {
    assert.ok(kinds.includes(kind), `no ${kind} in the session vector`);
  }
  assert.equal(typeof session.carousel.seq, 'number');
  assert.equal(typeof session.ideas[0].created_at, 'number');
});

test('close codes: the client gives up exactly where the server says reconnecting cannot help', async () => {
  const close = await load('src/net/close-codes.ts');
  const generated = await load('src/net/generated/protocol.ts');
  const codes = Object.entries(generated).filter(([, v]) => typeof v === 'number' && v >= 1000 && v < 5000);
  assert.ok(codes.length >= 10, 'the close codes are generated');
  for (const [name, code] of codes) {
    const givesUp = close.stopReasonFor(code) !== null;
    assert.equal(givesUp, generated.CLOSE_CODES_WITHOUT_RECONNECT.includes(code), `${name} (${code})`);
  }
});

test('document schema: the client builds the keys the Rust builders build', async () => {
  const schema = await load('src/state/doc-schema.ts');
  const { SCHEMA_KEY_EXAMPLES: ex } = await load('src/net/generated/protocol.ts');
  assert.equal(schema.sideNameKey('a'), ex.sideName);
  assert.equal(schema.sideBlockKey('a', 'b'), ex.sideBlock);
  assert.equal(schema.connectionKey('b'), ex.connection);
  assert.equal(schema.followUpKey('b'), ex.followUp);
  assert.equal(schema.guideCheckedKey(2), ex.guideChecked);
  assert.equal(schema.guideNotesKey(2), ex.guideNotes);
  assert.deepEqual([schema.FORMATS, schema.LISTS, schema.GUIDES, schema.PLANS, schema.NOTES],
    ['formats', 'lists', 'guides', 'plans', 'notes']);
});
