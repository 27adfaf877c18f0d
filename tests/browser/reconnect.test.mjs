// The connection's promises: it comes back by itself after the server went away (a restart),
// what was typed meanwhile merges, and a link that can never work says so and stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PHONE,
  WIDE,
  createSessionViaStartPage,
  launchBrowser,
  newPerson,
  postJson,
  screenshot,
  startWebServer,
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
    const notes = page.getByTestId('notes-beelden');
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
      () => document.querySelector('textarea')?.value === 'Voor de herstart. Tijdens de herstart.',
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
