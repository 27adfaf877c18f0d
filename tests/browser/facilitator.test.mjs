// The facilitator's page and the keyboard (issue 14): a whole carousel round with the keyboard
// alone, focus never on the body after any action; a phase change that takes away the field a
// participant is typing in puts their focus on the new phase's heading; eight post-its from
// others are said once, as a count; at 1280 px the controls sit beside the live view and the
// page is much shorter; the controls' states pass axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WIDE,
  axeViolations,
  focused,
  joinAs,
  launchBrowser,
  newPerson,
  postJson,
  recordAnnouncements,
  said,
  screenshot,
  startWebServer,
} from './harness.mjs';

let server;
let browser;
let session;
let fatima;
let anna;
let bram;

before(async () => {
  // Real minutes: the clock never moves a stage by itself during the test; the keys do.
  server = await startWebServer({ args: ['--minute-ms', '60000'] });
  browser = await launchBrowser();
  session = await postJson(server.http, '/api/sessions', { title: 'Toetsenbord', facilitator_name: 'Fatima' });
  fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  anna = await joinAs(server, browser, session, 'Anna');
  bram = await joinAs(server, browser, session, 'Bram');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertNoViolations(violations, view) {
  assert.deepEqual(violations, [], `axe violations on ${view}:\n${JSON.stringify(violations, null, 2)}`);
}

/** Focus is somewhere real, not on the page body. */
async function assertFocusKept(page, after) {
  // Let a command's answer and its render land first.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 5_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const where = await focused(page);
  assert.notEqual(where, 'BODY', `focus fell to the body after ${after}`);
  return where;
}

/** One key, then the check. */
async function key(page, name, what) {
  await page.keyboard.press(name);
  return assertFocusKept(page, `${name} (${what})`);
}

/** Tab (or Shift+Tab, whichever way it is) until `locator` has focus; every stop is checked. */
async function tabTo(page, locator, what) {
  const forward = await locator.evaluate((target) => {
    const from = document.activeElement;
    if (!from || from === document.body) return true;
    return Boolean(from.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  for (let stops = 0; stops < 150; stops++) {
    if (await locator.evaluate((el) => el === document.activeElement)) return stops;
    await key(page, forward ? 'Tab' : 'Shift+Tab', `on the way to ${what}`);
  }
  throw new Error(`Tab never reached ${what}`);
}

test('a carousel round with the keyboard alone: focus is never on the body', async () => {
  const page = fatima.page;
  const main = page.getByTestId('carousel-main');

  // Anna is typing in phase 1's own field when the facilitator moves on.
  const note = anna.page.getByLabel('Jouw aantekeningen');
  await note.click();
  await anna.page.keyboard.type('Een bus vol boeken');
  await recordAnnouncements(anna.page);

  // Phase 4 through the jump list: Tab to it, arrows, Tab to "Ga", Enter.
  const jump = page.getByLabel('Naar fase');
  const toJump = await tabTo(page, jump, 'the phase list');
  console.log(`Tab stops from the top of the page to the phase list: ${toJump}`);
  for (let i = 0; i < 3; i++) await key(page, 'ArrowDown', 'phase list');
  assert.equal(await jump.inputValue(), '3');
  await tabTo(page, page.getByRole('button', { name: 'Ga', exact: true }), 'Ga');
  await key(page, 'Enter', 'Ga');
  await page.locator('[data-testid="phase"][data-phase-id="uitvoeren"]').waitFor();
  assert.match(await assertFocusKept(page, 'the phase change'), /^BUTTON:Ga/);

  // Anna's field went with phase 1: her focus is on the new phase's heading, and she heard it.
  await anna.page.locator('[data-testid="phase"][data-phase-id="uitvoeren"]').waitFor();
  await anna.page.waitForFunction(() => document.activeElement?.classList.contains('phase__title'));
  assert.match(await focused(anna.page), /^H2:Kansen uitvoeren/);
  await anna.page.waitForFunction(() => window.__said.some((m) => m.includes('Fase 4')));

  // Two rounds: type a topic, Tab on, Enter. After adding, focus is back in the topic field.
  const topic = page.getByLabel('Kans of uitdaging');
  for (const text of ['Samen spreekuur in de wijk', 'Meer jonge ouders bereiken']) {
    await tabTo(page, topic, 'the topic field');
    await page.keyboard.type(text);
    await tabTo(page, page.getByRole('button', { name: 'Ronde toevoegen', exact: true }), 'Ronde toevoegen');
    await key(page, 'Enter', 'Ronde toevoegen');
    await page.getByTestId('rounds').getByText(text).waitFor();
    assert.match(await assertFocusKept(page, 'adding a round'), /^INPUT:Kans of uitdaging/);
  }
  assertNoViolations(await axeViolations(page), 'facilitator, carousel ready');

  // Start, pause, resume: one button, focus stays on it, its label changes.
  const toMain = await tabTo(page, main, 'the main carousel button');
  console.log(`Tab stops from the topic field back to the main button: ${toMain}`);
  assert.equal(await main.textContent(), 'Ronde 1 starten');
  await key(page, 'Space', 'Ronde 1 starten');
  await page.getByTestId('carousel-stage').and(page.locator('[data-stage="uitleggen"]')).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="carousel-main"]').textContent === 'Pauze');
  assert.equal(await assertFocusKept(page, 'start'), 'BUTTON:Pauze');
  await key(page, 'Enter', 'Pauze');
  await page.waitForFunction(() => document.querySelector('[data-testid="carousel-main"]').textContent === 'Verder');
  assert.equal(await assertFocusKept(page, 'pause'), 'BUTTON:Verder');
  assertNoViolations(await axeViolations(page), 'facilitator, round paused');
  await screenshot(page, 'facil-paused-1280');
  await key(page, 'Enter', 'Verder');
  await page.waitForFunction(() => document.querySelector('[data-testid="carousel-main"]').textContent === 'Pauze');
  assert.equal(await assertFocusKept(page, 'resume'), 'BUTTON:Pauze');

  // The steps: focus stays on the step button while its label follows the stage.
  await tabTo(page, page.getByRole('button', { name: 'Door naar stap 2' }), 'Door naar stap 2');
  const stages = ['vragen', 'ideeen', 'doorlezen', 'volgende-stap'];
  for (const [i, stage] of stages.entries()) {
    await key(page, 'Enter', `step ${i + 2}`);
    await page.locator(`[data-testid="carousel-stage"][data-stage="${stage}"]`).waitFor();
    const expected = i + 3 <= 5 ? `BUTTON:Door naar stap ${i + 3}` : 'BUTTON:Ronde afronden';
    await page.waitForFunction((want) => document.activeElement?.textContent === want.slice(7), expected);
    assert.equal(await assertFocusKept(page, `step ${i + 2}`), expected);
  }
  // Back one step and forward again, still on the same buttons.
  await tabTo(page, page.getByRole('button', { name: 'Terug naar stap 4' }), 'Terug naar stap 4');
  await key(page, 'Enter', 'Terug naar stap 4');
  await page.locator('[data-testid="carousel-stage"][data-stage="doorlezen"]').waitFor();
  assert.equal(await assertFocusKept(page, 'back'), 'BUTTON:Terug naar stap 3');
  await tabTo(page, page.getByRole('button', { name: 'Door naar stap 5' }), 'Door naar stap 5');
  await key(page, 'Enter', 'Door naar stap 5');
  await page.locator('[data-testid="carousel-stage"][data-stage="volgende-stap"]').waitFor();
  // Finishing the round takes the step buttons away: focus goes to the main button, which
  // now starts round 2.
  await key(page, 'Enter', 'Ronde afronden');
  await page.getByTestId('carousel-stage').getByText('Deze ronde is klaar.').waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'carousel-main');
  assert.equal(await assertFocusKept(page, 'finishing the round'), 'BUTTON:Ronde 2 starten');
  assertNoViolations(await axeViolations(page), 'facilitator, round done');

  // A post-it from Anna; the facilitator votes with Space and keeps focus on the vote.
  await anna.page.getByLabel('Jouw idee (in de chat)').fill('Koffie-ochtend');
  await anna.page.keyboard.press('Enter');
  const vote = page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByRole('button', { name: /^Stem/ });
  await vote.waitFor();
  await tabTo(page, vote, 'the vote button');
  await key(page, 'Space', 'vote');
  await page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).locator('button[aria-pressed="true"]').waitFor();
  assert.match(await assertFocusKept(page, 'voting'), /^BUTTON:.*Stem/);

  // Round 2, then "Carrousel stoppen…": a dialog with focus on "No"; Escape keeps the round.
  await tabTo(page, main, 'the main button');
  await key(page, 'Space', 'Ronde 2 starten');
  await page.getByTestId('carousel-now').getByText('Meer jonge ouders bereiken').waitFor();
  const stop = page.getByTestId('carousel-end');
  await tabTo(page, stop, 'Carrousel stoppen');
  await key(page, 'Enter', 'Carrousel stoppen…');
  assert.equal(await assertFocusKept(page, 'opening the stop dialog'), 'BUTTON:Nee, doorgaan');
  assertNoViolations(await axeViolations(page), 'facilitator, stop dialog');
  await screenshot(page, 'facil-stop-dialog-1280');
  await key(page, 'Escape', 'closing the dialog');
  assert.equal(await assertFocusKept(page, 'Escape'), 'BUTTON:Carrousel stoppen…');
  assert.equal(await page.getByTestId('carousel-now').count(), 1, 'Escape stopped nothing');
  // Now for real: Enter, Tab to "Ja, stoppen", Enter. Focus goes to the main button.
  await key(page, 'Enter', 'Carrousel stoppen…');
  await key(page, 'Tab', 'to Ja, stoppen');
  assert.equal(await focused(page), 'BUTTON:Ja, stoppen');
  await key(page, 'Enter', 'Ja, stoppen');
  await page.getByTestId('carousel-idle').waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'carousel-main');
  assert.match(await assertFocusKept(page, 'stopping the carousel'), /^BUTTON:Ronde starten|^BUTTON:Ronde \d starten/);
  assertNoViolations(await axeViolations(page), 'facilitator, carousel stopped');
});

test('eight post-its from others: one polite, batched announcement', async () => {
  await recordAnnouncements(anna.page);
  const region = await anna.page.evaluate(() => document.getElementById('live-region').getAttribute('aria-live'));
  assert.equal(region, 'polite');
  const input = bram.page.getByLabel('Jouw idee (in de chat)');
  for (let i = 1; i <= 8; i++) {
    await input.fill(`Idee ${i} van Bram`);
    await input.press('Enter');
  }
  await anna.page.getByTestId('idea').filter({ hasText: 'Idee 8 van Bram' }).waitFor();
  await anna.page.waitForFunction(() => window.__said.some((m) => m.includes('nieuwe post-it')), null, { timeout: 10_000 });
  // Another batch window goes by: nothing more is said about these eight.
  await anna.page.waitForTimeout(3_500);
  const about = (await said(anna.page)).filter((m) => m.includes('nieuwe post-it'));
  assert.deepEqual(about, ['Er zijn 8 nieuwe post-its.']);
  // Bram's own post-its are not news to him.
  await recordAnnouncements(bram.page);
  await bram.page.waitForTimeout(500);
  await anna.page.getByLabel('Jouw idee (in de chat)').fill('Een van Anna');
  await anna.page.keyboard.press('Enter');
  await bram.page.waitForFunction(() => window.__said.includes('Er is 1 nieuwe post-it.'), null, { timeout: 10_000 });
  assert.ok(!(await said(anna.page)).includes('Er is 1 nieuwe post-it.'), 'her own post-it is not announced to Anna');
});

test('at 1280 px the controls sit beside the live view, and the page is much shorter', async () => {
  const page = fatima.page;
  await page.setViewportSize({ width: 1280, height: 900 });
  const box = async (id) => page.getByTestId(id).boundingBox();
  const controls = await box('lead-controls');
  const live = await box('lead-live');
  console.log(`1280: controls ${JSON.stringify(controls)}, live ${JSON.stringify(live)}`);
  assert.ok(controls.x + controls.width <= live.x, 'the controls are left of the live view');
  assert.ok(Math.abs(controls.y - live.y) < 5, 'both start at the same height');
  const wideHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  await screenshot(page, 'facil-side-by-side-1280');
  // Just below the breakpoint the page is one column.
  await page.setViewportSize({ width: 1279, height: 900 });
  const stacked = await page.evaluate(() => document.documentElement.scrollHeight);
  const controls1279 = await box('lead-controls');
  const live1279 = await box('lead-live');
  assert.ok(live1279.y >= controls1279.y + controls1279.height, 'one column below 1280');
  await page.setViewportSize({ width: 320, height: 640 });
  const phone = await page.evaluate(() => document.documentElement.scrollHeight);
  const select = await page.getByLabel('Naar fase').boundingBox();
  assert.ok(select.x >= 0 && select.x + select.width <= 320, `the phase list fits at 320 px: ${JSON.stringify(select)}`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 320);
  await screenshot(page, 'facil-320');
  console.log(`facilitator page height: 1280 px wide ${wideHeight}, 1279 px ${stacked}, 320 px ${phone}`);
  assert.ok(wideHeight < stacked * 0.7, `side by side is much shorter: ${wideHeight} vs ${stacked}`);
  await page.setViewportSize(WIDE);
  assertNoViolations(await axeViolations(page), 'facilitator at 1280');
});
