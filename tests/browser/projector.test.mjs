// The projector (/s/ID/display) at 1920x1080, phase by phase: one view per kind of activity,
// and never a scrollbar. The carousel's wall gets 40 long post-its in one round (with the
// previous round's post-its on the server too): nothing may overflow, nothing may be cut off,
// and whatever is not on the screen is counted in "nog N". axe-core at 0 on every view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WIDE,
  axeViolations,
  controlClient,
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

const FULL_HD = { width: 1920, height: 1080 };

let server;
let browser;
let session;
let fatima;
let anna;
let display;
let lead;

function assertNoViolations(violations, where) {
  assert.deepEqual(violations, [], `${where}: ${JSON.stringify(violations, null, 2)}`);
}

/** The display fits the window: no page scrolling, every element of `selector` inside it. */
async function assertFits(selector, where) {
  const report = await overflowReport(display.page, selector);
  assert.ok(report.scrollHeight <= report.height, `${where}: page is ${report.scrollHeight} px tall in ${report.height}`);
  assert.ok(report.scrollWidth <= report.width, `${where}: page is ${report.scrollWidth} px wide in ${report.width}`);
  assert.deepEqual(report.outside, [], `${where}: outside the window`);
}

/** Every child of the carousel's column (words, clock, code) lies wholly inside it: none cut off. */
async function assertColumnFits(where) {
  const outside = await display.page.evaluate(() => {
    const column = document.querySelector('.display-carousel__now');
    const box = column.getBoundingClientRect();
    return [...column.querySelectorAll('p, h2, .countdown__time, .display__qr')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.left < box.left - 0.5 || r.right > box.right + 0.5);
      })
      .map((el) => el.textContent.slice(0, 30) || el.className);
  });
  assert.deepEqual(outside, [], `${where}: cut off in the carousel's column`);
}

async function gotoPhase(index) {
  await lead.send({ type: 'phase_goto', index });
  await display.page.getByTestId('display-phase').getByText(`Fase ${index + 1} van 6`, { exact: false }).waitFor();
}

before(async () => {
  server = await startWebServer();
  browser = await launchBrowser();
  session = await postJson(server.http, '/api/sessions', { title: 'Werkplaats Haarlem', facilitator_name: 'Fatima' });
  fatima = await newPerson(browser, WIDE);
  await fatima.page.goto(`${server.http}/s/${session.id}#token=${session.facilitator_token}`);
  await fatima.page.getByTestId('phase-controls').waitFor();
  lead = await controlClient(fatima.page, session.id, session.facilitator_token);
  anna = await joinAs(server, browser, session, 'Anna');
  display = await newPerson(browser, FULL_HD);
  await display.page.goto(`${server.http}/s/${session.id}/display#token=${session.display_token}`);
  await display.page.getByRole('heading', { level: 1, name: 'Werkplaats Haarlem' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('phase 1: the intro with a large join code, then the question large with the silence', async () => {
  await display.page.getByTestId('display-intro').waitFor();
  await display.page.getByTestId('qr').waitFor();
  await assertFits('.display__join, .display-view', 'intro');
  assertNoViolations(await axeViolations(display.page), 'projector intro');
  await screenshot(display.page, 'projector-intro-1920');

  await lead.send({ type: 'visualisation_start', activity_id: 'ido-over-5-jaar' });
  await display.page.getByTestId('display-question').getByText('vijf jaar', { exact: false }).waitFor();
  await lead.send({ type: 'visualisation_read_done' });
  await display.page.getByTestId('silence').getByText('Het is even stil.', { exact: false }).waitFor();
  const size = await display.page.getByTestId('display-question').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 56, `the question is large (${size} px)`);
  await assertFits('.display-view', 'visualisation');
  assertNoViolations(await axeViolations(display.page), 'projector visualisation');
  await screenshot(display.page, 'projector-vis-1920');
  await lead.send({ type: 'visualisation_stop' });
});

test('phase 2: the programme overview fills up as people type', async () => {
  await gotoPhase(1);
  await display.page.getByTestId('display-lists').waitFor();
  const list = anna.page.getByTestId('list-programmas');
  for (const [n, name] of [
    [1, 'Taalcafé'],
    [2, 'Klik & Tik'],
    [3, 'Voorlezen op de peuterspeelzaal'],
  ]) {
    await list.getByRole('button', { name: 'Regel toevoegen' }).click();
    await list.getByLabel(`Programma of activiteit (Regel ${n})`).fill(name);
  }
  await display.page.getByTestId('display-lists').getByRole('cell', { name: 'Voorlezen op de peuterspeelzaal' }).waitFor();
  await assertFits('.display-view', 'lists');
  assertNoViolations(await axeViolations(display.page), 'projector lists');
  await screenshot(display.page, 'projector-lists-1920');
});

test('phase 3: the connection format fills live', async () => {
  await gotoPhase(2);
  await display.page.getByTestId('display-format').waitFor();
  await anna.page.getByLabel('Naam van het programma').fill('Taalhuis');
  await anna.page.getByLabel('Kansen', { exact: true }).fill('Samen een spreekuur in het Taalhuis');
  await anna.page.locator('[data-testid^="side-ido-"]').first().fill('Mensen helpen met digitale zaken van de overheid');
  const view = display.page.getByTestId('display-format');
  await view.getByText('Samen een spreekuur in het Taalhuis').waitFor();
  await view.getByRole('heading', { name: 'Taalhuis' }).waitFor();
  await view.getByText('Mensen helpen met digitale zaken').waitFor();
  await assertFits('.display-view', 'format');
  assertNoViolations(await axeViolations(display.page), 'projector format');
  await screenshot(display.page, 'projector-format-1920');

  // A post-it in this phase: the wall shares the screen with the format.
  await postIt(anna.page, 'Het Taalhuis heeft ook een spreekuur op dinsdag');
  await display.page.getByTestId('wall').getByText('Het Taalhuis heeft ook een spreekuur op dinsdag').waitFor();
  await display.page.locator('[data-testid="wall"]:not([data-measuring])').waitFor();
  await assertFits('.display-view, [data-testid="wall-item"]', 'format with the wall');
  assertNoViolations(await axeViolations(display.page), 'projector format with the wall');
  await screenshot(display.page, 'projector-format-wall-1920');
});

/** 40 long post-its, from five people (eight each: within the posting burst). */
const LONG = [
  'We kunnen een vast spreekuur houden in het Taalhuis, op dezelfde ochtend als het taalcafé, zodat mensen niet twee keer hoeven te komen',
  'Vrijwilligers van het Taalhuis een korte training geven over DigiD en de belastingaangifte, zodat zij mensen kunnen doorverwijzen',
  'Een flyer in eenvoudige taal met foto’s, die ook in de wachtkamer van de huisarts en bij het buurthuis ligt',
  'Samen met de gemeente een middag organiseren over toeslagen, met een tolk erbij voor wie dat nodig heeft',
];

test('phase 4: the carousel fits 40 long post-its of this round on the screen, grouped and by votes', async () => {
  await gotoPhase(3);
  const people = [];
  for (const name of ['Bram', 'Cem', 'Daan', 'Eva', 'Femke']) {
    const joined = await postJson(server.http, '/api/join', { code: session.join_code, name });
    people.push({ name, id: joined.participant_id, client: await controlClient(fatima.page, session.id, joined.participant_token) });
  }
  await lead.send({ type: 'carousel_add_round', topic: 'Samen met het Taalhuis', owner_id: people[0].id });
  await lead.send({ type: 'carousel_add_round', topic: 'Meer mensen bereiken met de bibliotheekbus in de wijken', owner_id: people[1].id });
  await lead.send({ type: 'carousel_start' });
  await display.page.getByTestId('display-carousel').waitFor();

  // Round 1: a few short post-its, in large type.
  for (const [i, person] of people.entries()) {
    await person.client.send({ type: 'post_idea', text: `Vorige ronde ${i + 1}`, client_ref: `r1-${i}` });
  }
  await display.page.getByTestId('wall-item').nth(4).waitFor();
  await assertFits('[data-testid="wall-item"]', 'round 1');
  await assertColumnFits('round 1');
  assertNoViolations(await axeViolations(display.page), 'projector carousel (5 post-its)');
  await screenshot(display.page, 'projector-carousel-5-1920');

  // Round 2: 40 long ones, some grouped, some voted for.
  await lead.send({ type: 'carousel_next_round' });
  await display.page.getByTestId('display-topic').getByText('bibliotheekbus', { exact: false }).waitFor();
  await display.page.getByText('Nog geen post-its').waitFor();
  let n = 0;
  for (const person of people) {
    for (let k = 0; k < 8; k++) {
      n++;
      await person.client.send({ type: 'post_idea', text: `${n}. ${LONG[n % LONG.length]}`, client_ref: `r2-${n}` });
    }
  }
  // The server's ids: from a participant's page (the session view lists the ideas).
  const ideas = await anna.page.evaluate(async () => {
    for (let i = 0; i < 50; i++) {
      const cards = document.querySelectorAll('[data-testid="idea"]');
      if (cards.length >= 40) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return document.querySelectorAll('[data-testid="idea"]').length;
  });
  assert.equal(ideas, 40, 'Anna sees the 40 post-its of this round');
  // Votes and a group, through Anna's page (the real buttons).
  const card = (n) => anna.page.getByTestId('idea').filter({ has: anna.page.getByText(new RegExp(`^${n}\\. `)) });
  await card(37).getByRole('button', { name: /^Stem/ }).click();
  await card(37).locator('button[aria-pressed="true"]').waitFor();
  await card(12).getByRole('button', { name: /^Stem/ }).click();
  await card(12).locator('button[aria-pressed="true"]').waitFor();
  for (const n of [3, 4, 5]) await card(n).getByLabel('Kiezen').check();
  await anna.page.getByLabel('Naam van de nieuwe groep').fill('Spreekuur');
  await anna.page.getByRole('button', { name: 'In de groep zetten' }).click();
  await anna.page.getByRole('heading', { name: /^Spreekuur/ }).waitFor();

  // The projector: settled (not measuring), the group's heading, the votes first.
  await display.page.locator('[data-testid="wall"]:not([data-measuring])').waitFor();
  await waitInPage(display.page, () => [...document.querySelectorAll('.wall__group')].some((g) => g.textContent.includes('Spreekuur')));
  await waitInPage(display.page, () => document.querySelector('[data-testid="wall-item"] .wall__votes') !== null);
  await new Promise((r) => setTimeout(r, 500));
  await assertFits('[data-testid="wall-item"], .wall__group, [data-testid="wall-more"]', 'round 2 with 40 post-its');
  await assertColumnFits('round 2');

  const wall = await display.page.evaluate(() => {
    const box = document.querySelector('.wall-box').getBoundingClientRect();
    const items = [...document.querySelectorAll('[data-testid="wall-item"]')];
    return {
      box: { top: box.top, bottom: box.bottom, left: box.left, right: box.right },
      items: items.map((el) => {
        const r = el.getBoundingClientRect();
        const text = el.querySelector('.wall__text');
        return {
          text: text.textContent,
          top: r.top,
          bottom: r.bottom,
          left: r.left,
          right: r.right,
          clipped: text.scrollHeight > text.clientHeight + 1,
          visible: getComputedStyle(el).visibility === 'visible' && r.height > 0,
          votes: el.querySelector('.wall__votes')?.textContent ?? '',
        };
      }),
      more: document.querySelector('[data-testid="wall-more"]').textContent,
      count: document.querySelector('.display__wall-count').textContent,
      fontSize: parseFloat(getComputedStyle(document.querySelector('.wall__text')).fontSize),
      page: document.body.innerText,
    };
  });
  assert.equal(wall.count, '(40)', 'the count is this round only');
  assert.ok(!wall.page.includes('Vorige ronde'), 'none of the previous round');
  assert.ok(wall.items.length >= 1);
  for (const item of wall.items) {
    assert.ok(item.visible, `${item.text.slice(0, 20)} is visible`);
    assert.ok(!item.clipped, `${item.text.slice(0, 20)} is not cut off`);
    assert.ok(item.top >= wall.box.top - 0.5 && item.bottom <= wall.box.bottom + 0.5, `${item.text.slice(0, 20)} lies inside the wall (${item.top}..${item.bottom} in ${wall.box.top}..${wall.box.bottom})`);
    assert.ok(item.left >= wall.box.left - 0.5 && item.right <= wall.box.right + 0.5, `${item.text.slice(0, 20)} lies inside the wall sideways`);
  }
  const hidden = 40 - wall.items.length;
  if (hidden > 0) {
    assert.match(wall.more, new RegExp(`Nog ${hidden} post-its`), `"nog N" counts the ${hidden} not on the screen`);
  } else {
    assert.equal(wall.more.trim(), '');
  }
  assert.ok(wall.fontSize >= 16, `readable type (${wall.fontSize} px)`);
  // The group comes first (3 post-its), then the two with a vote before the rest.
  assert.match(wall.items[0].text, /^[345]\. /);
  const firstLoose = wall.items.slice(3).map((i) => i.text.split('.')[0]);
  assert.deepEqual(firstLoose.slice(0, 2).sort(), ['12', '37']);
  assertNoViolations(await axeViolations(display.page), 'projector carousel (40 post-its)');
  await screenshot(display.page, 'projector-carousel-40-1920');

  // The next page comes by itself: other post-its, still inside.
  if (hidden > 0) {
    const first = wall.items[0].text;
    await display.page.waitForFunction(
      (first) => document.querySelector('[data-testid="wall-item"] .wall__text')?.textContent !== first,
      first,
      { timeout: 20_000 },
    );
    await display.page.locator('[data-testid="wall"]:not([data-measuring])').waitFor();
    await assertFits('[data-testid="wall-item"], .wall__group, [data-testid="wall-more"]', 'round 2, page 2');
    await screenshot(display.page, 'projector-carousel-40-page2-1920');
  }

  // A smaller projector (1280x720): measured again, still nothing outside.
  await display.page.setViewportSize({ width: 1280, height: 720 });
  await new Promise((r) => setTimeout(r, 300));
  await display.page.locator('[data-testid="wall"]:not([data-measuring])').waitFor();
  await assertFits('[data-testid="wall-item"], .wall__group, [data-testid="wall-more"]', 'round 2 at 1280x720');
  await assertColumnFits('round 2 at 1280x720');
  const small = await display.page.evaluate(() => ({
    shown: document.querySelectorAll('[data-testid="wall-item"]').length,
    more: document.querySelector('[data-testid="wall-more"]').textContent,
  }));
  assert.match(small.more, new RegExp(`Nog ${40 - small.shown} post-its`));
  await screenshot(display.page, 'projector-carousel-40-1280x720');
  await display.page.setViewportSize(FULL_HD);
  await new Promise((r) => setTimeout(r, 300));

  // A pause cannot be missed.
  await lead.send({ type: 'carousel_pause' });
  await display.page.getByTestId('display-paused').getByText('Gepauzeerd').waitFor();
  const paused = await display.page.evaluate(() => ({
    size: parseFloat(getComputedStyle(document.querySelector('[data-testid="display-paused"]')).fontSize),
    opacity: parseFloat(getComputedStyle(document.querySelector('[data-testid="carousel-clock"]')).opacity),
  }));
  assert.ok(paused.size >= 48, `"Gepauzeerd" is large (${paused.size} px)`);
  assert.ok(paused.opacity < 0.5, `the clock is dimmed (${paused.opacity})`);
  await assertFits('[data-testid="wall-item"], [data-testid="display-paused"]', 'paused');
  await assertColumnFits('paused');
  assertNoViolations(await axeViolations(display.page), 'projector paused');
  await screenshot(display.page, 'projector-paused-1920');
  await lead.send({ type: 'carousel_resume' });
  for (const person of people) await person.client.close();
});

test('phase 5: the conversation guide, the asked questions ticked', async () => {
  await gotoPhase(4);
  await display.page.getByTestId('display-guide').waitFor();
  await anna.page.getByLabel('Wat is digitale inclusie voor jou?').check();
  await display.page.locator('.display-guide__item--asked').first().waitFor();
  await assertFits('.display-view', 'guide');
  assertNoViolations(await axeViolations(display.page), 'projector guide');
  await screenshot(display.page, 'projector-guide-1920');
});

test('phase 6: the communication plan table fills up', async () => {
  await gotoPhase(5);
  await display.page.getByTestId('display-plan').waitFor();
  const rows = [
    ['De publieksdienst', 'Wat het IDO doet en voor wie', 'In het werkoverleg in maart'],
    ['Het MT', 'De cijfers van het spreekuur', 'Elk kwartaal een kort verslag'],
  ];
  for (const [i, [who, what, how]] of rows.entries()) {
    await anna.page.getByRole('button', { name: 'Regel toevoegen' }).click();
    await anna.page.getByLabel(`Welke groep collega's? (Regel ${i + 1})`).fill(who);
    await anna.page.getByLabel(`Welke kennis en inzichten zijn voor hen belangrijk? (Regel ${i + 1})`).fill(what);
    await anna.page.getByLabel(`Hoe en wanneer neem je hen mee? (Regel ${i + 1})`).fill(how);
  }
  await display.page.getByTestId('display-plan').getByRole('cell', { name: 'Elk kwartaal een kort verslag' }).waitFor();
  await assertFits('.display-view', 'plan');
  assertNoViolations(await axeViolations(display.page), 'projector plan');
  await screenshot(display.page, 'projector-plan-1920');
  for (const person of [fatima, anna, display]) assert.deepEqual(person.errors, []);
});
