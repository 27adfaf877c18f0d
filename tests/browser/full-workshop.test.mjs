// One whole workshop as a library room runs it: the facilitator on a laptop, four participants
// (two on phones, two on laptops), the projector at 1920x1080 and a question-asker, through all
// six phases with two carousel rounds, everything by the buttons people press. Screenshots of
// the projector in every phase and of a phone in the carousel go to screenshots/full-*.png.
// A template minute is 200 ms here, so a carousel round (15 minutes) takes 3 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE_390,
  WIDE,
  axeViolations,
  joinAs,
  launchBrowser,
  newPerson,
  overflowReport,
  postIt,
  postJson,
  screenshot,
  startWebServer,
  waitInPage,
} from './harness.mjs';

const MINUTE_MS = 200;
const FULL_HD = { width: 1920, height: 1080 };
const LAPTOP = { width: 1366, height: 768 };

let server;
let browser;
let session;
let fatima;
let display;
/** Anna and Chris on phones, Bram (also the question-asker) and Dewi on laptops. */
let anna;
let bram;
let chris;
let dewi;
let everyone;

before(async () => {
  server = await startWebServer({ args: ['--minute-ms', String(MINUTE_MS)] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertNoViolations(violations, view) {
  assert.deepEqual(violations, [], `axe violations on ${view}:\n${JSON.stringify(violations, null, 2)}`);
}

async function waitForPhase(page, id) {
  await page.locator(`[data-testid="phase"][data-phase-id="${id}"]`).waitFor();
}

/** The projector never scrolls and nothing of its view sticks out of the window. */
async function assertProjectorFits(where) {
  const report = await overflowReport(display.page, '.display-view, [data-testid="wall-item"]');
  assert.ok(report.scrollWidth <= report.width, `${where}: the projector scrolls sideways (${JSON.stringify(report)})`);
  assert.ok(report.scrollHeight <= report.height, `${where}: the projector scrolls down (${JSON.stringify(report)})`);
  assert.deepEqual(report.outside, [], `${where}: cut off on the projector`);
}

async function projectorShot(name) {
  await display.page.locator('[data-testid="wall"][data-measuring]').waitFor({ state: 'detached' });
  await assertProjectorFits(name);
  assertNoViolations(await axeViolations(display.page), `projector ${name}`);
  await screenshot(display.page, `full-projector-${name}`);
}

async function nextPhase(id) {
  await fatima.page.getByRole('button', { name: 'Volgende fase' }).click();
  for (const person of everyone) await waitForPhase(person.page, id);
}

test('a whole workshop: six phases, two carousel rounds, four participants, the projector and an asker', async () => {
  fatima = await newPerson(browser, WIDE);
  session = await postJson(server.http, '/api/sessions', { title: 'Werkplaats Leiden', facilitator_name: 'Fatima' });
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  display = await newPerson(browser, FULL_HD);
  await display.page.goto(`${server.http}/s/${session.id}/display#token=${session.display_token}`);
  await display.page.getByTestId('display-intro').waitFor();
  anna = await joinAs(server, browser, session, 'Anna', PHONE_390);
  bram = await joinAs(server, browser, session, 'Bram', WIDE);
  chris = await joinAs(server, browser, session, 'Chris', PHONE_390);
  dewi = await joinAs(server, browser, session, 'Dewi', LAPTOP);
  everyone = [anna, bram, chris, dewi];
  await fatima.page.getByTestId('ready-count').getByText('0 van 4 klaar').waitFor();
  await projectorShot('1-intro');

  // Phase 1: Bram reads the questions on the asker's screen; the projector shows the question
  // large and then the silence.
  const vis = fatima.page.getByTestId('visualisation');
  await vis.getByLabel('Wie leest de vragen voor?').selectOption({ label: 'Bram' });
  await vis.getByRole('button', { name: 'Vragen starten' }).click();
  await display.page.getByTestId('display-question').getByText('vijf jaar', { exact: false }).waitFor();
  await bram.page.getByRole('link', { name: 'Open het voorleesscherm' }).click();
  await bram.page.getByTestId('asker-question').waitFor();
  await bram.page.getByRole('button', { name: 'Klaar met lezen' }).click();
  await display.page.getByTestId('silence').getByText('Het is even stil.', { exact: false }).waitFor();
  await projectorShot('1-silence');
  await screenshot(bram.page, 'full-asker-1280');
  await fatima.page.getByRole('button', { name: 'Vragen stoppen' }).click();
  await bram.page.goBack();
  await bram.page.getByTestId('phase').waitFor();
  // Everyone says "klaar" with the write-up; the facilitator sees it, the next phase resets it.
  for (const person of everyone) await person.page.getByTestId('ready-button').click();
  await fatima.page.getByTestId('ready-count').getByText('4 van 4 klaar').waitFor();

  // Phase 2: the programme overview fills up on the projector while Dewi and Chris type.
  await nextPhase('inzicht');
  await fatima.page.getByTestId('ready-count').getByText('0 van 4 klaar').waitFor();
  for (const [n, person, name] of [
    [1, dewi, 'Taalcafé'],
    [2, chris, 'Klik & Tik'],
  ]) {
    const list = person.page.getByTestId('list-programmas');
    if (n > 1) await list.getByLabel(`Programma of activiteit (Regel ${n - 1})`).waitFor();
    await list.getByRole('button', { name: 'Regel toevoegen' }).click();
    await list.getByLabel(`Programma of activiteit (Regel ${n})`).fill(name);
    await display.page.getByTestId('display-lists').getByRole('cell', { name }).waitFor();
  }
  await projectorShot('2-lists');

  // Phase 3: two people fill one connection format; the projector shows the fields live.
  await nextPhase('verbindingen');
  await bram.page.getByLabel('Naam van het programma').fill('Taalhuis');
  await anna.page.getByLabel('Kansen', { exact: true }).fill('Samen een spreekuur in de wijk');
  const format = display.page.getByTestId('display-format');
  await format.getByRole('heading', { name: 'Taalhuis' }).waitFor();
  await format.getByText('Samen een spreekuur in de wijk').waitFor();
  await projectorShot('3-format');

  // Phase 4: the carousel, two rounds with their own owners and their own post-its.
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 3 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  for (const person of everyone) await waitForPhase(person.page, 'uitvoeren');
  for (const [topic, owner] of [
    ['Spreekuur in de wijk', 'Anna'],
    ['De bibliotheekbus', 'Chris'],
  ]) {
    await fatima.page.getByLabel('Kans of uitdaging').fill(topic);
    await fatima.page.getByLabel('Eigenaar', { exact: true }).selectOption({ label: owner });
    await fatima.page.getByRole('button', { name: 'Ronde toevoegen', exact: true }).click();
    await fatima.page.getByTestId('rounds').getByText(topic).waitFor();
  }
  const roundOne = ['Vrijwilligers van het Taalhuis erbij', 'Koffie en een vaste tafel', 'Flyers bij de huisarts'];
  const roundTwo = ['Een stop bij het wijkcentrum', 'Tablets mee in de bus'];
  await fatima.page.getByRole('button', { name: 'Ronde 1 starten' }).click();
  await display.page.getByTestId('display-topic').getByText('Spreekuur in de wijk', { exact: false }).waitFor();
  await anna.page.getByTestId('phone-clock').getByText('Stap 1/5', { exact: false }).waitFor();
  // Pause at once, so the ideas of round 1 go in while the clock stands still.
  await fatima.page.getByRole('button', { name: 'Pauze' }).click();
  await display.page.getByTestId('display-paused').getByText('Gepauzeerd').waitFor();
  await projectorShot('4-paused');
  for (const [person, text] of [
    [bram, roundOne[0]],
    [chris, roundOne[1]],
    [dewi, roundOne[2]],
  ]) {
    await postIt(person.page, text);
  }
  for (const text of roundOne) await display.page.getByTestId('wall').getByText(text).waitFor();
  await chris.page.getByTestId('ready-button').click();
  await dewi.page.getByTestId('ready-button').click();
  await display.page.getByTestId('ready-count').getByText('2 van 4 klaar').waitFor();
  await screenshot(chris.page, 'full-phone-carousel-390');
  await projectorShot('4-round1');
  await fatima.page.getByRole('button', { name: 'Verder' }).click();
  // The server runs the stages; the round ends by itself and Anna writes her afspraak.
  await anna.page.getByTestId('carousel-stage').getByText('Deze ronde is klaar.').waitFor({ timeout: 15_000 });
  await fatima.page.getByTestId('ready-count').getByText('0 van 4 klaar').waitFor();

  // Round 2: Chris owns it; the projector shows this round's post-its only.
  await fatima.page.getByRole('button', { name: 'Ronde 2 starten' }).click();
  await display.page.getByTestId('display-topic').getByText('De bibliotheekbus', { exact: false }).waitFor();
  await fatima.page.getByRole('button', { name: 'Pauze' }).click();
  await postIt(anna.page, roundTwo[0]);
  await postIt(bram.page, roundTwo[1]);
  for (const text of roundTwo) await display.page.getByTestId('wall').getByText(text).waitFor();
  for (const text of roundOne) {
    assert.equal(await display.page.getByTestId('wall').getByText(text).count(), 0, `round 1's "${text}" is not on round 2's wall`);
  }
  await projectorShot('4-round2');
  await fatima.page.getByRole('button', { name: 'Verder' }).click();
  await chris.page.getByTestId('carousel-stage').getByText('Deze ronde is klaar.').waitFor({ timeout: 15_000 });
  const form = chris.page.getByTestId('next-step-form');
  await form.getByLabel('Wat ga je doen?').fill('Met de buschauffeur een route maken');
  await form.getByRole('button', { name: 'Afspraak bewaren' }).click();
  await fatima.page.getByTestId('rounds').getByText('Met de buschauffeur een route maken', { exact: false }).waitFor();

  // Phase 5: the conversation guide; the asked question is ticked on the projector.
  await nextPhase('borging');
  await dewi.page.getByLabel('Wat is digitale inclusie voor jou?').check();
  await display.page.locator('.display-guide__item--asked').first().waitFor();
  await projectorShot('5-guide');

  // Phase 6: the communication plan table fills up.
  await nextPhase('delen');
  await bram.page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await bram.page.getByLabel("Welke groep collega's? (Regel 1)").fill('De publieksdienst');
  await display.page.getByTestId('display-plan').getByRole('cell', { name: 'De publieksdienst' }).waitFor();
  await projectorShot('6-plan');

  // The results in workshop order, as the print page has them.
  const print = await fatima.context.newPage();
  await print.goto(`${server.http}/s/${session.id}/print/results#token=${session.facilitator_token}`);
  for (const text of ['Taalhuis', roundOne[0], roundTwo[0], 'Met de buschauffeur een route maken', 'De publieksdienst']) {
    await print.getByText(text, { exact: false }).first().waitFor();
  }
  const order = await print.evaluate(
    (texts) => texts.map((t) => document.body.textContent.indexOf(t)),
    ['Taalcafé', 'Samen een spreekuur in de wijk', roundOne[0], roundTwo[0], 'De publieksdienst'],
  );
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), `results in workshop order: ${order}`);
  await screenshot(print, 'full-print-results');
  await print.close();

  for (const person of [fatima, display, ...everyone]) assert.deepEqual(person.errors, []);
});
