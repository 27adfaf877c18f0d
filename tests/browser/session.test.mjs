// The web client end to end: create, join, co-edit, hostile names, offline and back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE,
  SHARED_NOTES,
  WIDE,
  controlJson,
  createSessionViaStartPage,
  launchBrowser,
  newPerson,
  postJson,
  recordFrames,
  screenshot,
  startWebServer,
  toSharedNotes,
  waitInPage,
  openPanel,
} from './harness.mjs';

let server;
let browser;
/** Shared between the tests, in order: the session made by the first one. */
let session;
let facilitator;
let participant;

before(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function waitUntil(check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const notes = (page) => page.getByTestId(SHARED_NOTES);

test('create a session from the start page and land on the facilitator page', async () => {
  facilitator = await newPerson(browser, WIDE);
  const { page } = facilitator;
  const frames = recordFrames(page);
  session = await createSessionViaStartPage(page, server.http, 'IDO en Taalhuis', 'Fatima');
  // Shown as ABCD-EFGH-JKMN; the harness reads it without spaces.
  assert.match(session.code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'IDO en Taalhuis');
  assert.equal(await page.getByTestId('you-are').textContent(), 'Jij bent de begeleider van deze sessie.');
  // The token never stays in the visible address.
  assert.equal(new URL(page.url()).hash, '');
  await page.getByRole('link', { name: 'Open het scherm' }).waitFor();
  // On the wire: hello first, then the y-websocket opening; five clock probes answered.
  assert.deepEqual(controlJson(frames.sent[0]), { id: 1, type: 'hello', version: 1 });
  assert.equal(frames.sent[1][0], 0, 'sync step 1 follows');
  const count = (list, type) => list.map(controlJson).filter((m) => m?.type === type).length;
  await waitUntil(() => count(frames.sent, 'ping') >= 5 && count(frames.received, 'pong') >= 5);
  assert.equal(count(frames.received, 'welcome'), 1);
  await screenshot(page, 'facilitator-1280');
  await page.setViewportSize(PHONE);
  await screenshot(page, 'facilitator-360');
  await page.setViewportSize(WIDE);
  assert.deepEqual(facilitator.errors, []);
});

test('a participant joins by code in a second context; both see each other', async () => {
  participant = await newPerson(browser, PHONE);
  const { page } = participant;
  await page.goto(`${server.http}/`);
  // Forgiving: lower case, a space and a dash.
  const typed = `${session.code.slice(0, 3).toLowerCase()} -${session.code.slice(3).toLowerCase()}`;
  await page.getByLabel('Code van de sessie').fill(typed);
  await page.getByLabel('Je naam', { exact: true }).fill('Anna');
  await page.getByRole('button', { name: 'Meedoen' }).click();
  await page.waitForURL(`${server.http}/s/${session.id}`);
  await page.getByTestId('you-are').getByText('Je doet mee als Anna.').waitFor();
  // The title comes from the server's session event, for every role.
  await page.getByRole('heading', { level: 1, name: 'IDO en Taalhuis' }).waitFor();
  const people = (p) => p.getByRole('region', { name: 'Wie is er?' });
  await people(page).getByText('Fatima', { exact: true }).waitFor();
  // On the facilitator's page the list is a folded panel.
  await (await openPanel(facilitator.page, 'Wie is er?')).getByText('Anna', { exact: true }).waitFor();
  await screenshot(page, 'participant-360');
  assert.deepEqual(participant.errors, []);
});

test('both type in the notes field and both see the merged text', async () => {
  await toSharedNotes(facilitator.page);
  await notes(participant.page).waitFor();
  const a = notes(facilitator.page);
  const b = notes(participant.page);
  await a.click();
  await b.click();
  // Each sees that the other is in the field.
  await facilitator.page.locator('[data-field="notes/gespreksnotities"] ~ .shared-text__presence').getByText('Anna').waitFor();
  await participant.page.locator('[data-field="notes/gespreksnotities"] ~ .shared-text__presence').getByText('Fatima').waitFor();
  await Promise.all([
    a.pressSequentially('Kansen: samen met het Taalhuis. ', { delay: 15 }),
    b.pressSequentially('Uitdaging: tijd. ', { delay: 15 }),
  ]);
  const merged = (page) =>
    waitInPage(
      page,
      () => {
        const v = document.querySelector('[data-testid="notes-gespreksnotities"]')?.value ?? '';
        return v.includes('Kansen: samen met het Taalhuis. ') && v.includes('Uitdaging: tijd. ');
      },
      undefined,
    );
  try {
    await Promise.all([merged(facilitator.page), merged(participant.page)]);
  } catch (err) {
    // Say what each side has: a bare timeout tells nothing.
    err.message += `\nfacilitator: ${JSON.stringify(await a.inputValue())}\nparticipant: ${JSON.stringify(await b.inputValue())}`;
    throw err;
  }
  const [va, vb] = [await a.inputValue(), await b.inputValue()];
  assert.equal(va, vb);
  // An edit in the middle keeps both sides equal and the other's cursor where it was.
  await b.press('Control+End');
  await b.pressSequentially('Actie: bellen.', { delay: 10 });
  await waitInPage(facilitator.page, () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value.endsWith('Actie: bellen.'));
  assert.equal(await a.inputValue(), await b.inputValue());
  await screenshot(facilitator.page, 'notes-merged-1280');
  await screenshot(participant.page, 'notes-merged-360');
});

test('a hostile name is shown as text and runs nothing', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const joined = await postJson(server.http, '/api/join', { code: session.code, name: hostile });
  const intruder = await newPerson(browser, WIDE);
  await intruder.page.goto(`${server.http}/s/${joined.session_id}#token=${joined.participant_token}`);
  await intruder.page.getByTestId('you-are').waitFor();
  // Shown as the literal text, in the list of the facilitator and on its own page.
  const people = await openPanel(facilitator.page, 'Wie is er?');
  await people.getByText(hostile, { exact: true }).waitFor();
  assert.match(await intruder.page.getByTestId('you-are').textContent(), /<img src=x onerror=alert\(1\)>/);
  for (const page of [facilitator.page, intruder.page, participant.page]) {
    assert.equal(await page.locator('img[src="x"]').count(), 0);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(facilitator.dialogs, []);
  assert.deepEqual(intruder.dialogs, []);
  assert.deepEqual(participant.dialogs, []);
  await screenshot(facilitator.page, 'hostile-name-1280');
  await intruder.context.close();
});

test('the offline banner appears when the network goes and leaves when it is back', async () => {
  const { page, context } = participant;
  const banner = page.getByTestId('connection-banner');
  assert.equal(await banner.count(), 0);
  await context.setOffline(true);
  await banner.getByText('Je bent offline. Wat je typt, blijft bewaard.').waitFor();
  // Screen readers hear it once, politely.
  const live = page.locator('#live-region[aria-live="polite"]');
  await live.getByText('Je bent offline. Wat je typt, blijft bewaard.').waitFor({ state: 'attached' });
  // Typing offline is kept and merges when the connection is back.
  const b = notes(page);
  await b.press('Control+End');
  await b.pressSequentially(' Offline getypt.', { delay: 10 });
  await screenshot(page, 'offline-banner-360');
  await context.setOffline(false);
  await banner.waitFor({ state: 'detached', timeout: 15_000 });
  await live.getByText('Je bent weer verbonden.').waitFor({ state: 'attached' });
  await waitInPage(facilitator.page, () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value.includes('Offline getypt.'), undefined, 15_000);
  assert.equal(await notes(facilitator.page).inputValue(), await b.inputValue());
  await screenshot(page, 'back-online-360');
});

test('typing offline survives the tab being closed, and arrives when back online', async () => {
  const { context } = participant;
  await context.setOffline(true);
  const b = notes(participant.page);
  await b.press('Control+End');
  await b.pressSequentially(' Bewaard op de telefoon.', { delay: 10 });
  // The local copy is written within half a second of typing.
  await new Promise((r) => setTimeout(r, 800));
  await participant.page.close();
  await context.setOffline(false);
  const page = await context.newPage();
  page.on('pageerror', (err) => participant.errors.push(String(err)));
  participant.page = page;
  await page.goto(`${server.http}/s/${session.id}`);
  await page.getByTestId('you-are').getByText('Je doet mee als Anna.').waitFor();
  await waitInPage(facilitator.page, () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value.includes('Bewaard op de telefoon.'), undefined, 15_000);
  await waitInPage(page, () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value.includes('Bewaard op de telefoon.'));
  assert.equal(await notes(facilitator.page).inputValue(), await notes(page).inputValue());
  assert.deepEqual(participant.errors, []);
});

test('the same participant comes back after a reload', async () => {
  const { page } = participant;
  await page.reload();
  await page.getByTestId('you-are').getByText('Je doet mee als Anna.').waitFor();
  await waitInPage(page, () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value.includes('Offline getypt.'));
  const people = await openPanel(facilitator.page, 'Wie is er?');
  // Still one Anna: the reload is the same person, not a new one.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await people.getByText('Anna', { exact: true }).count(), 1);
  await screenshot(page, 'reloaded-360');
});
