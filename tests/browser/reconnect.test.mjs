// The connection's promises: it comes back by itself after the server went away (a restart),
// what was typed meanwhile merges, and a link that can never work says so and stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PHONE,
  SHARED_NOTES,
  WIDE,
  createSessionViaStartPage,
  launchBrowser,
  newPerson,
  postJson,
  screenshot,
  startWebServer,
  toSharedNotes,
  waitInPage,
} from './harness.mjs';

let browser;
const dataDir = mkdtempSync(path.join(tmpdir(), 'werkplaats-browser-'));

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('after a server restart the page reconnects by itself and offline typing merges', async () => {
  let server = await startWebServer({ dataDir });
  try {
    const facilitator = await newPerson(browser, WIDE);
    const { page } = facilitator;
    await createSessionViaStartPage(page, server.http, 'Herstart');
    await toSharedNotes(page);
    const notes = page.getByTestId(SHARED_NOTES);
    await notes.click();
    await notes.pressSequentially('Voor de herstart. ', { delay: 5 });
    // Let the server store it (group commit) before it goes.
    await new Promise((r) => setTimeout(r, 500));
    const addr = server.addr;
    await server.stop();
    // The socket is gone: the banner comes (after the short grace period), typing goes on.
    await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    await notes.press('Control+End');
    await notes.pressSequentially('Tijdens de herstart.', { delay: 5 });
    await screenshot(page, 'server-gone-1280');
    server = await startWebServer({ dataDir, bind: addr });
    // Backoff is capped at 10 s; give it that and a little.
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 20_000 });
    // A second person who arrives now sees both parts: the offline part reached the server.
    const other = await newPerson(browser, PHONE);
    const link = `${server.http}/s/${new URL(page.url()).pathname.split('/')[2]}`;
    await other.page.goto(`${server.http}/`);
    const code = (await page.getByTestId('join-code').textContent()).replace(/\s/g, '');
    await other.page.getByLabel('Code van de sessie').fill(code);
    await other.page.getByLabel('Je naam', { exact: true }).fill('Sam');
    await other.page.getByRole('button', { name: 'Meedoen' }).click();
    await other.page.waitForURL(link);
    await waitInPage(
      other.page,
      () => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value === 'Voor de herstart. Tijdens de herstart.',
      undefined,
      15_000,
    );
    assert.deepEqual(facilitator.errors, []);
    await other.context.close();
    await facilitator.context.close();
  } finally {
    await server.stop();
  }
});

const notesField = (page) => page.getByTestId(SHARED_NOTES);

test('a server killed with SIGKILL loses nothing that anyone had seen', async () => {
  let server = await startWebServer({ dataDir });
  try {
    const facilitator = await newPerson(browser, WIDE);
    const { code } = await createSessionViaStartPage(facilitator.page, server.http, 'Stroomstoring', 'Karin');
    await toSharedNotes(facilitator.page);
    const participant = await newPerson(browser, PHONE);
    await joinWithCode(participant.page, server.http, code, 'Sam');
    const valueIs = (page, text) =>
      waitInPage(page, (t) => document.querySelector('[data-testid="notes-gespreksnotities"]')?.value === t, text, 20_000);

    // Each types; each sees the other's words. Seen means stored: nothing reaches another
    // client before the store has committed it.
    await notesField(facilitator.page).click();
    await notesField(facilitator.page).pressSequentially('Een bieb vol mensen. ', { delay: 5 });
    await valueIs(participant.page, 'Een bieb vol mensen. ');
    await notesField(participant.page).click();
    await notesField(participant.page).press('Control+End');
    await notesField(participant.page).pressSequentially('Met koffie.', { delay: 5 });
    const seen = 'Een bieb vol mensen. Met koffie.';
    await valueIs(facilitator.page, seen);
    const idea = participant.page.getByLabel('Jouw idee (in de chat)');
    await idea.fill('Een leesclub voor nieuwkomers');
    await idea.press('Enter');
    await facilitator.page.getByTestId('idea').getByText('Een leesclub voor nieuwkomers').waitFor();

    // No grace period: the process dies the moment the last word was seen.
    const addr = server.addr;
    await server.kill();
    server = await startWebServer({ dataDir, bind: addr });

    // Someone who arrives after the restart gets everything, once.
    const late = await newPerson(browser, PHONE);
    await joinWithCode(late.page, server.http, code, 'Lotte');
    await valueIs(late.page, seen);
    await late.page.getByTestId('idea').getByText('Een leesclub voor nieuwkomers').waitFor();
    // Both pages come back by themselves and hold the same text, nothing doubled.
    for (const person of [facilitator, participant]) {
      await person.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 20_000 });
      await valueIs(person.page, seen);
    }
    // The participant's page resends what it had not seen confirmed; the board keeps one.
    await new Promise((r) => setTimeout(r, 500));
    for (const person of [facilitator, participant, late]) {
      assert.equal(await person.page.getByTestId('idea').count(), 1, 'one post-it');
    }
    await screenshot(late.page, 'after-sigkill-360');
    assert.deepEqual(facilitator.errors, []);
    assert.deepEqual(participant.errors, []);
    for (const person of [facilitator, participant, late]) await person.context.close();
  } finally {
    await server.stop();
  }
});

async function joinWithCode(page, base, code, name) {
  await page.goto(`${base}/`);
  await page.getByLabel('Code van de sessie').fill(code);
  await page.getByLabel('Je naam', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Meedoen' }).click();
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await notesField(page).waitFor();
}

test('a wrong token or an unknown session shows a clear message and does not retry', async () => {
  const server = await startWebServer();
  try {
    const created = await postJson(server.http, '/api/sessions', { title: 'Echt' });
    const { page, context } = await newPerson(browser, PHONE);
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(`${server.http}/s/${created.id}#token=wrong`);
    await page.getByRole('heading', { name: 'Deze link werkt niet meer' }).waitFor();
    await page.getByRole('link', { name: 'Naar de startpagina' }).waitFor();
    // No reconnect loop.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(sockets, 1);
    await screenshot(page, 'stopped-360');

    await page.goto(`${server.http}/s/AAAAAAAAAAAAAAAAAAAAAA#token=whatever`);
    await page.getByRole('heading', { name: 'Deze sessie bestaat niet' }).waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(sockets, 2);
    // Neither seat is offered again on the start page.
    await page.goto(`${server.http}/`);
    assert.equal(await page.getByRole('region', { name: 'Verder waar je was' }).count(), 0);
    await context.close();
  } finally {
    await server.stop();
  }
});
