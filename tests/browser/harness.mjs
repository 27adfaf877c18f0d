// Shared set-up for the browser tests: the real server binary serving the built client, and
// Debian's Chromium driven by playwright-core. Builds nothing: scripts/test.sh builds the
// binary and web-client/dist first.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { postJson, repoRoot, startServer } from '../node/server-harness.mjs';

export { postJson };

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const screenshotDir = path.join(here, 'screenshots');
const webDist = path.join(repoRoot, 'web-client', 'dist');

export const WIDE = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 740 };
/** The phone the workshop runs were made on (iPhone 12-15). */
export const PHONE_390 = { width: 390, height: 844 };

/** Starts the server with the built web client (memory store unless `dataDir` is given). */
export async function startWebServer(options = {}) {
  if (!existsSync(path.join(webDist, 'index.html'))) {
    throw new Error(`${webDist} is not built: run npm --prefix web-client run build first`);
  }
  // Every test creates sessions from one address: lift the per-address creation limit.
  return startServer({ ...options, web: webDist, args: ['--create-per-minute', '100000', ...(options.args ?? [])] });
}

/** Debian's Chromium; never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context (its own localStorage: another person) with a page. Every `confirm` is
 * recorded in `dialogs` and answered "cancel", unless the test sets `acceptDialogs`.
 */
export async function newPerson(browser, viewport = WIDE) {
  const context = await browser.newContext({ viewport, locale: 'nl-NL', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const dialogs = [];
  const person = { context, page, dialogs, errors: [], acceptDialogs: false };
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await (person.acceptDialogs ? dialog.accept() : dialog.dismiss());
  });
  const { errors } = person;
  page.on('pageerror', (err) => errors.push(String(err)));
  // Whatever the server's Content-Security-Policy refuses is an error too (Chromium reports
  // it on the console only), so the tests that expect no errors also prove the policy fits.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) errors.push(msg.text());
  });
  return person;
}

/** Saves a full-page screenshot as screenshots/NAME.png (gitignored). */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Runs axe-core on the page; returns the violations (WCAG 2.x A and AA rules). */
export async function axeViolations(page) {
  // Not page.addScriptTag: that adds an inline script, which the server's
  // Content-Security-Policy (script-src 'self') rightly refuses. An evaluation through the
  // DevTools protocol is not the page's own script, so the policy does not apply to it.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
}

/** Creates a session through the start page; returns its id and the facilitator's page. */
export async function createSessionViaStartPage(page, base, title, name) {
  await page.goto(`${base}/`);
  await page.getByLabel('Naam van de sessie').fill(title);
  if (name) await page.getByLabel('Je naam als begeleider').fill(name);
  await page.getByRole('button', { name: 'Sessie maken' }).click();
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await page.getByTestId('you-are').waitFor();
  const id = new URL(page.url()).pathname.split('/')[2];
  const code = (await page.getByTestId('join-code').textContent()).replace(/\s/g, '');
  return { id, code };
}

/**
 * The write-up after the visualisation (phase 1) is personal (server state, not Yjs): tests of
 * co-editing use phase 5's shared notes. Moves the session there from the facilitator's page.
 */
export const SHARED_NOTES = 'notes-gespreksnotities';
export async function toSharedNotes(facilitatorPage) {
  await facilitatorPage.getByLabel('Naar fase').selectOption({ index: 4 });
  await facilitatorPage.getByRole('button', { name: 'Ga', exact: true }).click();
  await facilitatorPage.getByTestId(SHARED_NOTES).waitFor();
}

/** Waits until `fn(arg)` is truthy in the page. */
export function waitInPage(page, fn, arg, timeout = 10_000) {
  return page.waitForFunction(fn, arg, { timeout });
}

/**
 * Records the websocket frames of a page (binary payloads as Buffers), to check the wire:
 * `sent` and `received` arrays, across reconnects.
 */
export function recordFrames(page) {
  const frames = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.sent.push(Buffer.from(f.payload)));
    ws.on('framereceived', (f) => frames.received.push(Buffer.from(f.payload)));
  });
  return frames;
}

/** The JSON of a control frame (tag 87, varString), or null for other frames. */
export function controlJson(frame) {
  if (frame[0] !== 87) return null;
  // varUint length: 7 bits a byte, low bits first.
  let len = 0;
  let shift = 0;
  let i = 1;
  for (;;) {
    const b = frame[i++];
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return JSON.parse(frame.subarray(i, i + len).toString('utf8'));
}

/** Joins `session` by its code as `name` in a new browser context, and waits until the page says so. */
export async function joinAs(server, browser, session, name, viewport = WIDE) {
  const joined = await postJson(server.http, '/api/join', { code: session.join_code, name });
  const person = await newPerson(browser, viewport);
  await person.page.goto(`${server.http}/s/${session.id}#token=${joined.participant_token}`);
  await person.page.getByTestId('you-are').getByText(`Je doet mee als ${name}.`).waitFor();
  return person;
}

/** Posts a post-it from the composer and waits for it on the page's board. */
export async function postIt(page, text) {
  await page.getByLabel('Jouw idee (in de chat)').fill(text);
  await page.getByRole('button', { name: 'Plaatsen' }).click();
  await page.getByTestId('idea').filter({ hasText: text }).waitFor();
}

// ---- facil: keyboard, zoom and announcements (issue 14) ----

/**
 * Browser zoom, emulated as what it does to a page: a window `width`×`height` device px at
 * `zoom` (2 = 200 %) lays the page out in a viewport of width/zoom × height/zoom CSS px, with
 * devicePixelRatio = zoom; media queries see the CSS width. (Chromium's own zoom is not
 * reachable from the DevTools protocol; a deviceScaleFactor alone, with the CSS viewport
 * unchanged, is not zoom.) `resetZoom` puts the page's own viewport back.
 */
export async function emulateZoom(page, width, height, zoom) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', {
    width: Math.round(width / zoom),
    height: Math.round(height / zoom),
    deviceScaleFactor: zoom,
    mobile: false,
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return cdp;
}

export async function resetZoom(page, cdp, viewport) {
  await cdp.send('Emulation.clearDeviceMetricsOverride');
  await cdp.detach();
  await page.setViewportSize(viewport);
}

/** How far the page is wider than its viewport (0: no sideways scrolling). */
export function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Starts recording what the page's polite live region says; read it with `said(page)`. */
export async function recordAnnouncements(page) {
  await page.evaluate(() => {
    window.__said = [];
    // One observer per page: calling this again only starts a fresh list.
    if (window.__saidObserved) return;
    window.__saidObserved = true;
    const region = document.getElementById('live-region');
    new MutationObserver(() => {
      if (region.textContent) window.__said.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  });
}

export function said(page) {
  return page.evaluate(() => window.__said);
}

/** What has keyboard focus: tag, label text and test id, or 'BODY'. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'BODY';
    const label = el.getAttribute('aria-label') || (el.labels && el.labels[0]?.textContent) || el.textContent || '';
    return `${el.tagName}:${label.trim().replace(/\s+/g, ' ').slice(0, 60)}`;
  });
}

/** Opens a folded panel of the facilitator's page (share, people, settings, …) by its heading. */
export async function openPanel(page, heading) {
  const details = page.locator('details.fold').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
  await details.waitFor();
  if (!(await details.evaluate((el) => el.open))) await details.locator('summary').click();
  return details;
}

/**
 * A bare control-channel client (the control frames of connection.ts, nothing else) opened
 * inside `page`, which must be at the server's origin, with `token`'s seat. `send(command)`
 * resolves with the server's answer to it (the event with its `reply_to`: `ack`, `error`, …). For tests that need many
 * commands (40 post-its) or commands whose buttons another part of the UI owns.
 */
export async function controlClient(page, sessionId, token) {
  const handle = await page.evaluateHandle(
    async ({ sessionId, token }) => {
      const url = `${location.origin.replace(/^http/, 'ws')}/ws/${sessionId}`;
      const ws = new WebSocket(url, ['werkplaats', `werkplaats-token.${token}`]);
      ws.binaryType = 'arraybuffer';
      const waiting = new Map();
      let next = 1;
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      const frame = (obj) => {
        const body = encoder.encode(JSON.stringify(obj));
        const head = [87];
        let n = body.length;
        while (n >= 0x80) {
          head.push((n & 0x7f) | 0x80);
          n = Math.floor(n / 128);
        }
        head.push(n);
        const out = new Uint8Array(head.length + body.length);
        out.set(head);
        out.set(body, head.length);
        return out;
      };
      ws.onmessage = (event) => {
        const bytes = new Uint8Array(event.data);
        if (bytes[0] !== 87) return;
        let i = 1;
        let len = 0;
        let shift = 0;
        for (;;) {
          const b = bytes[i++];
          len += (b & 0x7f) * 2 ** shift;
          if (b < 0x80) break;
          shift += 7;
        }
        const msg = JSON.parse(decoder.decode(bytes.subarray(i, i + len)));
        const resolve = msg.reply_to === undefined ? null : waiting.get(msg.reply_to);
        if (resolve) {
          waiting.delete(msg.reply_to);
          resolve(msg);
        }
      };
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('control socket failed'));
      });
      const send = (command) =>
        new Promise((resolve) => {
          const id = next++;
          waiting.set(id, resolve);
          ws.send(frame({ id, ...command }));
        });
      await send({ type: 'hello', version: 1 });
      return { send, close: () => ws.close() };
    },
    { sessionId, token },
  );
  return {
    async send(command) {
      const answer = await handle.evaluate((client, command) => client.send(command), command);
      if (answer.type === 'error') throw new Error(`${command.type}: ${answer.code} ${answer.message}`);
      return answer;
    },
    close: () => handle.evaluate((client) => client.close()),
  };
}

/**
 * Whether the page fits its window: no scrolling either way, and every element matching
 * `selector` wholly inside the window. Returns the offenders, for the assertion's message.
 */
export function overflowReport(page, selector) {
  return page.evaluate((selector) => {
    const doc = document.documentElement;
    const report = { scrollHeight: doc.scrollHeight, scrollWidth: doc.scrollWidth, height: innerHeight, width: innerWidth, outside: [] };
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) {
        report.outside.push(`${el.textContent.slice(0, 40)} @ ${Math.round(r.top)}..${Math.round(r.bottom)}`);
      }
    }
    return report;
  }, selector);
}
