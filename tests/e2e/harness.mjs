// Test harness for the distlab end-to-end suite.
//
// - `startServer(dir)` serves a folder (by default the trunk output, dist/) on 127.0.0.1 with an
//   ephemeral port and the right MIME types (application/wasm included), using only node:http.
// - `launchBrowser()` starts Debian's Chromium through playwright-core with the flags that work as
//   root on a machine without internet access. playwright-core never downloads a browser here.
// - `openPage(browser, options)` gives a page in a fresh browser context that records every request
//   to a host other than 127.0.0.1 (and aborts it), every console error and every uncaught page
//   error. `page.assertClean()` (called by `closePage`) fails the test when any happened.
// - `screenshot(page, name)` writes a full-page PNG to tests/e2e/screenshots/.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

import { mimeType, startServer as serve } from './server.mjs';

export { mimeType };

const here = path.dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = path.resolve(here, '..', '..');
export const DIST_DIR = process.env.DISTLAB_DIST
  ? path.resolve(process.env.DISTLAB_DIST)
  : path.join(REPO_ROOT, 'dist');
export const SCREENSHOT_DIR = path.join(here, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// The flags verified on this kind of machine (see shared/TOOLCHAIN.md). Without the
// background-networking flags Chromium keeps trying to reach Google's hosts. playwright adds
// `--headless` itself for `headless: true` and refuses `--user-data-dir` in `args`: `launch()`
// always starts Chromium on a fresh temporary profile of its own, removed when the browser closes.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Serves `root` (by default dist/) on 127.0.0.1 with an ephemeral port; see server.mjs. */
export function startServer(root = DIST_DIR) {
  return serve(root);
}

/**
 * The built site served from dist/ and a browser, for the tests of one file: started before them
 * and closed after them. Tests read `site.server.url` and `site.browser`.
 */
export function useSite() {
  const site = { server: null, browser: null };
  before(async () => {
    site.server = await startServer();
    site.browser = await launchBrowser();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}

/** How long a single wait for the UI may take, in milliseconds. */
export const TIMEOUT = Number(process.env.DISTLAB_E2E_TIMEOUT || 15000);


/** Starts headless Chromium. */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (./test does)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** True for the addresses a page of ours may load: our own server, and in-page URLs. */
export function isLocalUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:', 'javascript:'].includes(url.protocol)) return true;
  return (url.protocol === 'http:' || url.protocol === 'ws:') && url.hostname === '127.0.0.1';
}

/**
 * Opens a page in a new browser context (its own cookies and localStorage) and watches it.
 * Options: `viewport`, `locale`, `allowConsole` (array of RegExp for console errors that a test
 * expects), `context` (reuse an existing context instead of making one).
 */
export async function openPage(browser, options = {}) {
  const ownContext = !options.context;
  const context =
    options.context ||
    (await browser.newContext({
      viewport: options.viewport || { width: 1280, height: 900 },
      locale: options.locale || 'en-US',
    }));
  const problems = [];
  const note = (line) => {
    if (!problems.includes(line)) problems.push(line);
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    note(`request to a host other than 127.0.0.1: ${url}`);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('request', (req) => {
    // WebSocket and other requests that bypass routing still show up here.
    if (!isLocalUrl(req.url())) note(`request to a host other than 127.0.0.1: ${req.url()}`);
  });
  page.on('websocket', (ws) => {
    if (!isLocalUrl(ws.url())) note(`websocket to a host other than 127.0.0.1: ${ws.url()}`);
  });
  const allow = options.allowConsole || [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allow.some((re) => re.test(text))) return;
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    note(`console error: ${text}${where}`);
  });
  page.on('pageerror', (err) => {
    note(`page error: ${err.message}`);
  });
  page.on('crash', () => note('the page crashed'));
  page.problems = problems;
  page.assertClean = () => {
    if (problems.length > 0) {
      throw new Error(`the page was not clean:\n  ${problems.join('\n  ')}`);
    }
  };
  page.closeAll = async () => {
    if (ownContext) await context.close();
    else await page.close();
  };
  return page;
}

/** Fails when the page logged errors or went off-host, then closes it (and its own context). */
export async function closePage(page) {
  try {
    page.assertClean();
  } finally {
    await page.closeAll();
  }
}

/** Writes a full-page screenshot to tests/e2e/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A fresh empty temporary folder (for fixtures). */
export function tempDir(prefix = 'distlab-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// --- the player's test ids, shared by every lab's tests --------------------------------------

/** The selector of an element by its `data-testid`. */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * Opens a lab's page (`<lab>.html`, with an optional fragment `#lab=…`) on the server at
 * `baseUrl`, and waits until it is interactive: its step counter shows, and its top bar marks the
 * lab as the page on screen.
 */
export async function openLab(page, baseUrl, lab, hash = '') {
  await page.goto(`${baseUrl}/${lab}.html${hash}`);
  await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
  const current = await page.locator(tid(`lab-${lab}`)).getAttribute('aria-current');
  if (current !== 'page') {
    throw new Error(`${lab}.html does not mark its own lab in the top bar (aria-current=${current})`);
  }
}

/** The step on screen. */
export async function stepOf(page) {
  return Number(await page.locator(tid('step-counter')).getAttribute('data-step'));
}

/** The number of steps of the run on screen. */
export async function totalOf(page) {
  return Number(await page.locator(tid('step-counter')).getAttribute('data-total'));
}

/** Waits until the player shows step `step`. */
export async function waitStep(page, step) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.getAttribute('data-step') === String(want),
    [tid('step-counter'), step],
  );
}

/** The invariants panel's entry of invariant `id`. */
export function invariant(page, id) {
  return page.locator(`${tid('invariant')}[data-invariant="${id}"]`);
}

/** Switches the page to 中文 (`zh` true) or English with its toggle, unless it is there already. */
export async function setChinese(page, zh) {
  const isZh = await page.evaluate(() => document.documentElement.lang.startsWith('zh'));
  if (isZh !== zh) {
    await page.locator(tid('lang-toggle')).click();
    await page.waitForFunction((z) => document.documentElement.lang.startsWith('zh') === z, zh);
  }
}

/**
 * Opens the lesson `scenario-<id>` from the list of the page on screen, plays it to its end with
 * End, and steps back to its start one step at a time (every state renders from the checkpoints).
 * Resolves to the narration at the end.
 */
export async function playToEndAndBack(page, testid) {
  await page.locator(tid(testid)).click();
  await waitStep(page, 0);
  await page.locator(tid('scenario-title')).click();
  const total = await totalOf(page);
  await page.keyboard.press('End');
  await waitStep(page, total);
  const narration = (await page.locator(tid('narration')).textContent()) || '';
  for (let k = total - 1; k >= 0; k--) {
    await page.keyboard.press('ArrowLeft');
    await waitStep(page, k);
  }
  return narration;
}

// --- the projector: what a classroom sees -------------------------------------------------------

/** Every lesson of a lab, from the site's data: [{ id, title }] in the lab's order. */
export function lessonsOf(lab) {
  return JSON.parse(fs.readFileSync(path.join(DIST_DIR, 'lessons', lab, 'index.json'), 'utf8'));
}

/**
 * The decisive step of a lesson: the step its "predict, then reveal" question is about (the answer
 * shows there), or its last step when it asks none.
 */
export function decisiveStep(lab, id) {
  const file = JSON.parse(fs.readFileSync(path.join(DIST_DIR, 'lessons', lab, `${id}.json`), 'utf8'));
  const steps = file[lab].steps;
  const asked = steps.findIndex((s) => s.question);
  return asked >= 0 ? asked + 1 : steps.length;
}

/** Opens a page at `viewport` with the language and projector mode set before it loads. */
export async function openAt(browser, viewport, { zh = false, projector = true, scale = 1 } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
  await context.addInitScript(([l, p]) => {
    localStorage.setItem('distlab.lang', l);
    localStorage.setItem('distlab.projector', String(p));
  }, [zh ? 'zh' : 'en', projector]);
  return openPage(browser, { context });
}

/**
 * What can be measured of a lab page on screen, for the projector:
 * - `overflowX`: how far the page scrolls sideways (0 when it does not);
 * - `offscreen`: the visible buttons, links and fields that stick out of the viewport sideways;
 * - the rendered size in CSS px of every text of the lab's diagrams (`.stage .diagram svg text`,
 *   its font size times the SVG's scale): `count`, `median`, `p10` (the smallest tenth's top);
 * - `narrationBottom`, `invariantsBottom`: where the narration and the invariants end, against
 *   `height`, the viewport's.
 */
export async function measureLayout(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const height = window.innerHeight;
    const sizes = [];
    for (const text of document.querySelectorAll('.stage .diagram svg text')) {
      const box = text.getBoundingClientRect();
      if (!text.textContent.trim() || box.width === 0 || box.height === 0) continue;
      const m = text.getScreenCTM();
      if (!m) continue;
      sizes.push(parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
    }
    sizes.sort((a, b) => a - b);
    const at = (q) => (sizes.length ? sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))] : 0);
    const offscreen = [];
    for (const el of document.querySelectorAll('button, a, input, select, summary')) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || style.visibility === 'hidden') continue;
      if (box.left < -1 || box.right > width + 1) {
        offscreen.push(el.dataset.testid || el.textContent.trim().slice(0, 30) || el.tagName);
      }
    }
    const bottom = (sel) => {
      const el = document.querySelector(sel);
      return el ? Math.round(el.getBoundingClientRect().bottom) : Infinity;
    };
    return {
      width,
      height,
      overflowX: document.documentElement.scrollWidth - width,
      offscreen,
      count: sizes.length,
      median: Math.round(at(0.5) * 10) / 10,
      p10: Math.round(at(0.1) * 10) / 10,
      narrationBottom: bottom('[data-testid="narration"]'),
      invariantsBottom: bottom('[data-testid="invariants"] .invariants'),
    };
  });
}
