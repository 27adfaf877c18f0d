// The phone and the participant (issue 14): the board "in de chat" on phones (390x844 and
// 320 px), the carousel's clock that stays in view, the soft signal at the end of a stage,
// and "Ik ben klaar" counted for the facilitator and reset on the next stage.
//
// The server runs with short template minutes (--minute-ms 2000: the carousel's first stage
// lasts 4 s, the second 6 s), so a stage also ends by itself within the test; the parts
// that must not race the clock run while the facilitator has paused it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  PHONE_390,
  WIDE,
  axeViolations,
  joinAs as joinPage,
  launchBrowser,
  newPerson,
  postIt,
  postJson,
  screenshot,
  screenshotDir,
  startWebServer,
  waitInPage,
} from './harness.mjs';

const NARROW = { width: 320, height: 640 };

let server;
let browser;

before(async () => {
  server = await startWebServer({ args: ['--minute-ms', '2000'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function joinAs(session, name, viewport) {
  return joinPage(server, browser, session, name, viewport);
}

function assertNoViolations(violations, page) {
  assert.deepEqual(violations, [], `axe violations on ${page}:\n${JSON.stringify(violations, null, 2)}`);
}

/** The chat's post-it texts, top to bottom. */
function chatTexts(page) {
  return page.getByTestId('chat-list').locator('.idea__text').allTextContents();
}

async function openFacilitator(session, viewport = WIDE) {
  const fatima = await newPerson(browser, viewport);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  return fatima;
}

test('on a phone the board is a chat: own post-its marked, newest at the bottom, nobody yanked down', async () => {
  const session = await postJson(server.http, '/api/sessions', { title: 'Chat', facilitator_name: 'Fatima' });
  const fatima = await openFacilitator(session);
  const anna = await joinAs(session, 'Anna', PHONE_390);
  const bram = await joinAs(session, 'Bram', NARROW);

  // Phones start in the chat; the wide screen keeps the wall.
  for (const person of [anna, bram]) {
    assert.equal(await person.page.getByTestId('board-view-chat').getAttribute('aria-pressed'), 'true');
    await person.page.getByTestId('chat').waitFor();
  }
  assert.equal(await fatima.page.getByTestId('board-view-wall').getAttribute('aria-pressed'), 'true');
  assert.equal(await fatima.page.getByTestId('chat').count(), 0);

  await postIt(anna.page, 'Koffie-ochtend');
  await postIt(bram.page, 'Spreekuur in de wijk');
  await anna.page.getByTestId('chat-list').getByText('Spreekuur in de wijk').waitFor();
  assert.deepEqual(await chatTexts(anna.page), ['Koffie-ochtend', 'Spreekuur in de wijk']);
  // Anna's own post-it is marked in words and in its place (on the right); Bram's is not.
  const own = anna.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' });
  assert.equal(await own.getAttribute('data-mine'), 'true');
  await own.getByText('van jou').waitFor();
  const other = anna.page.getByTestId('idea').filter({ hasText: 'Spreekuur' });
  assert.equal(await other.getAttribute('data-mine'), null);
  await other.getByText('van Bram').waitFor();
  const listBox = await anna.page.getByTestId('chat-list').boundingBox();
  const ownBox = await own.boundingBox();
  const otherBox = await other.boundingBox();
  assert.ok(ownBox.x + ownBox.width > otherBox.x + otherBox.width + 10, 'own post-it sits to the right');
  assert.ok(ownBox.x + ownBox.width <= listBox.x + listBox.width + 1);
  // The facilitator's wall has them too: the same board.
  await fatima.page.getByTestId('idea').filter({ hasText: 'Spreekuur in de wijk' }).waitFor();

  // Enough post-its to scroll; the newest stays in view for who is at the bottom.
  for (let i = 1; i <= 8; i++) await postIt(anna.page, `Idee nummer ${i} van Anna`);
  const atBottom = (page) =>
    page.getByTestId('chat-list').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 40);
  await bram.page.getByTestId('chat-list').getByText('Idee nummer 8 van Anna').waitFor();
  await waitInPage(bram.page, () => {
    const el = document.querySelector('[data-testid="chat-list"]');
    return el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight <= 40;
  });
  assert.equal((await chatTexts(bram.page)).at(-1), 'Idee nummer 8 van Anna');
  await screenshot(bram.page, 'phone-chat-320');

  // Bram reads back: a new post-it does not pull him down, a button offers it.
  await bram.page.getByTestId('chat-list').evaluate((el) => {
    el.scrollTop = 0;
  });
  await postIt(anna.page, 'Nieuw terwijl Bram terugleest');
  await bram.page.getByTestId('chat-new').getByText('1 nieuwe post-it').waitFor();
  assert.equal(await bram.page.getByTestId('chat-list').evaluate((el) => el.scrollTop), 0);
  assert.equal(await atBottom(bram.page), false);
  await bram.page.getByTestId('chat-new').click();
  await waitInPage(bram.page, () => {
    const el = document.querySelector('[data-testid="chat-list"]');
    return el.scrollHeight - el.scrollTop - el.clientHeight <= 40;
  });
  assert.equal(await bram.page.getByTestId('chat-new').count(), 0);
  // Bram's own post-it brings him to the bottom too.
  await bram.page.getByTestId('chat-list').evaluate((el) => {
    el.scrollTop = 0;
  });
  await postIt(bram.page, 'Bram schrijft zelf');
  await waitInPage(bram.page, () => {
    const el = document.querySelector('[data-testid="chat-list"]');
    return el.scrollHeight - el.scrollTop - el.clientHeight <= 40;
  });
  await anna.page.getByTestId('chat-list').getByText('Bram schrijft zelf').waitFor();
  assert.equal(await atBottom(anna.page), true, 'Anna was at the bottom and stays there');
  assertNoViolations(await axeViolations(anna.page), 'chat (390)');
  assertNoViolations(await axeViolations(bram.page), 'chat (320)');
  const width = await bram.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `the chat page is ${width} px wide at 320`);
  await screenshot(anna.page, 'phone-chat-390');

  // Edit and delete (with undo) work in the chat as on the wall.
  // While it is edited its text is in a field, so the card is found by its id.
  const ownCard = anna.page.locator(`[data-idea-id="${await own.getAttribute('data-idea-id')}"]`);
  await ownCard.getByRole('button', { name: 'Bewerken' }).click();
  await ownCard.getByLabel('Nieuwe tekst van je post-it').fill('Koffie-ochtend op zaterdag');
  await ownCard.getByRole('button', { name: 'Opslaan' }).click();
  await bram.page.getByTestId('chat-list').getByText('Koffie-ochtend op zaterdag').waitFor();
  const edited = anna.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend op zaterdag' });
  await edited.getByRole('button', { name: 'Verwijderen' }).click();
  await edited.waitFor({ state: 'detached' });
  await anna.page.getByRole('button', { name: 'Ongedaan maken' }).click();
  await anna.page.getByTestId('chat-list').getByText('Koffie-ochtend op zaterdag').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await bram.page.getByTestId('chat-list').getByText('Koffie-ochtend op zaterdag').count(), 1);
  assert.equal(await other.getByRole('button', { name: 'Verwijderen' }).count(), 0, 'not someone else\'s');

  // "Wand" is remembered on this device.
  await anna.page.getByTestId('board-view-wall').click();
  await anna.page.getByTestId('ideas').waitFor();
  await anna.page.reload();
  await anna.page.getByTestId('ideas').getByText('Spreekuur in de wijk').waitFor();
  assert.equal(await anna.page.getByTestId('board-view-wall').getAttribute('aria-pressed'), 'true');
  assert.equal(await anna.page.getByTestId('chat').count(), 0);

  for (const person of [fatima, anna, bram]) {
    assert.deepEqual(person.errors, []);
    await person.context.close();
  }
});

test('the carousel on a phone: the clock stays in view, the signal comes at the end of a stage, "klaar" is counted and resets', async () => {
  const session = await postJson(server.http, '/api/sessions', { title: 'Carrousel', facilitator_name: 'Fatima' });
  const fatima = await openFacilitator(session);
  const anna = await joinAs(session, 'Anna', PHONE_390);
  const bram = await joinAs(session, 'Bram', NARROW);
  const readyCount = () => fatima.page.getByTestId('phase-controls').getByTestId('ready-count');
  await readyCount().getByText('0 van 2 klaar').waitFor();

  // Bram turns the beep on (the tick itself plays one, so he hears what it is like).
  await bram.page.getByTestId('signal-sound').check();
  await waitInPage(bram.page, () => document.querySelector('[data-testid="end-signal"]').dataset.beeps === '1');
  assert.equal(await anna.page.getByTestId('end-signal').getAttribute('data-beeps'), '0');

  // "Klaar" in a phase: counted for the facilitator, and undone.
  await anna.page.getByTestId('ready-button').click();
  await readyCount().getByText('1 van 2 klaar').waitFor();
  assert.equal(await anna.page.getByTestId('ready-button').getAttribute('aria-pressed'), 'true');
  await anna.page.getByTestId('ready-button').click();
  await readyCount().getByText('0 van 2 klaar').waitFor();

  // The carousel: a round owned by Anna, started and paused at once.
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 3 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  await fatima.page.getByLabel('Kans of uitdaging').fill('Samen met het Taalhuis');
  await fatima.page.getByLabel('Eigenaar', { exact: true }).selectOption({ label: 'Anna' });
  await fatima.page.getByRole('button', { name: 'Ronde toevoegen', exact: true }).click();
  await fatima.page.getByTestId('rounds').getByText('Samen met het Taalhuis').waitFor();
  await fatima.page.getByRole('button', { name: 'Ronde 1 starten' }).click();
  await fatima.page.getByRole('button', { name: 'Pauze' }).click();
  await fatima.page.getByRole('button', { name: 'Verder' }).waitFor();
  for (const person of [anna, bram]) {
    await person.page.getByTestId('phone-clock').getByText('Stap 1/5', { exact: false }).waitFor();
  }
  assert.equal(await fatima.page.getByTestId('phone-clock').isVisible(), false, 'no bar on a wide screen');

  // Scrolled down to the chat, the clock bar is still at the top of the screen, and it does
  // not cover the focused compose box.
  for (const person of [anna, bram]) {
    const input = person.page.getByLabel('Jouw idee (in de chat)');
    await input.focus();
    await input.scrollIntoViewIfNeeded();
    await person.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const bar = await person.page.getByTestId('phone-clock').boundingBox();
    const viewport = person.page.viewportSize();
    assert.ok(bar.y >= 0 && bar.y < 10, `the clock bar is at the top (y = ${bar.y})`);
    assert.ok(bar.height < viewport.height / 5, `the clock bar is compact (${bar.height} px)`);
    assert.match(await person.page.getByTestId('phone-clock-time').textContent(), /^\d:\d\d$/);
    const box = await input.boundingBox();
    assert.ok(box.y >= bar.y + bar.height, 'the compose box is below the clock bar');
    assert.ok(box.y + box.height <= viewport.height, 'the compose box is on the screen');
  }
  await screenshot(anna.page, 'phone-carousel-clock-390');
  await screenshot(bram.page, 'phone-carousel-clock-320');
  // What the phone really shows (the full-page shots above stretch the screen).
  for (const [person, name] of [[anna, 'phone-carousel-clock-390-screen'], [bram, 'phone-carousel-clock-320-screen']]) {
    await person.page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  // Both say "klaar" for this stage; the facilitator sees it; pausing does not reset it.
  for (const person of [anna, bram]) await person.page.getByTestId('ready-button').click();
  await readyCount().getByText('2 van 2 klaar').waitFor();
  await anna.page.getByTestId('ready-count').getByText('2 van 2 klaar').waitFor();
  assertNoViolations(await axeViolations(anna.page), 'carousel with "klaar" (390)');
  assertNoViolations(await axeViolations(fatima.page), 'facilitator with the ready count');
  await screenshot(fatima.page, 'phone-facilitator-ready');

  // The facilitator moves to the next stage: the signal comes, "klaar" resets.
  for (const person of [anna, bram]) assert.equal(await person.page.getByTestId('end-signal').getAttribute('data-signals'), '0');
  await fatima.page.getByRole('button', { name: 'Door naar stap 2' }).click();
  await waitInPage(anna.page, () => document.querySelector('[data-testid="end-signal"]').dataset.signals === '1');
  // The flash lasts a few seconds; read it at once.
  assert.equal(await anna.page.getByTestId('end-signal').getAttribute('data-flashing'), 'true');
  await screenshot(anna.page, 'phone-signal-390');
  for (const person of [anna, bram]) {
    await waitInPage(person.page, () => document.querySelector('[data-testid="end-signal"]').dataset.signals === '1');
    await person.page.getByTestId('phone-clock').getByText('Stap 2/5', { exact: false }).waitFor();
  }
  await readyCount().getByText('0 van 2 klaar').waitFor();
  assert.equal(await anna.page.getByTestId('ready-button').getAttribute('aria-pressed'), 'false');
  // Stage 2 runs (6 s): Bram says "klaar" in it at once.
  await bram.page.getByTestId('ready-button').click();
  await readyCount().getByText('1 van 2 klaar').waitFor();
  // Only Bram turned the beep on.
  assert.equal(await bram.page.getByTestId('end-signal').getAttribute('data-beeps'), '2');
  assert.equal(await anna.page.getByTestId('end-signal').getAttribute('data-beeps'), '0');
  assertNoViolations(await axeViolations(anna.page), 'after the signal (390)');

  // Stage 2 ends by itself: the signal comes again, on the server's clock.
  for (const person of [anna, bram]) {
    await waitInPage(person.page, () => document.querySelector('[data-testid="end-signal"]').dataset.signals === '2', undefined, 20_000);
    await person.page.getByTestId('phone-clock').getByText('Stap 3/5', { exact: false }).waitFor();
  }
  await readyCount().getByText('0 van 2 klaar').waitFor();
  assert.equal(await bram.page.getByTestId('end-signal').getAttribute('data-beeps'), '3');
  await fatima.page.getByRole('button', { name: 'Pauze' }).click();

  for (const person of [fatima, anna, bram]) {
    assert.deepEqual(person.errors, []);
    await person.context.close();
  }
});
