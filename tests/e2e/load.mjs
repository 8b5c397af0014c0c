// How long each page of the built site takes to become usable on a classroom network and a slow
// laptop: a cold load (no cache, no storage) over 10 Mbit/s with a 40 ms round trip and the CPU
// slowed 4x, in headless Chromium. It prints figures and never fails on slowness; it exits non-zero
// only when a page does not load at all (an exception, a console error, no step counter).
//
//   DISTLAB_DIST=$PWD/dist node tests/e2e/load.mjs
//
// One line per page, `load jms: 301.2 KB, 2345 ms`: KB are the bytes that crossed the network
// (the DevTools Protocol's encodedDataLength, so gzipped bodies plus headers; 1 KB = 1000 bytes),
// ms run from just before navigation until the page answers: for a lab, its step counter shows and
// → has moved it to step 1; for the landing page, every lab's card shows.

import fs from 'node:fs';
import path from 'node:path';

import { DIST_DIR, isLocalUrl, launchBrowser, startServer, tid } from './harness.mjs';

const TIMEOUT = 60000; // the CPU is slowed down: be generous
const NETWORK = {
  offline: false,
  latency: 40, // ms, round trip
  downloadThroughput: 10_000_000 / 8, // bytes per second
  uploadThroughput: 10_000_000 / 8,
};
const CPU_SLOWDOWN = 4;

// index.html first, then the labs' pages.
const labs = fs
  .readdirSync(DIST_DIR)
  .filter((f) => f.endsWith('.html') && f !== 'index.html')
  .sort()
  .map((f) => path.basename(f, '.html'));
const pages = ['index', ...labs];

function within(what) {
  throw new Error(`${what} within ${TIMEOUT / 1000} s`);
}

/** Loads `name`.html cold and returns `{ bytes, ms }`; throws when the page does not come up. */
async function measure(browser, url, name) {
  // A fresh context per page: an empty cache and empty storage, as on a first visit.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    // The first console error, uncaught error or off-host request fails the load at once, with its
    // own message rather than a timeout 60 s later.
    let fail;
    const broken = new Promise((_, reject) => (fail = (why) => reject(new Error(why))));
    broken.catch(() => {}); // a problem after the figures are in needs no handler
    page.on('console', (msg) => msg.type() === 'error' && fail(`console error: ${msg.text()}`));
    page.on('pageerror', (err) => fail(`page error: ${err.message}`));
    page.on('crash', () => fail('the page crashed'));
    page.on('request', (req) => {
      if (!isLocalUrl(req.url())) fail(`request to a host other than 127.0.0.1: ${req.url()}`);
    });

    const cdp = await context.newCDPSession(page);
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });

    const start = performance.now();
    const ready = (async () => {
      // 'commit': the clock stops at our own condition below, not at the load event.
      await page.goto(`${url}/${name}.html`, { waitUntil: 'commit' });
      if (name === 'index') {
        await page
          .waitForFunction(
            (n) => {
              const cards = document.querySelectorAll('.lab-card');
              return cards.length === n && [...cards].every((c) => c.getClientRects().length > 0);
            },
            labs.length,
            { timeout: TIMEOUT },
          )
          .catch(() => within(`the ${labs.length} lab cards did not show`));
      } else {
        await page
          .locator(tid('step-counter'))
          .waitFor({ state: 'visible' })
          .catch(() => within('the step counter did not show'));
        await page.keyboard.press('ArrowRight');
        await page
          .waitForFunction(
            (sel) => document.querySelector(sel)?.getAttribute('data-step') === '1',
            tid('step-counter'),
            { timeout: TIMEOUT },
          )
          .catch(() => within('→ did not take the player to step 1'));
      }
    })();
    ready.catch(() => {}); // when `broken` wins, closing the context ends these waits
    await Promise.race([ready, broken]);
    const ms = performance.now() - start;
    // Count what the page still fetches after it answers (the icon, say) as part of the load.
    await Promise.race([page.waitForLoadState('networkidle'), broken]);
    return { bytes, ms };
  } finally {
    await context.close();
  }
}

const server = await startServer();
// Fetch every file gzipped once before timing: the server compresses a file on its first request
// (up to ~75 ms for a lab's wasm, in this very process), which a real server would have done ahead.
for (const file of fs.readdirSync(DIST_DIR)) {
  await (await fetch(`${server.url}/${file}`, { headers: { 'Accept-Encoding': 'gzip' } })).arrayBuffer();
}
const browser = await launchBrowser();
const results = [];
let failed = 0;
console.log(
  `load time, cold, 10 Mbit/s down, 40 ms RTT, CPU slowed ${CPU_SLOWDOWN}x (figures, not assertions):`,
);
try {
  for (const name of pages) {
    const shown = name === 'index' ? 'landing' : name;
    try {
      const { bytes, ms } = await measure(browser, server.url, name);
      results.push({ shown, bytes, ms });
      console.log(`load ${shown}: ${(bytes / 1000).toFixed(1)} KB, ${Math.round(ms)} ms`);
    } catch (err) {
      failed += 1;
      console.log(`load ${shown}: FAILED, the page did not load: ${err.message.split('\n')[0]}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}

if (results.length > 0) {
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
  const labResults = results.filter((r) => r.shown !== 'landing');
  const mean = labResults.reduce((s, r) => s + r.ms, 0) / (labResults.length || 1);
  console.log(
    `${results.length} of ${pages.length} pages loaded; slowest ${slowest.shown} ` +
      `(${Math.round(slowest.ms)} ms), labs ${Math.round(mean)} ms on average`,
  );
}
if (failed > 0) {
  console.error(`${failed} page(s) failed to load (see above)`);
  process.exitCode = 1;
}
