// The workshop in real Chromium: a facilitator and two participants (plus the room display
// and the question-asker) through the phases, the format, the board and a carousel round, to
// the export. The server runs with short test durations (a template minute is 300 ms), so a
// whole carousel round takes 4.5 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
  waitInPage,
  openPanel,
} from './harness.mjs';

const MINUTE_MS = 300;
const HOSTILE = '<img src=x onerror=alert(1)>';

let server;
let browser;
let session;
/** Fatima (facilitator, wide), Anna (participant, phone), Bram (participant, wide), the display. */
let fatima;
let anna;
let bram;
let display;

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

/** Records every websocket the page opens, so a test can send through the page's own one. */
async function captureSockets(page) {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
}

const phaseId = (page) => page.getByTestId('phase').getAttribute('data-phase-id');

async function waitForPhase(page, id) {
  await page.locator(`[data-testid="phase"][data-phase-id="${id}"]`).waitFor();
}

/** Screenshots at 1280 and 360 px; reflow at 320 px and with 200 % text. */
async function bothViewports(person, name) {
  await screenshot(person.page, `${name}-${person.page.viewportSize().width}`);
  const other = person.page.viewportSize().width === WIDE.width ? PHONE : WIDE;
  const before = person.page.viewportSize();
  await person.page.setViewportSize(other);
  await screenshot(person.page, `${name}-${other.width}`);
  // Reflow: at 320 px nothing may need sideways scrolling.
  await person.page.setViewportSize({ width: 320, height: 640 });
  const width = await person.page.evaluate(() => document.documentElement.scrollWidth);
  // Text at 200 % on a 640 px window (a laptop at 200 % zoom): still no sideways scrolling.
  await person.page.setViewportSize({ width: 640, height: 800 });
  const bigText = await person.page.evaluate(async () => {
    document.documentElement.style.fontSize = '200%';
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const w = document.documentElement.scrollWidth;
    document.documentElement.style.fontSize = '';
    return w;
  });
  await person.page.setViewportSize(before);
  assert.ok(width <= 320, `${name} is ${width} px wide at 320`);
  assert.ok(bigText <= 640, `${name} is ${bigText} px wide at 640 with 200 % text`);
}

test('a facilitator creates the session; two participants join; the display opens', async () => {
  fatima = await newPerson(browser, WIDE);
  session = await createSessionViaStartPage(fatima.page, server.http, 'IDO en Taalhuis', 'Fatima');
  await fatima.page.getByTestId('phase-controls').waitFor();
  await fatima.page.getByTestId('qr').first().waitFor();

  // Anna joins on her phone through the join page, as the QR code would bring her.
  anna = await newPerson(browser, PHONE);
  await captureSockets(anna.page);
  await anna.page.goto(`${server.http}/join/${session.code}`);
  await anna.page.getByLabel('Je naam', { exact: true }).fill('Anna');
  await anna.page.getByRole('button', { name: 'Meedoen' }).click();
  await anna.page.getByTestId('you-are').getByText('Je doet mee als Anna.').waitFor();

  const joined = await postJson(server.http, '/api/join', { code: session.code, name: 'Bram' });
  bram = await newPerson(browser, WIDE);
  await bram.page.goto(`${server.http}/s/${joined.session_id}#token=${joined.participant_token}`);
  await bram.page.getByTestId('you-are').getByText('Je doet mee als Bram.').waitFor();

  const link = await fatima.page.getByRole('link', { name: 'Open het scherm' }).getAttribute('href');
  display = await newPerson(browser, WIDE);
  await display.page.goto(new URL(link, server.http).href);
  await display.page.getByTestId('display-code').getByText(session.code.slice(0, 3), { exact: false }).waitFor();
  await display.page.getByTestId('qr').waitFor();

  // Everyone's title comes from the server's session event, for every role.
  for (const person of [anna, bram, display]) {
    await person.page.getByRole('heading', { level: 1, name: 'IDO en Taalhuis' }).waitFor();
  }
  const people = await openPanel(fatima.page, 'Wie is er?');
  await people.getByText('Anna', { exact: true }).waitFor();
  await people.getByText('Bram', { exact: true }).waitFor();
});

test('a participant has no facilitator controls, and a forged facilitator command is refused', async () => {
  const { page } = anna;
  for (const testId of ['phase-controls', 'carousel-controls', 'export', 'participants']) {
    assert.equal(await page.getByTestId(testId).count(), 0, `${testId} on a participant's page`);
  }
  assert.equal(await page.getByRole('button', { name: 'Volgende fase' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Sessie wissen…' }).count(), 0);
  // Through the page's own websocket: a phase_next and a hide, as a control frame (tag 87).
  const answers = await page.evaluate(async () => {
    const ws = window.__sockets.filter((s) => s.readyState === WebSocket.OPEN).at(-1);
    const send = (id, command) => {
      const json = new TextEncoder().encode(JSON.stringify({ id, ...command }));
      const head = [87];
      let n = json.length;
      while (n > 0x7f) {
        head.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      head.push(n);
      const frame = new Uint8Array(head.length + json.length);
      frame.set(head);
      frame.set(json, head.length);
      ws.send(frame);
    };
    const replies = {};
    const done = new Promise((resolve) => {
      ws.addEventListener('message', (event) => {
        const bytes = new Uint8Array(event.data);
        if (bytes[0] !== 87) return;
        let i = 1;
        while (bytes[i] & 0x80) i++;
        const message = JSON.parse(new TextDecoder().decode(bytes.subarray(i + 1)));
        if (message.reply_to >= 9001) {
          replies[message.reply_to] = message;
          if (Object.keys(replies).length === 3) resolve();
        }
      });
    });
    send(9001, { type: 'phase_next' });
    send(9002, { type: 'carousel_add_round', topic: 'vals', owner_id: 'x' });
    send(9003, { type: 'set_settings', anonymous_posting: true });
    await done;
    return replies;
  });
  for (const id of ['9001', '9002', '9003']) {
    assert.equal(answers[id].type, 'error');
    assert.equal(answers[id].code, 'forbidden');
  }
  // Nothing moved.
  assert.equal(await phaseId(page), 'verkenning');
  assert.equal(await phaseId(fatima.page), 'verkenning');
});

test('the question-asker reads; everyone sees which question it is and that it is quiet', async () => {
  const form = fatima.page.getByTestId('visualisation');
  await form.getByLabel('Wie leest de vragen voor?').selectOption({ label: 'Bram' });
  await form.getByRole('button', { name: 'Vragen starten' }).click();
  await anna.page.getByTestId('vis-question-number').getByText('Vraag 1 van 8').waitFor();
  await bram.page.getByRole('link', { name: 'Open het voorleesscherm' }).click();
  await bram.page.getByTestId('asker-question').waitFor();
  assert.match(await bram.page.getByTestId('asker-question').textContent(), /vijf jaar verder/);
  assertNoViolations(await axeViolations(bram.page), 'question-asker');
  await bothViewports(bram, 'asker');
  await bram.page.getByRole('button', { name: 'Klaar met lezen' }).click();
  await anna.page.getByTestId('silence').getByText('Het is even stil.', { exact: false }).waitFor();
  await display.page.getByTestId('silence').getByText('Het is even stil.', { exact: false }).waitFor();
  // Not on to the next question during the silence.
  // (aria-disabled: it stays focusable, so a keyboard user's focus never falls to the body)
  assert.equal(await bram.page.getByRole('button', { name: 'Volgende vraag' }).getAttribute('aria-disabled'), 'true');
  await screenshot(bram.page, 'asker-silence-1280');
  await screenshot(anna.page, 'participant-silence-360');
  await fatima.page.getByRole('button', { name: 'Vragen stoppen' }).click();
  await anna.page.getByTestId('vis-idle').waitFor();
  await bram.page.goBack();
  await bram.page.getByTestId('phase').waitFor();
});

test('the facilitator changes phase and the participants\' pages follow', async () => {
  // Something typed in phase 1 stays when the phase changes.
  // Phase 1's write-up is Anna's own; she shares it to the board, so it is in the export.
  const notes = anna.page.getByLabel('Jouw aantekeningen');
  await notes.fill('Een lichte ruimte met koffie.');
  await anna.page.getByRole('button', { name: 'Deel op het bord' }).click();
  await bram.page.getByTestId('idea').filter({ hasText: 'Een lichte ruimte met koffie.' }).waitFor();
  await fatima.page.getByRole('button', { name: 'Volgende fase' }).click();
  await waitForPhase(anna.page, 'inzicht');
  await waitForPhase(bram.page, 'inzicht');
  await display.page.getByTestId('display-phase').getByText('Fase 2 van 6', { exact: false }).waitFor();
  // Jump straight to phase 3.
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 2 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  for (const person of [fatima, anna, bram]) await waitForPhase(person.page, 'verbindingen');
  await display.page.getByTestId('display-phase').getByText('Kansen voor verbindingen', { exact: false }).waitFor();
  // A polite announcement, not a focus jump.
  await anna.page.locator('#live-region').getByText('Nieuwe fase. Fase 3', { exact: false }).waitFor({ state: 'attached' });
});

test('two participants type in the same format field and both see the merged text', async () => {
  const a = anna.page.getByTestId('side-ido-doelen');
  const b = bram.page.getByTestId('side-ido-doelen');
  await a.click();
  await b.click();
  // Each sees that the other is in the field.
  await anna.page.getByText('Typt hier ook: Bram', { exact: false }).first().waitFor();
  await Promise.all([
    a.pressSequentially('Mensen helpen met DigiD. ', { delay: 15 }),
    b.pressSequentially('Iedereen doet mee. ', { delay: 15 }),
  ]);
  const merged = (page) =>
    waitInPage(page, () => {
      const v = document.querySelector('[data-testid="side-ido-doelen"]')?.value ?? '';
      return v.includes('Mensen helpen met DigiD. ') && v.includes('Iedereen doet mee. ');
    });
  await Promise.all([merged(anna.page), merged(bram.page), merged(fatima.page)]);
  assert.equal(await a.inputValue(), await b.inputValue());
  // The other fields: the programme name, a blue block, page 2 and an action row.
  await bram.page.getByTestId('side-programma-x-name').fill('Taalhuis');
  await bram.page.getByTestId('conn-overeenkomsten-doelen').fill('Allebei werken aan zelfredzaamheid.');
  await anna.page.getByTestId('follow-kansen').fill('Samen spreekuur in de wijk.');
  await anna.page.getByRole('button', { name: 'Actie toevoegen' }).click();
  await anna.page.getByLabel('Wat ga je doen? (Actie 1)').fill('Afspraak maken met het Taalhuis');
  await anna.page.getByLabel('Wie doet het? (Actie 1)').fill('Anna');
  await bram.page.getByLabel('Wie doet het? (Actie 1)').waitFor();
  await waitInPage(bram.page, () =>
    [...document.querySelectorAll('input')].some((i) => i.value === 'Afspraak maken met het Taalhuis' || i.value === 'Anna'),
  );
  await waitInPage(fatima.page, () => document.querySelector('[data-testid="follow-kansen"]')?.value === 'Samen spreekuur in de wijk.');
  await fatima.page.getByRole('heading', { name: 'Taalhuis', level: 4 }).waitFor();
  assertNoViolations(await axeViolations(anna.page), 'participant (format)');
  await bothViewports(anna, 'participant-format');
  await bothViewports(bram, 'participant-format-bram');
});

test('a post-it from one participant appears at the other and on the room display', async () => {
  const input = anna.page.getByLabel('Jouw idee (in de chat)');
  await input.fill('Koffie-ochtend in de bibliotheek');
  await input.press('Enter');
  assert.equal(await input.inputValue(), '');
  for (const person of [bram, fatima]) {
    await person.page.getByTestId('idea').getByText('Koffie-ochtend in de bibliotheek').waitFor();
  }
  await display.page.getByTestId('wall').getByText('Koffie-ochtend in de bibliotheek').waitFor();
  await bram.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByText('van Anna').waitFor();
  await anna.page.getByTestId('idea').filter({ hasText: 'Koffie-ochtend' }).getByText('van jou').waitFor();
});

test('a post-it holding markup shows as text and runs nothing', async () => {
  const input = bram.page.getByLabel('Jouw idee (in de chat)');
  await input.fill(HOSTILE);
  await bram.page.getByRole('button', { name: 'Plaatsen' }).click();
  for (const person of [anna, fatima, bram]) {
    await person.page.getByTestId('idea').getByText(HOSTILE, { exact: true }).waitFor();
  }
  await display.page.getByTestId('wall').getByText(HOSTILE, { exact: true }).waitFor();
  await new Promise((r) => setTimeout(r, 300));
  for (const person of [anna, bram, fatima, display]) {
    assert.equal(await person.page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(person.dialogs, []);
  }
});

test('voting and grouping work without dragging', async () => {
  const card = (page, text) => page.getByTestId('idea').filter({ hasText: text });
  await card(bram.page, 'Koffie-ochtend').getByRole('button', { name: /Stem/ }).click();
  await card(anna.page, 'Koffie-ochtend').getByText('1 stem', { exact: false }).waitFor();
  await bram.page.getByTestId('votes-left').getByText('je hebt nog 2 stemmen').waitFor();
  assert.equal(await card(bram.page, 'Koffie-ochtend').getByRole('button', { name: /Stem/ }).getAttribute('aria-pressed'), 'true');
  // Tick two post-its, then put them in a new group. Anna's phone shows the chat by default
  // (issue 14); grouping is done on the wall.
  await anna.page.getByTestId('board-view-wall').click();
  await card(anna.page, 'Koffie-ochtend').getByLabel('Kiezen').check();
  await card(anna.page, HOSTILE).getByLabel('Kiezen').check();
  await anna.page.getByLabel('Naam van de nieuwe groep').fill('Ontmoeten');
  await anna.page.getByRole('button', { name: 'In de groep zetten' }).click();
  await bram.page.getByRole('heading', { name: /Ontmoeten/ }).waitFor();
  // Rename and take one out again.
  await bram.page.getByRole('button', { name: 'Naam wijzigen: Ontmoeten' }).click();
  await bram.page.getByLabel('Nieuwe naam').fill('Samen ontmoeten');
  await bram.page.getByRole('button', { name: 'Bewaren' }).click();
  await anna.page.getByRole('heading', { name: /Samen ontmoeten/ }).waitFor();
  await card(anna.page, HOSTILE).getByRole('button', { name: 'Uit de groep halen' }).click();
  await bram.page.getByRole('heading', { name: 'Nog niet in een groep' }).waitFor();
  // The facilitator hides the hostile one: gone for participants and the display.
  await card(fatima.page, HOSTILE).getByRole('button', { name: 'Verbergen' }).click();
  await card(anna.page, HOSTILE).waitFor({ state: 'detached' });
  await display.page.getByTestId('wall').getByText(HOSTILE).waitFor({ state: 'detached' });
  await card(fatima.page, HOSTILE).getByText('verborgen voor deelnemers', { exact: false }).waitFor();
  assertNoViolations(await axeViolations(fatima.page), 'facilitator (board)');
  assertNoViolations(await axeViolations(display.page), 'display');
  await bothViewports(fatima, 'facilitator');
  await bothViewports(display, 'display');
});

test('a carousel stage change shows on every page at about the same moment', async () => {
  await fatima.page.getByLabel('Naar fase').selectOption({ index: 3 });
  await fatima.page.getByRole('button', { name: 'Ga', exact: true }).click();
  for (const person of [anna, bram]) await waitForPhase(person.page, 'uitvoeren');
  await fatima.page.getByLabel('Kans of uitdaging').fill('Samen spreekuur in de wijk');
  await fatima.page.getByLabel('Eigenaar', { exact: true }).selectOption({ label: 'Anna' });
  await fatima.page.getByRole('button', { name: 'Ronde toevoegen', exact: true }).click();
  await fatima.page.getByTestId('rounds').getByText('Samen spreekuur in de wijk').waitFor();
  const pages = { facilitator: fatima.page, anna: anna.page, bram: bram.page, display: display.page };
  // Each page notes when it first shows each stage (same machine, so the same clock).
  for (const page of Object.values(pages)) {
    await page.evaluate(() => {
      window.__stages = {};
      const look = () => {
        const el = document.querySelector('[data-testid="carousel-stage"]');
        const stage = el?.getAttribute('data-stage') ?? (el ? 'done' : null);
        if (stage && !(stage in window.__stages)) window.__stages[stage] = Date.now();
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }
  // What a screen reader hears on Anna's phone: milestones only, never every second.
  await anna.page.evaluate(() => {
    window.__said = [];
    const region = document.getElementById('live-region');
    new MutationObserver(() => {
      if (region.textContent) window.__said.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  });
  await fatima.page.getByRole('button', { name: 'Ronde 1 starten' }).click();
  await anna.page.getByTestId('carousel-who').getByText('Anna is aan de beurt. Dat ben jij.').waitFor();
  await bram.page.getByTestId('carousel-who').getByText('Anna is aan de beurt.').waitFor();
  await display.page.getByTestId('carousel-who').getByText('Anna is aan de beurt.').waitFor();
  await screenshot(display.page, 'display-carousel-1280');
  await screenshot(anna.page, 'participant-carousel-360');
  // The server moves the stages by itself; wait for the round to be over (15 minutes of 300 ms).
  for (const page of Object.values(pages)) {
    await page.getByTestId('carousel-stage').getByText('Deze ronde is klaar.').waitFor({ timeout: 15_000 });
  }
  const times = {};
  for (const [name, page] of Object.entries(pages)) times[name] = await page.evaluate(() => window.__stages);
  for (const stage of ['vragen', 'ideeen', 'doorlezen', 'volgende-stap', 'done']) {
    const at = Object.values(times).map((t) => t[stage]);
    assert.ok(at.every((t) => typeof t === 'number'), `every page showed ${stage}: ${JSON.stringify(times)}`);
    const spread = Math.max(...at) - Math.min(...at);
    console.log(`stage ${stage}: spread between the 4 pages ${spread} ms`);
    assert.ok(spread < 1000, `stage ${stage} spread ${spread} ms`);
  }
  // The live region speaks 100 ms after a change (see live-region.ts).
  await waitInPage(anna.page, () => window.__said.includes('De tijd is om. Deze ronde is klaar.'));
  const said = await anna.page.evaluate(() => window.__said);
  console.log(`live region during the round: ${JSON.stringify(said)}`);
  assert.ok(said.some((m) => m.startsWith('Nieuwe stap. Stap 2 van 5: Vragen stellen. De meedenkers zijn aan de beurt.')), JSON.stringify(said));
  assert.ok(said.includes('De tijd is om. Deze ronde is klaar.'), JSON.stringify(said));
  assert.ok(said.length <= 8, `at most a message per step: ${JSON.stringify(said)}`);
  // The stages follow the template's minutes: 2, 3, 5, 3 template minutes apart.
  const f = times.facilitator;
  const gaps = [f.ideeen - f.vragen, f.doorlezen - f.ideeen, f['volgende-stap'] - f.doorlezen].map((g) => Math.round(g / MINUTE_MS));
  assert.deepEqual(gaps, [3, 5, 3]);
});

test('the owner writes the next step; participants and facilitators keep their roles', async () => {
  const form = anna.page.getByTestId('next-step-form');
  await form.getByLabel('Wat ga je doen?').fill('Bel de coördinator van het Taalhuis');
  await form.getByRole('button', { name: 'Afspraak bewaren' }).click();
  await fatima.page.getByTestId('rounds').getByText('Bel de coördinator van het Taalhuis', { exact: false }).waitFor();
  // Bram is not the owner: no form for him.
  assert.equal(await bram.page.getByTestId('next-step-form').count(), 0);
  assertNoViolations(await axeViolations(anna.page), 'participant (carousel)');
  assertNoViolations(await axeViolations(fatima.page), 'facilitator (carousel)');
  await bothViewports(fatima, 'facilitator-carousel');
});

test('whole workshop: the last phases, then the Markdown export holds what was typed', async () => {
  await fatima.page.getByRole('button', { name: 'Volgende fase' }).click();
  await waitForPhase(anna.page, 'borging');
  await anna.page.getByLabel('Wat is digitale inclusie voor jou?').check();
  await waitInPage(bram.page, () => document.querySelector('[data-testid="guide"] input[type="checkbox"]')?.checked === true);
  await fatima.page.getByRole('button', { name: 'Volgende fase' }).click();
  await waitForPhase(bram.page, 'delen');
  await bram.page.getByRole('button', { name: 'Regel toevoegen' }).click();
  await bram.page.getByLabel('Welke groep collega\'s? (Regel 1)').fill('De publieksdienst');
  await waitInPage(anna.page, () => [...document.querySelectorAll('textarea')].some((t) => t.value === 'De publieksdienst'));
  await bothViewports(bram, 'participant-plan');

  await openPanel(fatima.page, 'Resultaten');
  const [download] = await Promise.all([
    fatima.page.waitForEvent('download'),
    fatima.page.getByRole('button', { name: 'Tekst om verder te bewerken (Markdown)' }).click(),
  ]);
  const markdown = readFileSync(await download.path(), 'utf8');
  for (const typed of [
    'Mensen helpen met DigiD.',
    'Iedereen doet mee.',
    'Taalhuis',
    'Allebei werken aan zelfredzaamheid.',
    'Samen spreekuur in de wijk.',
    'Afspraak maken met het Taalhuis',
    'Koffie-ochtend in de bibliotheek',
    'Bel de coördinator van het Taalhuis',
    'De publieksdienst',
    'Een lichte ruimte met koffie.',
  ]) {
    assert.ok(markdown.includes(typed), `the export lacks ${JSON.stringify(typed)}:\n${markdown}`);
  }
  // The print page opens in a new tab, from the same click.
  const [tab] = await Promise.all([
    fatima.context.waitForEvent('page'),
    fatima.page.getByRole('button', { name: 'Pagina om te printen' }).click(),
  ]);
  await tab.waitForLoadState();
  await waitInPage(tab, () => document.body?.textContent?.includes('Koffie-ochtend in de bibliotheek'));
  await tab.close();
  for (const person of [fatima, anna, bram, display]) assert.deepEqual(person.errors, []);
});

test('a co-facilitator link steers the session but cannot delete it', async () => {
  await openPanel(fatima.page, 'Een tweede begeleider');
  await fatima.page.getByLabel('Naam', { exact: true }).fill('Karin');
  await fatima.page.getByRole('button', { name: 'Link maken' }).click();
  const link = (await fatima.page.getByTestId('cofac-link').locator('.share__value').textContent()).trim();
  assert.match(link, /\/s\/[A-Za-z0-9_-]+#token=/);
  const karin = await newPerson(browser, WIDE);
  await karin.page.goto(link);
  await karin.page.getByTestId('phase-controls').waitFor();
  assert.equal(await karin.page.getByRole('button', { name: 'Sessie wissen…' }).count(), 0);
  await (await openPanel(fatima.page, 'Wie is er?')).getByText('Karin', { exact: true }).waitFor();
  await karin.context.close();
});

test('a post-it written offline waits, is sent once when back, and a draft survives a reload', async () => {
  const { page, context } = anna;
  await context.setOffline(true);
  const input = page.getByLabel('Jouw idee (in de chat)');
  await input.fill('Offline bedacht: een leesclub');
  await input.press('Enter');
  await page.getByText('Wordt verstuurd:', { exact: false }).waitFor();
  // A draft, not yet sent.
  await input.fill('Nog een half idee');
  await context.setOffline(false);
  await bram.page.getByTestId('idea').getByText('Offline bedacht: een leesclub').waitFor({ timeout: 20_000 });
  await page.getByText('Wordt verstuurd:', { exact: false }).waitFor({ state: 'detached' });
  await page.reload();
  await page.getByTestId('phase').waitFor();
  assert.equal(await page.getByLabel('Jouw idee (in de chat)').inputValue(), 'Nog een half idee');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await bram.page.getByTestId('idea').filter({ hasText: 'Offline bedacht' }).count(), 1, 'posted once');
});

test('the language switch also turns the workshop texts into English', async () => {
  await bram.page.getByRole('button', { name: 'Switch to English' }).click();
  await bram.page.getByText('Phase 6 of 6').waitFor();
  await bram.page.getByRole('heading', { name: 'Sharing this way of working more widely' }).waitFor();
  assert.equal(await bram.page.getAttribute('html', 'lang'), 'en');
  assertNoViolations(await axeViolations(bram.page), 'participant (en)');
  await screenshot(bram.page, 'participant-en-1280');
  await bram.page.getByRole('button', { name: 'Nederlands' }).click();
  await bram.page.getByText('Fase 6 van 6').waitFor();
});

test('a new code: asked first, then the old code, link and QR stop working and every screen shows the new one', async () => {
  const shown = async (page, testId) => (await page.getByTestId(testId).textContent()).replace(/[\s-]/g, '');
  const qrLabel = (page) => page.getByTestId('qr').first().getAttribute('aria-label');
  const old = await shown(fatima.page, 'join-code');
  assert.equal(old, session.code.replace(/-/g, ''));
  const rotate = fatima.page.getByRole('button', { name: 'Nieuwe code maken' });
  // "Cancel" changes nothing.
  await rotate.click();
  assert.match(fatima.dialogs.at(-1), /werken dan meteen niet meer/);
  await postJson(server.http, '/api/join', { code: old, name: 'Nog met de oude code' });
  assert.equal(await shown(fatima.page, 'join-code'), old);

  fatima.acceptDialogs = true;
  await rotate.click();
  fatima.acceptDialogs = false;
  await waitInPage(fatima.page, (old) => {
    const code = document.querySelector('[data-testid="join-code"]')?.textContent?.replace(/[\s-]/g, '');
    return code && code !== old;
  }, old);
  const code = await shown(fatima.page, 'join-code');
  assert.match(code, /^[ACDEFGHJKMNPQRTWXY34679]{12}$/);
  await fatima.page.getByText(`${server.http}/join/${code}`).waitFor();
  assert.ok((await qrLabel(fatima.page)).endsWith(`/join/${code}`), 'the share panel QR holds the new link');
  // The room display follows without a reload.
  await waitInPage(display.page, (code) => document.querySelector('[data-testid="display-code"]')?.textContent?.replace(/[\s-]/g, '') === code, code);
  assert.ok((await qrLabel(display.page)).endsWith(`/join/${code}`), 'the display QR holds the new link');
  await assert.rejects(postJson(server.http, '/api/join', { code: old, name: 'Oude code' }), /: 404 /);
  const joined = await postJson(server.http, '/api/join', { code, name: 'Nieuwe code' });
  assert.equal(joined.session_id, session.id);
  for (const person of [fatima, anna, bram, display]) assert.deepEqual(person.errors, []);
});

test('deleting the session asks first, then every page says it is gone', async () => {
  await openPanel(fatima.page, 'Sessie wissen');
  await fatima.page.getByRole('button', { name: 'Sessie wissen…' }).click();
  const dialog = fatima.page.getByRole('dialog', { name: 'Weet je het zeker?' });
  await dialog.waitFor();
  // Focus starts on "No": a stray Enter deletes nothing.
  assert.equal(await fatima.page.evaluate(() => document.activeElement?.textContent), 'Nee, niet wissen');
  assertNoViolations(await axeViolations(fatima.page), 'delete dialog');
  await screenshot(fatima.page, 'delete-dialog-1280');
  await dialog.getByRole('button', { name: 'Ja, wis alles' }).click();
  for (const person of [fatima, anna, bram, display]) {
    await person.page.getByRole('heading', { name: 'Deze sessie is gewist' }).waitFor();
  }
});
