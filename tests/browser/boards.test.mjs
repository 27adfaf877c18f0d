// A board per carousel round (issue 13): two rounds with three participants (one on a phone),
// the facilitator and the projector. Round 2 starts empty on every screen, each round has its
// own votes, the facilitator can look back at round 1, and the export keeps each round's
// post-its in its round. Round 1's topic is picked from what was written in phase 3's format.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WIDE, launchBrowser, newPerson, postJson, screenshot, startWebServer, postIt, PHONE_390, joinAs as joinPage } from './harness.mjs';

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

async function vote(page, text) {
  const card = page.getByTestId('idea').filter({ hasText: text });
  await card.getByRole('button', { name: /^Stem/ }).click();
  await card.locator('button[aria-pressed="true"]').waitFor();
}

test('two carousel rounds: each round is its own board on every screen and in the export', async () => {
  const session = await postJson(server.http, '/api/sessions', { title: 'Rondes', facilitator_name: 'Fatima' });
  const fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  const anna = await joinAs(session, 'Anna', PHONE_390);
  const bram = await joinAs(session, 'Bram', WIDE);
  const cem = await joinAs(session, 'Cem', PHONE_390);
  const display = await newPerson(browser, { width: 1920, height: 1080 });
  await display.page.goto(`${server.http}/s/${session.id}/display#token=${session.display_token}`);
  await display.page.getByRole('heading', { level: 1, name: 'Rondes' }).waitFor();
  const people = [anna, bram, cem];

  // Phase 3: Anna writes an opportunity in the connection format; it becomes round 1's topic.
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 2 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  await anna.page.getByLabel('Kansen', { exact: true }).fill('Samen met het Taalhuis');
  await fatima.page.waitForFunction(() =>
    [...document.querySelectorAll('textarea')].some((t) => t.value === 'Samen met het Taalhuis'),
  );
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 3 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  await fatima.page.getByTestId('topic-suggestions').selectOption({ label: 'Kansen: Samen met het Taalhuis' });
  assert.equal(await fatima.page.getByLabel('Kans of uitdaging').inputValue(), 'Samen met het Taalhuis');
  for (const [topic, owner] of [
    ['Samen met het Taalhuis', 'Anna'],
    ['Meer bezoekers', 'Cem'],
  ]) {
    await fatima.page.getByLabel('Kans of uitdaging').fill(topic);
    await fatima.page.getByLabel('Eigenaar', { exact: true }).selectOption({ label: owner });
    await fatima.page.getByRole('button', { name: 'Ronde toevoegen', exact: true }).click();
    await fatima.page.getByTestId('rounds').getByText(topic).waitFor();
  }

  // Round 1.
  await fatima.page.getByRole('button', { name: 'Ronde 1 starten' }).click();
  for (const person of [...people, fatima]) {
    await person.page.getByTestId('board-name').getByText('Ronde 1: Samen met het Taalhuis').waitFor();
  }
  await postIt(anna.page, 'Koffie-ochtend');
  await postIt(bram.page, 'Flyers in de wijk');
  await postIt(cem.page, 'Samen een spreekuur');
  for (const person of people) await person.page.getByTestId('idea').nth(2).waitFor();
  await vote(bram.page, 'Koffie-ochtend');
  await vote(cem.page, 'Koffie-ochtend');
  await vote(anna.page, 'Samen een spreekuur');
  await display.page.getByTestId('wall').getByText('Koffie-ochtend').waitFor();
  await screenshot(anna.page, 'boards-round1-phone-390');

  // Round 2 starts empty on the phone, on the projector and for everyone else.
  await fatima.page.getByRole('button', { name: 'Ronde 2 nu starten' }).click();
  for (const person of [...people, fatima]) {
    await person.page.getByTestId('board-name').getByText('Ronde 2: Meer bezoekers').waitFor();
    assert.equal(await person.page.getByTestId('idea').count(), 0, 'round 2 starts empty');
  }
  await display.page.getByText('Nog geen post-its').waitFor();
  assert.equal(await display.page.getByTestId('wall').count(), 0);
  await anna.page.getByTestId('votes-left').getByText('je hebt nog 3 stemmen').waitFor();
  await screenshot(anna.page, 'boards-round2-empty-phone-390');

  await postIt(cem.page, 'Bibliotheekbus');
  await postIt(anna.page, 'Voorlezen op het plein');
  await vote(anna.page, 'Bibliotheekbus');
  await vote(bram.page, 'Bibliotheekbus');
  for (const person of people) {
    await person.page.getByTestId('idea').nth(1).waitFor();
    assert.equal(await person.page.getByTestId('idea').count(), 2);
  }
  await display.page.getByTestId('wall').getByText('Bibliotheekbus').waitFor();
  assert.equal(await display.page.getByTestId('wall').getByText('Koffie-ochtend').count(), 0);

  // The facilitator looks back at round 1; participants stay on round 2.
  await fatima.page.getByTestId('board-pick').selectOption({ label: 'Ronde 1: Samen met het Taalhuis' });
  await fatima.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByText('2 stemmen').waitFor();
  assert.equal(await fatima.page.getByTestId('idea').count(), 3);
  await fatima.page.getByRole('button', { name: 'Naar het bord van nu' }).click();
  await fatima.page.getByTestId('board-name').getByText('Ronde 2: Meer bezoekers').waitFor();

  // The export: every round with its own post-its and votes.
  const res = await fetch(`${server.http}/api/sessions/${session.id}/export?format=json`, {
    headers: { authorization: `Bearer ${session.facilitator_token}` },
  });
  const results = await res.json();
  const texts = (round) => round.board.ungrouped.map((i) => `${i.text}:${i.votes}`);
  assert.deepEqual(
    results.carousel.map((r) => r.topic),
    ['Samen met het Taalhuis', 'Meer bezoekers'],
  );
  assert.deepEqual(texts(results.carousel[0]), ['Koffie-ochtend:2', 'Samen een spreekuur:1', 'Flyers in de wijk:0']);
  assert.deepEqual(texts(results.carousel[1]), ['Bibliotheekbus:2', 'Voorlezen op het plein:0']);
  for (const person of [...people, fatima, display]) assert.deepEqual(person.errors, []);
});
