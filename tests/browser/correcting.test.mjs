// The right to correct (issue 13, item 3) in real Chromium: deleting one's own post-it with a
// few seconds of "ongedaan maken", editing it, a post-it hidden by the facilitator staying on
// its author's screen (marked), and removing a plan row with undo.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WIDE, launchBrowser, newPerson, postJson, screenshot, startWebServer, waitInPage, postIt, PHONE_390, joinAs as joinPage } from './harness.mjs';

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

test('delete with undo, edit, hidden shown to its author, and a plan row removed with undo', async () => {
  const session = await postJson(server.http, '/api/sessions', { title: 'Corrigeren', facilitator_name: 'Fatima' });
  const fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  const anna = await joinAs(session, 'Anna', PHONE_390);
  const bram = await joinAs(session, 'Bram', WIDE);

  await postIt(anna.page, 'Koffie-ochtend');
  await bram.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).waitFor();
  // Bram may not delete Anna's post-it: he has no button for it.
  assert.equal(await bram.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByTestId('delete-idea').count(), 0);

  // Anna deletes it, then takes it back: nobody else ever saw it go.
  const card = anna.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' });
  await card.getByTestId('delete-idea').click();
  await anna.page.getByTestId('undo-bar').getByText('Post-it verwijderd.').waitFor();
  assert.equal(await anna.page.getByTestId('idea').count(), 0);
  await screenshot(anna.page, 'correcting-undo-phone-390');
  await anna.page.getByRole('button', { name: 'Ongedaan maken' }).click();
  await card.waitFor();
  await new Promise((r) => setTimeout(r, 7000));
  await bram.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).waitFor();

  // She edits it: everyone sees the new text.
  await card.getByRole('button', { name: 'Bewerken' }).click();
  await anna.page.getByLabel('Nieuwe tekst van je post-it').fill('Koffie-ochtend met het Taalhuis');
  await anna.page.getByRole('button', { name: 'Opslaan' }).click();
  await bram.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend met het Taalhuis' }).waitFor();

  // The facilitator hides it: gone for Bram, still there for Anna, marked.
  await fatima.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByRole('button', { name: 'Verbergen' }).click();
  await waitInPage(bram.page, () => document.querySelectorAll('[data-testid="idea"]').length === 0);
  await anna.page.getByTestId('idea').getByText('verborgen door de begeleider').waitFor();

  // Deleted for good once the undo time is over: gone on Bram's and the facilitator's screens.
  await anna.page.getByTestId('idea').getByTestId('delete-idea').click();
  await waitInPage(fatima.page, () => document.querySelectorAll('[data-testid="idea"]').length === 0, undefined, 15_000);
  await anna.page.reload();
  await anna.page.getByTestId('you-are').waitFor();
  assert.equal(await anna.page.getByTestId('idea').count(), 0);

  // A row of the communication plan: removed after the undo time, for everyone.
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 5 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  await bram.page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await bram.page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await bram.page.getByLabel("Welke groep collega's? (Regel 1)").fill('De publieksdienst');
  await bram.page.getByLabel("Welke groep collega's? (Regel 2)").fill('Het MT');
  await waitInPage(anna.page, () => [...document.querySelectorAll('textarea')].some((t) => t.value === 'Het MT'));
  await bram.page.getByRole('button', { name: 'Regel verwijderen (Regel 1)' }).click();
  await bram.page.getByRole('button', { name: 'Ongedaan maken' }).click();
  await bram.page.getByLabel("Welke groep collega's? (Regel 1)").waitFor();
  await bram.page.getByRole('button', { name: 'Regel verwijderen (Regel 1)' }).click();
  await waitInPage(
    anna.page,
    () => ![...document.querySelectorAll('textarea')].some((t) => t.value === 'De publieksdienst'),
    undefined,
    15_000,
  );
  assert.equal(await anna.page.getByLabel("Welke groep collega's? (Regel 1)").inputValue(), 'Het MT');
  for (const person of [anna, bram, fatima]) assert.deepEqual(person.errors, []);
});
