// End-to-end tests of the site as a whole: the landing page (dist/index.html, no Yew) and the six
// lab pages (dist/<id>.html, each its own wasm), and the ways between them: the landing page's
// cards, the lab pages' top-bar links, old links of the one-page site, and scenario files of
// another lab. Language and projector mode live in local storage (`distlab.lang`,
// `distlab.projector`) and must carry over from page to page. The data-testid contract:
//
//   landing page: card-<id> (an <a class="lab-card" href="<id>.html"> with the lab's name in <h2>,
//     what it teaches in .teaches and its syllabus topics in .topics), lessons-<id> ("12 lessons" /
//     "12 节课"), lang-toggle, projector-toggle, message (an old link that cannot be followed);
//   lab pages: home (href="index.html"), lab-<id> (href="<id>.html", the open lab's with
//     aria-current="page" and class "active"), scenario-<id> (the open lesson's with class
//     "active"), scenario-title, step-counter[data-step, data-total], lang-toggle,
//     projector-toggle, share-link, export, import (a file input), message.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { closePage, openPage, screenshot, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

// Every lab of the site, in the landing page's order, with its number of lessons.
const LABS = [
  ['ring', 5],
  ['jms', 12],
  ['activemq', 6],
  ['rabbitmq', 12],
  ['flow', 3],
  ['locks', 12],
  ['ids', 11],
];
const CJK = /[\u4e00-\u9fff]/;
// The landing page at the projector's size, for the screenshots.
const VIEWPORT = { width: 1280, height: 720 };

const site = useSite();

// --- helpers ------------------------------------------------------------------------------------

/**
 * Clicks the top bar's link `testid` (`home`, `lab-<id>`): the links are a menu, opened by its
 * button (the open lab's name) first.
 */
async function topBarLink(page, testid) {
  const menu = page.locator(tid('labs-menu'));
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
  await page.locator(tid(testid)).click();
}

/** The path of the page on screen: '/', '/index.html', '/jms.html'… */
const pathOf = (page) => new URL(page.url()).pathname;

/** The fragment's fields, decoded (`#lab=jms&step=3` → { lab: 'jms', step: '3' }). */
function fragmentOf(url) {
  const hash = new URL(url).hash.replace(/^#/, '');
  const out = {};
  for (const part of hash.split('&').filter(Boolean)) {
    const at = part.indexOf('=');
    out[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1));
  }
  return out;
}

/** The page language, 'zh' or 'en' (`<html lang="zh-CN">` counts as zh). */
async function langOf(page) {
  return (await page.evaluate(() => document.documentElement.lang)).split('-')[0];
}

async function projectorOn(page) {
  return page.evaluate(() => document.body.classList.contains('projector'));
}

async function text(locator) {
  return ((await locator.textContent()) || '').trim();
}

/** Waits for the landing page's cards (the landing page draws them from its wasm). */
async function waitLanding(page) {
  await page.locator('a.lab-card').first().waitFor({ state: 'visible' });
  assert.match(pathOf(page), /^\/(index\.html)?$/, `on the landing page: ${page.url()}`);
}

/** Clicks the language switch of the page on screen until it is in `want`. */
async function switchLanguage(page, want) {
  if ((await langOf(page)) === want) return;
  await page.locator(tid('lang-toggle')).click();
  await page.waitForFunction((w) => document.documentElement.lang.split('-')[0] === w, want);
}

/**
 * Checks every card of the landing page in language `lang`: one per lab, in order, each a link to
 * its lab's page with its name, what it teaches, its lesson count and its syllabus topics. Returns
 * the lab names by id, to compare with the lab pages' top bars.
 */
async function checkCards(page, lang) {
  const cards = page.locator('a.lab-card');
  assert.deepEqual(
    await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))),
    LABS.map(([id]) => `card-${id}`),
    'one card per lab, in order',
  );
  const names = {};
  for (const [id, lessons] of LABS) {
    const card = page.locator(tid(`card-${id}`));
    assert.equal(await card.getAttribute('href'), `${id}.html`, `the ${id} card links to its page`);
    const name = await text(card.locator('h2'));
    assert.ok(name.length > 0, `the ${id} card has a name`);
    names[id] = name;
    const teaches = await text(card.locator('.teaches'));
    assert.ok(teaches.length > 0, `the ${id} card says what it teaches`);
    const count = await text(page.locator(tid(`lessons-${id}`)));
    assert.equal(count, lang === 'zh' ? `${lessons} 节课` : `${lessons} lessons`, `${id}: lesson count`);
    assert.ok((await card.locator('.topics li').count()) >= 1, `the ${id} card lists syllabus topics`);
    if (lang === 'zh') assert.match(teaches, CJK, `${id}: what it teaches, in Chinese`);
    else assert.doesNotMatch(`${name} ${teaches}`, CJK, `${id}: the card is in English`);
  }
  return names;
}

/**
 * Checks that the lab page `id` has loaded in language `lang` on its first lesson: the lesson list
 * holds its `lessons` lessons, the first is the active one at step 0, the top bar marks this lab
 * (named `name`, as on its card) and the page is in the right language; then → steps to 1.
 */
async function checkLabPage(page, id, lessons, lang, name) {
  await page.waitForURL((url) => url.pathname === `/${id}.html`);
  const counter = page.locator(tid('step-counter'));
  await counter.waitFor({ state: 'visible' });
  await waitStep(page, 0);
  assert.ok((await totalOf(page)) > 0, `${id}: the first lesson has steps`);

  const list = page.locator(`[data-testid^="scenario-${id}-"]`);
  assert.equal(await list.count(), lessons, `${id}: ${lessons} lessons in the list`);
  const first = list.first();
  assert.match(await first.getAttribute('class'), /\bactive\b/, `${id}: the first lesson is open`);
  assert.equal(await page.locator('button.scenario.active').count(), 1, `${id}: one lesson is open`);
  const title = await text(page.locator(tid('scenario-title')));
  assert.equal(title, await text(first), `${id}: the title is the first lesson's`);

  const link = page.locator(tid(`lab-${id}`));
  assert.equal(await link.getAttribute('aria-current'), 'page', `${id}: the top bar marks the open lab`);
  assert.match(await link.getAttribute('class'), /\bactive\b/);
  assert.equal(await page.locator('[data-testid^="lab-"][aria-current="page"]').count(), 1);
  assert.equal(await text(link), name, `${id}: the top bar names the lab as its card does`);
  assert.equal(await page.locator(tid('home')).getAttribute('href'), 'index.html');

  assert.equal(await langOf(page), lang, `${id}: the page is in the language of the landing page`);
  const toggle = await text(page.locator(tid('lang-toggle')));
  if (lang === 'zh') {
    assert.equal(toggle, 'English', `${id}: the language switch offers English`);
    assert.match(title, CJK, `${id}: the lesson title is in Chinese: ${title}`);
  } else {
    assert.equal(toggle, '中文', `${id}: the language switch offers 中文`);
    assert.doesNotMatch(title, CJK, `${id}: the lesson title is in English: ${title}`);
  }

  // The keyboard works on this page (nothing focused: the keys go to the player).
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press('ArrowRight');
  await waitStep(page, 1);
}

/**
 * The whole tour in language `lang`, starting on the landing page: every card to its lab and back
 * home, then from lab to lab along the top bar.
 */
async function tour(page, lang) {
  await waitLanding(page);
  const names = await checkCards(page, lang);
  for (const [id, lessons] of LABS) {
    await page.locator(tid(`card-${id}`)).click();
    await checkLabPage(page, id, lessons, lang, names[id]);
    await topBarLink(page, 'home');
    await page.waitForURL((url) => url.pathname === '/index.html');
    await waitLanding(page);
    assert.equal(await langOf(page), lang, `back from ${id}: the landing page keeps the language`);
    assert.equal(await text(page.locator(tid(`card-${id}`)).locator('h2')), names[id]);
  }
  // From lab to lab by the top bar, round the whole site and back to the first lab.
  await page.locator(tid(`card-${LABS[0][0]}`)).click();
  await checkLabPage(page, LABS[0][0], LABS[0][1], lang, names[LABS[0][0]]);
  for (const [id, lessons] of [...LABS.slice(1), LABS[0]]) {
    await topBarLink(page, `lab-${id}`);
    await checkLabPage(page, id, lessons, lang, names[id]);
  }
}

/** A scenario file from the Export JSON button of the page on screen, as text. */
async function exportFile(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(tid('export')).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'scenario.json');
  const file = await download.path();
  assert.ok(file, `the download failed: ${await download.failure()}`);
  return fs.readFileSync(file, 'utf8');
}

// --- tests --------------------------------------------------------------------------------------

describe('the site', () => {
  test('from the landing page to every lab and back, in English', async () => {
    const page = await openPage(site.browser, { viewport: VIEWPORT });
    try {
      await page.goto(`${site.server.url}/`);
      await waitLanding(page);
      assert.equal(await langOf(page), 'en', 'an en-US browser starts in English');
      assert.equal(await text(page.locator(tid('lang-toggle'))), '中文');
      assert.equal(await page.locator(tid('message')).count(), 0, 'no message without an old link');
      await screenshot(page, 'landing-en');
      await tour(page, 'en');
    } finally {
      await closePage(page);
    }
  });

  test('from the landing page to every lab and back, in 中文', async () => {
    const page = await openPage(site.browser, { viewport: VIEWPORT });
    try {
      await page.goto(`${site.server.url}/`);
      await waitLanding(page);
      const english = await text(page.locator('h1'));
      await switchLanguage(page, 'zh');
      assert.equal(await text(page.locator(tid('lang-toggle'))), 'English');
      const chinese = await text(page.locator('h1'));
      assert.match(chinese, CJK, 'the landing page is in Chinese');
      assert.notEqual(chinese, english);
      assert.equal(await page.evaluate(() => localStorage.getItem('distlab.lang')), 'zh');
      await screenshot(page, 'landing-zh');
      await tour(page, 'zh');

      // Back to English from a lab page: the landing page follows.
      await switchLanguage(page, 'en');
      await topBarLink(page, 'home');
      await waitLanding(page);
      assert.equal(await langOf(page), 'en', 'the language chosen on a lab page carries home');
      assert.equal(await text(page.locator(tid('lessons-jms'))), '12 lessons');
    } finally {
      await closePage(page);
    }
  });

  test('projector mode carries over from the landing page to a lab and back', async () => {
    const page = await openPage(site.browser, { viewport: VIEWPORT });
    try {
      await page.goto(`${site.server.url}/`);
      await waitLanding(page);
      await switchLanguage(page, 'zh');
      assert.equal(await projectorOn(page), false, 'projector mode starts off');
      const toggle = page.locator(tid('projector-toggle'));
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await toggle.click();
      await page.waitForFunction(() => document.body.classList.contains('projector'));
      assert.equal(await page.locator(tid('projector-toggle')).getAttribute('aria-pressed'), 'true');
      assert.equal(await page.evaluate(() => localStorage.getItem('distlab.projector')), 'true');
      await screenshot(page, 'landing-projector-zh');

      await page.locator(tid('card-locks')).click();
      await page.waitForURL((url) => url.pathname === '/locks.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      assert.equal(await projectorOn(page), true, 'the lab page opens in projector mode');
      assert.equal(await page.locator(tid('projector-toggle')).getAttribute('aria-pressed'), 'true');
      assert.equal(await langOf(page), 'zh');

      // Off on the lab page: off on the landing page too.
      await page.locator(tid('projector-toggle')).click();
      await page.waitForFunction(() => !document.body.classList.contains('projector'));
      await topBarLink(page, 'home');
      await waitLanding(page);
      assert.equal(await projectorOn(page), false, 'projector mode off carries home');
      assert.equal(await page.locator(tid('projector-toggle')).getAttribute('aria-pressed'), 'false');
    } finally {
      await closePage(page);
    }
  });

  test("an old link of the one-page site opens the lab's page at the same step", async () => {
    const page = await openPage(site.browser);
    try {
      // The root, as the old share links were written.
      await page.goto(`${site.server.url}/#lab=jms&scenario=jms-selector&step=3`);
      await page.waitForURL((url) => url.pathname === '/jms.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 3);
      assert.match(await page.locator(tid('scenario-jms-selector')).getAttribute('class'), /\bactive\b/);
      const link = fragmentOf(page.url());
      assert.equal(link.lab, 'jms');
      assert.equal(link.scenario, 'jms-selector');
      assert.equal(link.step, '3');

      // index.html by name, with a seed and from the landing page: `location.replace`, so the back
      // button returns to the landing page the link was followed from, not to the old link.
      await page.goto(`${site.server.url}/`);
      await waitLanding(page);
      await page.goto(`${site.server.url}/index.html#lab=ring&scenario=ring-n1-dies&seed=1&step=3`);
      await page.waitForURL((url) => url.pathname === '/ring.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 3);
      assert.match(await page.locator(tid('scenario-ring-n1-dies')).getAttribute('class'), /\bactive\b/);
      assert.equal(
        await page.locator(`${tid('invariant')}[data-invariant="ring.keys-served"]`).getAttribute('data-state'),
        'violated',
        'the same state as the old page showed at step 3 (N1 has crashed)',
      );
      await page.goBack();
      await waitLanding(page);
      assert.equal(pathOf(page), '/');
      assert.equal(new URL(page.url()).hash, '');
    } finally {
      await closePage(page);
    }
  });

  test("a link of another lab on a lab page opens that lab's page", async () => {
    const page = await openPage(site.browser);
    try {
      // Opened with the link.
      await page.goto(`${site.server.url}/ring.html#lab=jms&scenario=jms-selector&step=3`);
      await page.waitForURL((url) => url.pathname === '/jms.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 3);
      assert.match(await page.locator(tid('scenario-jms-selector')).getAttribute('class'), /\bactive\b/);
      assert.equal(fragmentOf(page.url()).lab, 'jms');

      // Pasted into the address bar of an open page (a hashchange, no reload).
      await page.evaluate(() => {
        location.hash = '#lab=locks&scenario=locks-fencing&step=2';
      });
      await page.waitForURL((url) => url.pathname === '/locks.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 2);
      assert.match(await page.locator(tid('scenario-locks-fencing')).getAttribute('class'), /\bactive\b/);

      // A lab that does not exist: a message on the lab page, which keeps its lesson.
      await page.goto(`${site.server.url}/ring.html#lab=nope&scenario=x`);
      const message = page.locator(tid('message'));
      await message.waitFor({ state: 'visible' });
      assert.match(await text(message), /nope/, 'the message names the unknown lab');
      assert.equal(pathOf(page), '/ring.html');
      await waitStep(page, 0);
      assert.equal(await page.locator('button.scenario.active').count(), 1, 'a lesson is open');
    } finally {
      await closePage(page);
    }
  });

  test('an old link to a lab that does not exist shows a message on the landing page', async () => {
    const page = await openPage(site.browser);
    try {
      await page.goto(`${site.server.url}/#lab=nope&scenario=x`);
      const message = page.locator(tid('message'));
      await message.waitFor({ state: 'visible' });
      assert.match(await text(message), /nope/, 'the message names the unknown lab');
      assert.equal(pathOf(page), '/', 'the page stays');
      assert.equal(await page.locator('a.lab-card').count(), LABS.length, 'the cards are still there');
      // The message follows the language switch, and the cards still lead to the labs.
      await switchLanguage(page, 'zh');
      assert.match(await text(page.locator(tid('message'))), CJK);
      await switchLanguage(page, 'en');
      await page.locator(tid('card-ring')).click();
      await page.waitForURL((url) => url.pathname === '/ring.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
    } finally {
      await closePage(page);
    }
  });

  test("a scenario file of another lab opens on that lab's page; a broken file is refused", async () => {
    const page = await openPage(site.browser);
    try {
      // A ring lesson as a file, from the ring page's Export JSON, with a title of its own so that
      // the page that opens it can only be showing the file.
      await page.goto(`${site.server.url}/ring.html`);
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await page.locator(tid('scenario-ring-add-n4')).click();
      await waitStep(page, 0);
      const total = await totalOf(page);
      const exported = await exportFile(page);
      const scenario = JSON.parse(exported);
      assert.deepEqual(Object.keys(scenario), ['ring'], 'a scenario file names its lab');
      assert.equal(scenario.ring.id, 'ring-add-n4');
      assert.deepEqual(Object.keys(scenario.ring.title).sort(), ['en', 'zh']);
      scenario.ring.title = { en: 'N4 joins (from a file)', zh: 'N4 加入（来自文件）' };
      const file = JSON.stringify(scenario);

      // On the JMS page, with a lesson open at step 2.
      await page.goto(`${site.server.url}/jms.html#lab=jms&scenario=jms-selector&step=2`);
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 2);
      const jmsTitle = await text(page.locator(tid('scenario-title')));

      // A broken file: a message, and the lesson stays where it was.
      await page.locator(tid('import')).setInputFiles({
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"jms": {"id": "half a file'),
      });
      const message = page.locator(tid('message'));
      await message.waitFor({ state: 'visible' });
      assert.ok((await text(message)).length > 0, 'the message says what is wrong');
      assert.equal(pathOf(page), '/jms.html');
      assert.equal(await stepOf(page), 2, 'the step stays');
      assert.equal(await text(page.locator(tid('scenario-title'))), jmsTitle, 'the lesson stays');
      assert.match(await page.locator(tid('scenario-jms-selector')).getAttribute('class'), /\bactive\b/);
      assert.equal(fragmentOf(page.url()).scenario, 'jms-selector');

      // A file of a lab that does not exist is refused the same way.
      await page.locator(tid('import')).setInputFiles({
        name: 'nope.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ nope: scenario.ring })),
      });
      await page.waitForFunction((sel) => /nope/.test(document.querySelector(sel)?.textContent || ''), tid('message'));
      assert.equal(pathOf(page), '/jms.html');
      assert.equal(await stepOf(page), 2);
      assert.equal(await text(page.locator(tid('scenario-title'))), jmsTitle);

      // The ring file: the page leaves for ring.html with the file in the link, at step 0.
      const visited = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      await page.locator(tid('import')).setInputFiles({
        name: 'ring-file.json',
        mimeType: 'application/json',
        buffer: Buffer.from(file),
      });
      await page.waitForURL((url) => url.pathname === '/ring.html');
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      const arrival = visited.find((url) => new URL(url).pathname === '/ring.html');
      assert.ok(arrival, `navigated to ring.html: ${visited}`);
      const sent = fragmentOf(arrival);
      assert.deepEqual(Object.keys(sent), ['lab', 'scenario', 'file', 'step'], `the link: ${arrival}`);
      assert.equal(sent.lab, 'ring');
      assert.equal(sent.scenario, 'file');
      assert.deepEqual(JSON.parse(sent.file), scenario, 'the link carries the file whole');
      assert.equal(sent.step, '0');

      // The ring page shows the file's lesson: its title, no built-in lesson open, the same run.
      await waitStep(page, 0);
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent?.includes('from a file'),
        tid('scenario-title'),
      );
      assert.equal(await text(page.locator(tid('scenario-title'))), 'N4 joins (from a file)');
      assert.equal(await page.locator('button.scenario.active').count(), 0, 'no built-in lesson is open');
      assert.equal(await totalOf(page), total, 'the run of the exported lesson');
      assert.equal(await page.locator(tid('message')).count(), 0);
      assert.equal(fragmentOf(await page.locator(tid('share-link')).inputValue()).scenario, 'file');
      await page.evaluate(() => document.activeElement?.blur?.());
      await page.keyboard.press('ArrowRight');
      await waitStep(page, 1);

      // A file of the lab on screen opens right here (the original, titled as the built-in one).
      await page.locator(tid('import')).setInputFiles({
        name: 'scenario.json',
        mimeType: 'application/json',
        buffer: Buffer.from(exported),
      });
      await page.waitForFunction(
        (sel) => !document.querySelector(sel)?.textContent?.includes('from a file'),
        tid('scenario-title'),
      );
      await waitStep(page, 0);
      assert.equal(pathOf(page), '/ring.html');
      assert.equal(await text(page.locator(tid('scenario-title'))), await text(page.locator(tid('scenario-ring-add-n4'))));
    } finally {
      await closePage(page);
    }
  });
});
