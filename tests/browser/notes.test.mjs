// Personal notes (issue 13, item 4) in real Chromium: after the visualisation each person
// writes their own "Wat heb je beleefd?", nobody else sees it, it is there again after a
// reload, and "Deel op het bord" puts it on everyone's board.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WIDE, launchBrowser, newPerson, postJson, screenshot, startWebServer, PHONE_390, joinAs as joinPage } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function joinAs(session, name, viewport) {
  return joinPage(server, browser, session, name, viewport);
}

test('each participant writes their own note and shares it to the board', async () => {
  const session = await postJson(server.http, '/api/sessions', { title: 'Beelden', facilitator_name: 'Fatima' });
  const anna = await joinAs(session, 'Anna', PHONE_390);
  const bram = await joinAs(session, 'Bram', WIDE);
  const annaNote = anna.page.getByLabel('Jouw aantekeningen');
  const bramNote = bram.page.getByLabel('Jouw aantekeningen');

  await annaNote.fill('Ik zag een volle leestafel.');
  await bramNote.fill('Een bus vol boeken.');
  await anna.page.getByTestId('note-status').getByText('Bewaard.').waitFor();
  await bram.page.getByTestId('note-status').getByText('Bewaard.').waitFor();
  assert.equal(await annaNote.inputValue(), 'Ik zag een volle leestafel.');
  assert.equal(await bramNote.inputValue(), 'Een bus vol boeken.');
  await screenshot(anna.page, 'personal-note-phone-390');

  // Kept by the server: after a reload it is still hers, and still only hers.
  await anna.page.reload();
  await anna.page.getByTestId('you-are').waitFor();
  await anna.page.waitForFunction(() => document.querySelector('textarea')?.value === 'Ik zag een volle leestafel.');
  await bram.page.reload();
  await bram.page.getByTestId('you-are').waitFor();
  await bram.page.waitForFunction(() => document.querySelector('textarea')?.value === 'Een bus vol boeken.');

  // Shared to the board: everyone sees it as Anna's post-it.
  await anna.page.getByRole('button', { name: 'Deel op het bord' }).click();
  await bram.page.getByTestId('idea').filter({ hasText: 'Ik zag een volle leestafel.' }).getByText('van Anna').waitFor();
  assert.equal(await bramNote.inputValue(), 'Een bus vol boeken.');
  for (const person of [anna, bram]) assert.deepEqual(person.errors, []);
});
