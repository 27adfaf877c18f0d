// Every participant view (each phase, the guided visualisation, each carousel stage and the
// round's end) at 320 px wide and at 200 % browser zoom, without sideways scrolling, and with
// no axe violations (issue 14). Zoom is emulated as browser zoom does it (harness.mjs,
// emulateZoom): a 640×800 window at 200 % is a 320×400 CSS px viewport at devicePixelRatio 2,
// and a 1280×800 window at 200 % is 640×400 CSS px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WIDE,
  axeViolations,
  emulateZoom,
  joinAs,
  launchBrowser,
  newPerson,
  overflowX,
  postJson,
  resetZoom,
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
  server = await startWebServer({ args: ['--minute-ms', '60000'] });
  browser = await launchBrowser();
  session = await postJson(server.http, '/api/sessions', { title: 'Smal scherm', facilitator_name: 'Fatima' });
  fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  anna = await joinAs(server, browser, session, 'Anna', { width: 320, height: 640 });
  bram = await joinAs(server, browser, session, 'Bram', { width: 320, height: 640 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const checked = [];

/** The view as it is now, for both participants: 320 px, and 200 % zoom of two windows. */
async function checkView(name, { axe = true } = {}) {
  for (const [who, person] of [
    ['anna', anna],
    ['bram', bram],
  ]) {
    const page = person.page;
    await page.setViewportSize({ width: 320, height: 640 });
    assert.equal(await overflowX(page), 0, `${name} (${who}) scrolls sideways at 320 px`);
    if (who === 'anna') await screenshot(page, `reflow-${name}-320`);
    if (axe && who === 'anna') {
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `axe on ${name}:\n${JSON.stringify(violations, null, 2)}`);
    }
    for (const [w, h] of [
      [640, 800],
      [1280, 800],
    ]) {
      const cdp = await emulateZoom(page, w, h, 2);
      const seen = await page.evaluate(() => ({ width: window.innerWidth, ratio: window.devicePixelRatio }));
      assert.deepEqual(seen, { width: w / 2, ratio: 2 }, 'the zoom emulation took');
      assert.equal(await overflowX(page), 0, `${name} (${who}) scrolls sideways at 200 % of a ${w} px window`);
      if (who === 'anna' && w === 640) await screenshot(page, `reflow-${name}-zoom200-of-640`);
      await resetZoom(page, cdp, { width: 320, height: 640 });
    }
  }
  checked.push(name);
}

async function toPhase(index, id) {
  await fatima.page.getByLabel('Naar fase').selectOption({ index });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  for (const person of [anna, bram]) await person.page.locator(`[data-testid="phase"][data-phase-id="${id}"]`).waitFor();
}

test('every participant view reflows at 320 px and at 200 % zoom', async () => {
  await checkView('phase1');
  // The guided visualisation with Bram reading.
  await fatima.page.getByLabel('Wie leest de vragen voor?').selectOption({ label: 'Bram' });
  await fatima.page.getByRole('button', { name: 'Vragen starten' }).click();
  await bram.page.getByText('Jij leest de vragen voor.').waitFor();
  await anna.page.getByText('Bram leest de vragen voor.').waitFor();
  await checkView('phase1-visualisation');
  await toPhase(1, 'inzicht');
  await checkView('phase2');
  await toPhase(2, 'verbindingen');
  await checkView('phase3');
  await toPhase(3, 'uitvoeren');
  await checkView('phase4-idle');

  await fatima.page.getByLabel('Kans of uitdaging').fill('Een lange kans: samen met het Taalhuis spreekuren in de wijkcentra, elke week');
  await fatima.page.getByLabel('Eigenaar', { exact: true }).selectOption({ label: 'Anna' });
  await fatima.page.getByRole('button', { name: 'Ronde toevoegen', exact: true }).click();
  await fatima.page.getByTestId('carousel-main').getByText('Ronde 1 starten').click();
  for (const [n, stage] of ['uitleggen', 'vragen', 'ideeen', 'doorlezen', 'volgende-stap'].entries()) {
    if (n > 0) await fatima.page.getByRole('button', { name: `Door naar stap ${n + 1}` }).click();
    for (const person of [anna, bram]) await person.page.locator(`[data-testid="carousel-stage"][data-stage="${stage}"]`).waitFor();
    await checkView(`phase4-stage${n + 1}`);
  }
  await anna.page.getByTestId('next-step-form').waitFor();
  await fatima.page.getByRole('button', { name: 'Ronde afronden' }).click();
  for (const person of [anna, bram]) await person.page.getByTestId('carousel-stage').getByText('Deze ronde is klaar.').waitFor();
  await checkView('phase4-done');
  await toPhase(4, 'borging');
  await checkView('phase5');
  await toPhase(5, 'delen');
  await checkView('phase6');
  console.log(`views checked: ${checked.join(', ')}`);
  for (const person of [anna, bram]) assert.deepEqual(person.errors, []);
});
