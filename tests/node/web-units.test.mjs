// Unit tests of the web client's pure modules (no imports of their own): the clock estimate,
// the backoff, the textarea diff, the join-code rules, the workshop state, the countdown and the
// carousel's projection. They are compiled with the web
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
const sources = [
  'src/net/clock.ts',
  'src/net/backoff.ts',
  'src/ui/text-diff.ts',
  'src/state/join-code.ts',
  'src/state/workshop-reducer.ts',
  'src/ui/countdown.ts',
  'src/state/carousel-projection.ts',
  'src/state/ready.ts',
  'src/ui/end-signal.ts',
];
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
  assert.equal(normalizeJoinCode('kxr4-twac-de67'), 'KXR4TWACDE67');
  assert.equal(isValidJoinCode('KXR4TWACDE67'), true);
  assert.equal(isValidJoinCode('KXR4TWACDE6'), false);
  assert.equal(formatJoinCode('KXR4TWACDE67'), 'KXR4-TWAC-DE67');
});

function sessionView() {
  return {
    title: 'T',
    join_code: 'KXR4TW',
    template: { id: 't', version: 1, title: { nl: 'T' }, languages: ['nl'], phases: [] },
    phase: { index: 0, phase_id: 'a', count: 2 },
    settings: { anonymous_posting: false, votes_per_participant: 3, auto_next_round: false },
    participants: [],
    carousel: null,
    visualisation: null,
    ideas: [],
    groups: [],
    my_votes: [],
  };
}

const idea = (id, created_at, extra = {}) => ({
  id, text: id, author_id: null, author_name: null, client_ref: `r-${id}`, created_at, phase_id: 'a',
  round_id: null, stage_id: null, votes: 0, group_id: null, hidden: false, ...extra,
});

const carousel = (seq, stage_index) => ({
  activity_id: 'c', seq, rounds: [], current_round: 0, stage_index, stages: [],
  clock: { status: 'running', deadline: 1000 }, server_time: 0,
});

test('klaar: the ready event replaces the set; counted against participants online or ready', async () => {
  const { reduceWorkshop } = await load('src/state/workshop-reducer.ts');
  const { readyCount, isReady } = await load('src/state/ready.ts');
  let s = reduceWorkshop(null, { type: 'session', session: sessionView() });
  assert.deepEqual(s.ready, [], 'an older server sends no ready: nobody');
  s = reduceWorkshop(s, { type: 'ready', ready: { participant_ids: ['p1', 'p3'] } });
  assert.ok(isReady(s, 'p1') && !isReady(s, 'p2'));
  const person = (id, role, online) => ({ id, name: id, role, online });
  s = { ...s, participants: [person('f', 'facilitator', true), person('p1', 'participant', true), person('p2', 'participant', true), person('p3', 'participant', false), person('p4', 'participant', false)] };
  // p3 went offline after saying it (still counted); p4 is gone (not counted); the facilitator never.
  assert.deepEqual(readyCount(s), { ready: 2, of: 3 });
});

test('end signal: a stage that moves on, a round that ends, a silence that runs out; not a start, pause or step back', async () => {
  const { endedBetween } = await load('src/ui/end-signal.ts');
  const m = (round, stage, done = false, silence = null) => ({ round, stage, carouselDone: done, silence });
  assert.equal(endedBetween(m('r1', 0), m('r1', 1)), true, 'next stage');
  assert.equal(endedBetween(m('r1', 4), m('r1', 4, true)), true, 'the round is done');
  assert.equal(endedBetween(m('r1', 2), m('r2', 0)), true, 'the next round');
  assert.equal(endedBetween(m(null, 0), m('r1', 0)), false, 'a start');
  assert.equal(endedBetween(m('r1', 2), m('r1', 1)), false, 'a step back');
  assert.equal(endedBetween(m('r1', 2), m('r1', 2)), false, 'a pause');
  assert.equal(endedBetween(m('r1', 4, true), m('r2', 0)), false, 'the next round after a finished one');
  assert.equal(endedBetween(m(null, 0, false, '3:running'), m(null, 0, false, '3:done')), true, 'a silence ran out');
  assert.equal(endedBetween(m(null, 0, false, '3:idle'), m(null, 0, false, '3:running')), false, 'a silence starts');
});

test('workshop state: a session, then each event applied; stale carousel views dropped', async () => {
  const { reduceWorkshop } = await load('src/state/workshop-reducer.ts');
  assert.equal(reduceWorkshop(null, { type: 'phase', phase: { index: 1, phase_id: 'b', count: 2 } }), null, 'nothing before the session');
  let s = reduceWorkshop(null, { type: 'session', session: sessionView() });
  s = reduceWorkshop(s, { type: 'phase', phase: { index: 1, phase_id: 'b', count: 2 } });
  assert.equal(s.phase.phase_id, 'b');
  s = reduceWorkshop(s, { type: 'idea', idea: idea('y', 20) });
  s = reduceWorkshop(s, { type: 'idea', idea: idea('x', 10) });
  s = reduceWorkshop(s, { type: 'idea', idea: idea('y', 20, { votes: 2 }) });
  assert.deepEqual(s.ideas.map((i) => [i.id, i.votes]), [['x', 0], ['y', 2]], 'ordered by time, updated in place');
  s = reduceWorkshop(s, { type: 'idea_removed', id: 'x' });
  assert.deepEqual(s.ideas.map((i) => i.id), ['y']);
  s = reduceWorkshop(s, { type: 'carousel', carousel: carousel(5, 2) });
  const held = reduceWorkshop(s, { type: 'carousel', carousel: carousel(4, 1) });
  assert.equal(held, s, 'an older view changes nothing');
  s = reduceWorkshop(s, { type: 'carousel', carousel: carousel(6, 3) });
  assert.equal(s.carousel.stage_index, 3);
  s = reduceWorkshop(s, { type: 'my_votes', idea_ids: ['y'] });
  assert.deepEqual(s.myVotes, ['y']);
  // A fresh session (after a reconnect) replaces everything, seq or not.
  s = reduceWorkshop(s, { type: 'session', session: sessionView() });
  assert.equal(s.carousel, null);
  assert.deepEqual(s.ideas, []);
});

test('countdown: remaining time from the deadline, paused and done; shown rounded up', async () => {
  const { remainingMs, formatClock, secondsLeft } = await load('src/ui/countdown.ts');
  assert.equal(remainingMs({ status: 'running', deadline: 10_000 }, 7_500), 2_500);
  assert.equal(remainingMs({ status: 'running', deadline: 10_000 }, 12_000), 0);
  assert.equal(remainingMs({ status: 'paused', remaining_ms: 42_000 }, 1e12), 42_000);
  assert.equal(remainingMs({ status: 'done' }, 0), 0);
  assert.equal(remainingMs({ status: 'idle' }, 0), null);
  assert.equal(formatClock(120_000), '2:00');
  assert.equal(formatClock(119_001), '2:00');
  assert.equal(formatClock(59_000), '0:59');
  assert.equal(formatClock(1), '0:01');
  assert.equal(formatClock(0), '0:00');
  assert.equal(secondsLeft(14_200), 15);
});

test('carousel projection: at a deadline the next stage, then the next round or done, as the server does', async () => {
  const { projectCarousel, nextChangeAt } = await load('src/state/carousel-projection.ts');
  const stages = [120, 180, 300].map((duration_ms, i) => ({ id: `s${i}`, who: 'owner', duration_ms }));
  const rounds = [
    { id: 'r0', topic: 'a', owner_id: 'p0', owner_name: 'A', next_step: null, ran: true },
    { id: 'r1', topic: 'b', owner_id: 'p1', owner_name: 'B', next_step: null, ran: false },
  ];
  const view = {
    activity_id: 'c', seq: 7, rounds, current_round: 0, stage_index: 0, stages,
    clock: { status: 'running', deadline: 1_000 }, server_time: 0,
  };
  assert.equal(projectCarousel(view, 999, false), view, 'nothing due yet: the same object');
  assert.equal(nextChangeAt(view), 1_000);
  const second = projectCarousel(view, 1_000, false);
  assert.equal(second.stage_index, 1);
  assert.deepEqual(second.clock, { status: 'running', deadline: 1_180 }, 'from the deadline, not from now');
  assert.equal(second.seq, 7, 'the server\'s own view (a higher seq) replaces it');
  // Two deadlines passed (a laptop that slept): both steps, from the stored deadlines.
  const third = projectCarousel(view, 1_200, false);
  assert.equal(third.stage_index, 2);
  assert.deepEqual(third.clock, { status: 'running', deadline: 1_480 });
  // The last stage ends: done, or the next round that has not run.
  assert.deepEqual(projectCarousel(third, 1_480, false).clock, { status: 'done' });
  assert.equal(nextChangeAt(projectCarousel(third, 1_480, false)), null);
  const nextRound = projectCarousel(third, 1_480, true);
  assert.equal(nextRound.current_round, 1);
  assert.equal(nextRound.stage_index, 0);
  assert.ok(nextRound.rounds[1].ran);
  assert.deepEqual(nextRound.clock, { status: 'running', deadline: 1_600 });
  // Paused or idle clocks do not move.
  const paused = { ...view, clock: { status: 'paused', remaining_ms: 50 } };
  assert.equal(projectCarousel(paused, 1e12, true), paused);
  assert.equal(nextChangeAt(paused), null);
});
