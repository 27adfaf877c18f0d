// Unit tests of the web client's pure modules (no imports of their own): the clock estimate,
// the backoff, the textarea diff and the join-code rules. They are compiled with the web
// client's own TypeScript into a temporary folder, so the tests run what the bundle contains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './server-harness.mjs';

const web = path.join(repoRoot, 'web-client');
const tsc = path.join(web, 'node_modules', '.bin', 'tsc');
const sources = ['src/net/clock.ts', 'src/net/backoff.ts', 'src/ui/text-diff.ts', 'src/state/join-code.ts'];
let out;
const mod = {};

before(() => {
  if (!existsSync(tsc)) throw new Error('web-client/node_modules is missing: run scripts/ensure-node-deps.sh');
  out = mkdtempSync(path.join(tmpdir(), 'werkplaats-units-'));
  execFileSync(
    tsc,
    ['--outDir', out, '--rootDir', path.join(web, 'src'), '--module', 'esnext', '--target', 'es2022',
      '--moduleResolution', 'bundler', '--skipLibCheck', '--strict', ...sources.map((s) => path.join(web, s))],
    { stdio: 'inherit' },
  );
  // The emitted .js files are ES modules.
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
});

after(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

async function load(rel) {
  return import(pathToFileURL(path.join(out, rel.replace(/^src\//, '').replace(/\.ts$/, '.js'))).href);
}

test('clock: keeps the sample with the smallest round trip', async () => {
  const { ServerClock } = await load('src/net/clock.ts');
  let now = 1_000;
  const clock = new ServerClock({ now: () => now, samples: 3 });
  // The server is 5 000 ms ahead. Round trips of 100, 20 and 60 ms; the slow ones are
  // asymmetric (the answer dawdles on the way back), so only the fast one is exact.
  const trips = [
    { out: 10, back: 90 },
    { out: 10, back: 10 },
    { out: 50, back: 10 },
  ];
  let i = 0;
  const probe = async (clientTime) => {
    const { out, back } = trips[i++];
    now += out;
    const serverTime = now + 5_000;
    now += back;
    return { client_time: clientTime, server_time: serverTime };
  };
  const best = await clock.sync(probe);
  assert.equal(best.rttMs, 20);
  assert.equal(best.offsetMs, 5_000);
  assert.equal(clock.serverNow(), now + 5_000);
  assert.equal(clock.synced, true);
});

test('clock: a rough seed until synced; failed probes are skipped; all failing rejects', async () => {
  const { ServerClock } = await load('src/net/clock.ts');
  let now = 0;
  const clock = new ServerClock({ now: () => now, samples: 3 });
  clock.seed(2_000);
  assert.equal(clock.offsetMs, 2_000);
  assert.equal(clock.synced, false);
  let calls = 0;
  const flaky = async (t) => {
    calls++;
    if (calls === 1) throw new Error('timeout');
    now += 10;
    return { client_time: t, server_time: t + 3_005 };
  };
  const sample = await clock.sync(flaky);
  assert.equal(sample.offsetMs, 3_000);
  await assert.rejects(clock.sync(async () => { throw new Error('down'); }));
  // The last good estimate stays.
  assert.equal(clock.offsetMs, 3_000);
});

test('backoff: full jitter under an exponential bound capped at 10 s', async () => {
  const { backoffDelay, DEFAULT_BACKOFF } = await load('src/net/backoff.ts');
  assert.equal(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999999), 499);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5), 2_000);
  assert.equal(backoffDelay(50, DEFAULT_BACKOFF, () => 0.999999), 9_999);
  assert.equal(backoffDelay(5, DEFAULT_BACKOFF, () => 0), 0);
});

test('text diff: one replacement, never half an emoji', async () => {
  const { diffText } = await load('src/ui/text-diff.ts');
  assert.deepEqual(diffText('hallo wereld', 'hallo mooie wereld'), { index: 6, remove: 0, insert: 'mooie ' });
  assert.deepEqual(diffText('abc', 'ac'), { index: 1, remove: 1, insert: '' });
  assert.deepEqual(diffText('', 'x'), { index: 0, remove: 0, insert: 'x' });
  assert.deepEqual(diffText('same', 'same'), { index: 4, remove: 0, insert: '' });
  // 😀 (D83D DE00) → 😃 (D83D DE03): the shared high surrogate is not kept apart.
  assert.deepEqual(diffText('a😀b', 'a😃b'), { index: 1, remove: 2, insert: '😃' });
  // Applying the change always gives the new text.
  for (const [a, b] of [['aaa', 'aa'], ['abab', 'ab'], ['x😀😀y', 'x😀y'], ['', ''], ['abc', '']]) {
    const d = diffText(a, b);
    assert.equal(a.slice(0, d.index) + d.insert + a.slice(d.index + d.remove), b);
  }
});

test('cursor transform: moves over remote inserts and deletes before it', async () => {
  const { transformIndex } = await load('src/ui/text-diff.ts');
  assert.equal(transformIndex(5, [{ insert: 'abc' }]), 8);
  assert.equal(transformIndex(5, [{ retain: 5 }, { insert: 'abc' }]), 5, 'insert at the cursor stays after it');
  assert.equal(transformIndex(5, [{ retain: 6 }, { insert: 'abc' }]), 5);
  assert.equal(transformIndex(5, [{ retain: 1 }, { delete: 2 }]), 3);
  assert.equal(transformIndex(5, [{ retain: 3 }, { delete: 10 }]), 3, 'cursor inside a deletion goes to its start');
});

test('join code: forgiving about case, spaces, dashes and 0/O', async () => {
  const { normalizeJoinCode, isValidJoinCode, formatJoinCode } = await load('src/state/join-code.ts');
  assert.equal(normalizeJoinCode(' kxr-4tw '), 'KXR4TW');
  assert.equal(normalizeJoinCode('a0c o9x'), 'AQCQ9X');
  assert.equal(isValidJoinCode('KXR4TW'), true);
  assert.equal(isValidJoinCode('KXR4T'), false);
  assert.equal(isValidJoinCode('BBBBBB'), false);
  assert.equal(formatJoinCode('KXR4TW'), 'KXR 4TW');
});
