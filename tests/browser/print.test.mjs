// Paper (issue 14): the connection format blank and filled, the communication plan and the
// whole results, as A4 PDFs from headless Chromium (page.pdf, print CSS). Each PDF's text is
// read back with pdftotext (the workbook's order of fields, the workshop's order of phases)
// and its pages are drawn as PNGs with pdftoppm, to look at. Needs poppler-utils.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { WIDE, axeViolations, controlClient, joinAs, launchBrowser, newPerson, openPanel, postJson, screenshotDir, startWebServer } from './harness.mjs';

let server;
let browser;
let session;
let fatima;
let anna;
let lead;

before(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
  session = await postJson(server.http, '/api/sessions', { title: 'Werkplaats Haarlem', facilitator_name: 'Fatima' });
  fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  lead = await controlClient(fatima.page, session.id, session.facilitator_token);
  anna = await joinAs(server, browser, session, 'Anna');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertNoViolations(violations, where) {
  assert.deepEqual(violations, [], `${where}: ${JSON.stringify(violations, null, 2)}`);
}

/** Opens `href` in Anna's browser, renders it to an A4 PDF; returns its text and page count. */
async function printToPdf(href, name) {
  const page = await anna.context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(new URL(href, server.http).href);
  await page.getByTestId('print').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  assertNoViolations(await axeViolations(page), name);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}-screen.png`), fullPage: true });
  const pdf = path.join(screenshotDir, `${name}.pdf`);
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  await page.close();
  assert.deepEqual(errors, []);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))[1]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }));
  // A4 is 595 x 842 points.
  assert.ok(Math.abs(Number(size[1]) - 595) < 2 && Math.abs(Number(size[2]) - 842) < 2, `${name} is A4: ${size[0]}`);
  execFileSync('pdftoppm', ['-png', '-r', '60', pdf, path.join(screenshotDir, name)]);
  // Reading order (not the page's layout), lines joined: a text wrapped in a box reads whole.
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  return { text, pages };
}

/** Asserts that `words` appear in `text` in this order. */
function assertInOrder(text, words, where) {
  let at = -1;
  for (const word of words) {
    const next = text.indexOf(word, at + 1);
    assert.ok(next > at, `${where}: "${word}" comes after the one before it`);
    at = next;
  }
}

test('a participant fills the format and the plan; "Afdrukken" links are there for them and the facilitator', async () => {
  await lead.send({ type: 'phase_goto', index: 2 });
  await anna.page.getByTestId('connection-format').waitFor();
  await anna.page.getByLabel('Naam van het programma').fill('Taalhuis');
  await anna.page.locator('[data-testid^="side-ido-"]').first().fill('Mensen helpen met de digitale overheid');
  await anna.page.getByLabel('Kansen', { exact: true }).fill('Samen een spreekuur in het Taalhuis');
  await anna.page.getByLabel('Uitdagingen', { exact: true }).fill('Weinig tijd bij de vrijwilligers');
  await anna.page.getByRole('button', { name: 'Actie toevoegen' }).click();
  await anna.page.getByLabel('Wat ga je doen? (Actie 1)').fill('Afspraak maken met het Taalhuis');
  const links = anna.page.getByRole('navigation', { name: 'Format afdrukken' });
  assert.match(await links.getByRole('link', { name: 'Dit format' }).getAttribute('href'), /\/print\/format\?f=/);
  assert.match(await links.getByRole('link', { name: 'Een leeg format' }).getAttribute('href'), /\/print\/blank$/);

  // Phase 4: one carousel round with two post-its, one with a vote.
  await lead.send({ type: 'phase_goto', index: 3 });
  const joined = await postJson(server.http, '/api/join', { code: session.join_code, name: 'Bram' });
  await lead.send({ type: 'carousel_add_round', topic: 'Samen met het Taalhuis', owner_id: joined.participant_id });
  await lead.send({ type: 'carousel_start' });
  const bram = await controlClient(fatima.page, session.id, joined.participant_token);
  await bram.send({ type: 'post_idea', text: 'Koffie-ochtend in het Taalhuis', client_ref: 'p1' });
  await bram.send({ type: 'post_idea', text: 'Flyers in de wijk', client_ref: 'p2' });
  const koffie = anna.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' });
  await koffie.getByRole('button', { name: /^Stem/ }).click();
  await koffie.locator('button[aria-pressed="true"]').waitFor();
  await bram.close();

  await lead.send({ type: 'phase_goto', index: 5 });
  await anna.page.getByTestId('plan').waitFor();
  await anna.page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await anna.page.getByLabel("Welke groep collega's? (Regel 1)").fill('De publieksdienst');
  await anna.page.getByLabel('Welke kennis en inzichten zijn voor hen belangrijk? (Regel 1)').fill('Wat het IDO doet en voor wie');
  await anna.page.getByLabel('Hoe en wanneer neem je hen mee? (Regel 1)').fill('In het werkoverleg in maart');
  await anna.page.getByTestId('plan').getByRole('link', { name: 'Het communicatieplan' }).waitFor();
  // Saved on the server before the print pages read it.
  await fatima.page.waitForFunction(() => [...document.querySelectorAll('textarea')].some((t) => t.value === 'In het werkoverleg in maart'));

  await openPanel(fatima.page, 'Resultaten');
  const exportLinks = fatima.page.getByTestId('export').getByRole('navigation', { name: 'Afdrukken' });
  for (const name of ['Alle resultaten', 'Het ingevulde format', 'Een leeg format', 'Het communicatieplan']) {
    await exportLinks.getByRole('link', { name }).waitFor();
  }
});

test('the blank format: two A4 pages in the workbook order, room to write', async () => {
  const { text, pages } = await printToPdf(`/s/${session.id}/print/blank`, 'print-blank-format');
  assert.equal(pages, 2, 'page 1 the programmes, page 2 what you do with it');
  assertInOrder(text, ['Doel(en)', 'Primaire doelgroep(en)', 'Indirecte doelgroep(en)', 'Intern betrokken'], 'green blocks');
  assertInOrder(text, ['Notities', 'Kansen', 'Uitdagingen', 'Acties'], 'page 2');
  assert.ok(text.includes('Overeenkomsten in doel(en)'));
  assert.ok(!text.includes('Samen een spreekuur'), 'blank means blank');
});

test('the filled format: what was typed, in the same order', async () => {
  const { text, pages } = await printToPdf(`/s/${session.id}/print/format`, 'print-format');
  assert.equal(pages, 2);
  assertInOrder(text, ['Taalhuis', 'Kansen', 'Samen een spreekuur in het Taalhuis', 'Uitdagingen', 'Weinig tijd', 'Acties', 'Afspraak maken'], 'filled format');
  assert.ok(text.includes('Mensen helpen met de digitale overheid'));
});

test('the communication plan on one A4 page', async () => {
  const { text, pages } = await printToPdf(`/s/${session.id}/print/plan`, 'print-plan');
  assert.equal(pages, 1);
  assertInOrder(text, ['De publieksdienst', 'Wat het IDO doet', 'In het werkoverleg in maart'], 'plan row');
});

test('the whole results in the workshop order', async () => {
  const { text, pages } = await printToPdf(`/s/${session.id}/print/results`, 'print-results');
  assert.ok(pages >= 3, `${pages} pages`);
  assertInOrder(
    text,
    [
      'Fase 1 van 6',
      'Fase 2 van 6',
      'Fase 3 van 6',
      'Samen een spreekuur',
      'Fase 4 van 6',
      'Ronde 1: Samen met het Taalhuis',
      'Koffie-ochtend in het Taalhuis (1 stem)',
      'Flyers in de wijk',
      'Fase 5 van 6',
      'Fase 6 van 6',
      'De publieksdienst',
    ],
    'results',
  );
  assert.deepEqual(anna.errors, []);
});
