// axe-core on the pages people see most, at desktop and phone width, plus the language switch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE,
  WIDE,
  axeViolations,
  createSessionViaStartPage,
  launchBrowser,
  newPerson,
  postJson,
  screenshot,
  startWebServer,
} from './harness.mjs';

let server;
let browser;
/** The session, made on the start page by a facilitator who stays for the whole file. */
let session;
let facilitator;

before(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
  facilitator = await newPerson(browser, WIDE);
  session = await createSessionViaStartPage(facilitator.page, server.http, 'Verbindingen IDO en BoekStart');
  await facilitator.page
    .getByLabel('Jouw aantekeningen')
    .fill('Kans: voorlezen in de wijk.\nActie: afspraak maken met de BoekStart-coördinator.');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertNoViolations(violations, page) {
  assert.deepEqual(violations, [], `axe violations on ${page}:\n${JSON.stringify(violations, null, 2)}`);
}

for (const [label, viewport] of [
  ['1280', WIDE],
  ['360', PHONE],
]) {
  test(`start page has no axe violations (${label} px)`, async () => {
    const { page, context } = await newPerson(browser, viewport);
    await page.goto(`${server.http}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assertNoViolations(await axeViolations(page), 'start');
    // Errors are tied to their fields and still pass.
    await page.getByRole('button', { name: 'Meedoen' }).click();
    await page.getByText('Deze code klopt niet.', { exact: false }).waitFor();
    assertNoViolations(await axeViolations(page), 'start with errors');
    await screenshot(page, `start-errors-${label}`);
    await page.reload();
    await screenshot(page, `start-${label}`);
    await context.close();
  });

  test(`participant page has no axe violations (${label} px)`, async () => {
    const joined = await postJson(server.http, '/api/join', { code: session.code, name: `Bram ${label}` });
    const { page, context } = await newPerson(browser, viewport);
    await page.goto(`${server.http}/join/${session.code}`);
    assertNoViolations(await axeViolations(page), 'join');
    await screenshot(page, `join-${label}`);
    await page.goto(`${server.http}/s/${joined.session_id}#token=${joined.participant_token}`);
    await page.getByTestId('you-are').waitFor();
    assert.equal(new URL(page.url()).hash, '', 'token removed from the address');
    assertNoViolations(await axeViolations(page), 'participant');
    await screenshot(page, `participant-${label}`);
    await context.close();
  });

  test(`display page has no axe violations (${label} px)`, async () => {
    // The projector is another computer: the display link, opened in a fresh context.
    const link = await facilitator.page.getByRole('link', { name: 'Open het scherm' }).getAttribute('href');
    const { page, context } = await newPerson(browser, viewport);
    await page.goto(new URL(link, server.http).href);
    // The server tells every role the title, the code and the phase.
    await page.getByTestId('display-code').getByText(session.code.slice(0, 3), { exact: false }).waitFor();
    await page.getByTestId('display-phase').getByText('Fase 1 van 6', { exact: false }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'token removed from the address');
    assertNoViolations(await axeViolations(page), 'display');
    await screenshot(page, `display-${label}`);
    await context.close();
  });
}

test('the facilitator page has no axe violations', async () => {
  assertNoViolations(await axeViolations(facilitator.page), 'facilitator');
});

test('every page reflows at 320 px: no sideways scrolling', async () => {
  const narrow = { width: 320, height: 640 };
  const joined = await postJson(server.http, '/api/join', { code: session.code, name: 'Iemand met een heel erg lange naam zonder spaties_xxxxxxxxxxxxxxxxxxxxxxxx' });
  const display = await facilitator.page.getByRole('link', { name: 'Open het scherm' }).getAttribute('href');
  const pages = [
    ['start', '/'],
    ['join', `/join/${session.code}`],
    ['participant', `/s/${joined.session_id}#token=${joined.participant_token}`],
    ['display', display],
  ];
  for (const [name, url] of pages) {
    const { page, context } = await newPerson(browser, narrow);
    await page.goto(new URL(url, server.http).href);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await new Promise((r) => setTimeout(r, 300));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await screenshot(page, `${name}-320`);
    assert.ok(width <= 320, `${name} is ${width} px wide at 320`);
    await context.close();
  }
  await facilitator.page.setViewportSize(narrow);
  const width = await facilitator.page.evaluate(() => document.documentElement.scrollWidth);
  await screenshot(facilitator.page, 'facilitator-320');
  await facilitator.page.setViewportSize(WIDE);
  assert.ok(width <= 320, `facilitator page is ${width} px wide at 320`);
});

test('the language switch changes the texts and <html lang>, and is remembered', async () => {
  const { page, context } = await newPerson(browser, PHONE);
  await page.goto(`${server.http}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('button', { name: 'Create session' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.reload();
  await page.getByRole('button', { name: 'Create session' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assertNoViolations(await axeViolations(page), 'start (en)');
  await screenshot(page, 'start-en-360');
  await context.close();
});
