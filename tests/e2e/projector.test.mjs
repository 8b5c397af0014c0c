// End-to-end tests of what a classroom sees (issue 9): every lesson at its decisive step on a
// 1280×720 projector, in both languages, screenshot for a person to look at and measured; every
// lab on the common screens and at 200% zoom; the lesson drawer and the labs menu that replace the
// lesson column and the row of lab links where there is no room for them.
//
// The data-testid contract: labs-menu (a <details> in the top bar; its <summary> names the open
// lab), lessons-toggle (opens the lesson list as a drawer, aria-expanded), narration, invariants,
// scenario-<id>. A lab's diagram is the `.diagram` figure of its stage.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  SCREENSHOT_DIR, closePage, decisiveStep, lessonsOf, measureLayout, openAt, tid, useSite, waitStep,
} from './harness.mjs';

const LABS = ['ring', 'jms', 'activemq', 'rabbitmq', 'flow', 'locks', 'ids'];
const PROJECTOR = { width: 1280, height: 720 };
// The common classroom screens, and 200% browser zoom of a 1280×720 one (a 640×360 CSS viewport
// at two device pixels per CSS pixel).
const SCREENS = [
  [{ width: 1024, height: 768 }, 1],
  [{ width: 1280, height: 720 }, 1],
  [{ width: 1366, height: 768 }, 1],
  [{ width: 1920, height: 1080 }, 1],
  [{ width: 640, height: 360 }, 2],
];
const SHOTS = path.join(SCREENSHOT_DIR, 'projector');

const site = useSite();

/** Opens `lab`'s lesson `id` at its decisive step. */
async function openDecisive(page, lab, id) {
  const step = decisiveStep(lab, id);
  await page.goto(`${site.server.url}/${lab}.html#lab=${lab}&scenario=${id}&step=${step}`);
  await waitStep(page, step);
  return step;
}

describe('every lesson on a 1280×720 projector', () => {
  for (const lab of LABS) {
    test(`${lab}: the decisive step of every lesson, in both languages`, async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      const rows = [];
      for (const zh of [false, true]) {
        const page = await openAt(site.browser, PROJECTOR, { zh });
        try {
          for (const { id } of lessonsOf(lab)) {
            const step = await openDecisive(page, lab, id);
            const m = await measureLayout(page);
            const lang = zh ? 'zh' : 'en';
            await page.screenshot({ path: path.join(SHOTS, `${id}-${lang}.png`) });
            rows.push(`${id} ${lang} step ${step}: diagram text median ${m.median} px, smallest tenth ${m.p10} px (${m.count} texts); narration ends at ${m.narrationBottom}, invariants at ${m.invariantsBottom} of ${m.height}`);
            const at = `${id} (${lang}, step ${step})`;
            assert.ok(m.overflowX <= 0, `${at}: the page scrolls ${m.overflowX} px sideways`);
            assert.deepEqual(m.offscreen, [], `${at}: controls off screen`);
            assert.ok(m.count > 0, `${at}: the lab's diagram has text`);
            assert.ok(m.narrationBottom <= m.height, `${at}: the narration ends at ${m.narrationBottom} px, below the screen`);
            assert.ok(m.invariantsBottom <= m.height, `${at}: the invariants end at ${m.invariantsBottom} px, below the screen`);
            // Diagram text that reads from the back row of a classroom.
            assert.ok(m.median >= 16, `${at}: diagram text median ${m.median} px < 16`);
            assert.ok(m.p10 >= 12, `${at}: the smallest tenth of the diagram's text is ${m.p10} px < 12`);
          }
        } finally {
          await closePage(page);
        }
      }
      console.log(`${lab} at 1280×720 in projector mode:\n  ${rows.join('\n  ')}`);
    });
  }
});

describe('every common screen', () => {
  test('no lab scrolls sideways or hides a control, in both languages, with and without projector mode', async () => {
    for (const [viewport, scale] of SCREENS) {
      for (const zh of [false, true]) {
        for (const projector of [false, true]) {
          const page = await openAt(site.browser, viewport, { zh, projector, scale });
          try {
            for (const lab of LABS) {
              const [{ id }] = lessonsOf(lab);
              await openDecisive(page, lab, id);
              const m = await measureLayout(page);
              const at = `${lab} at ${viewport.width}×${viewport.height}${scale > 1 ? ' (200% zoom)' : ''}, ${zh ? 'zh' : 'en'}${projector ? ', projector' : ''}`;
              assert.ok(m.overflowX <= 0, `${at}: the page scrolls ${m.overflowX} px sideways`);
              assert.deepEqual(m.offscreen, [], `${at}: controls stick out of the screen`);
              // The top bar never wraps: one row, as tall as its tallest control.
              const bar = await page.locator('.topbar').evaluate((el) => el.getBoundingClientRect().height);
              assert.ok(bar < 60, `${at}: the top bar is ${bar} px tall (it wrapped)`);
            }
          } finally {
            await closePage(page);
          }
        }
      }
    }
  });
});

describe("the step's change and the lesson's outcome, in the diagram", () => {
  test('a moved message has a ring round it, and a lost or twice-processed one is named across the top', async () => {
    const page = await openAt(site.browser, PROJECTOR, { zh: false });
    try {
      // RabbitMQ, auto-ack: at step 8 m2 reaches C1, the step's one move.
      await page.goto(`${site.server.url}/rabbitmq.html#lab=rabbitmq&scenario=rabbitmq-auto-ack&step=8`);
      await waitStep(page, 8);
      const moved = await page.locator('[data-testid="rabbit-graph"] [data-changed="true"]').allTextContents();
      assert.deepEqual(moved.map((t) => t.trim().slice(0, 2)), ['m2'], `the step moved m2: ${moved}`);
      // JMS: a crash of the broker loses the two non-persistent messages; the band says so.
      await page.goto(`${site.server.url}/jms.html#lab=jms&scenario=jms-non-persistent&step=11`);
      await waitStep(page, 11);
      assert.deepEqual(await page.locator(`${tid('outcomes')} text`).allTextContents(), ['✗ m2 lost', '✗ m4 lost']);
      // JMS: the payment processed twice.
      await page.goto(`${site.server.url}/jms.html#lab=jms&scenario=jms-processed-twice`);
      await waitStep(page, 0);
      assert.equal(await page.locator(tid('outcomes')).count(), 0, 'nothing went wrong at the start');
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.querySelector('[data-testid="outcomes"]'));
      assert.match(await page.locator(tid('outcomes')).textContent(), /m1 processed 2 times/);

      // Locks: the step that writes marks its write on the timeline and its row in the log.
      await page.goto(`${site.server.url}/locks.html#lab=locks&scenario=locks-redis-lease-pause`);
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      const rows = page.locator(`${tid('write-log')} ${tid('write')}`);
      let step = 0;
      while ((await rows.count()) === 0) {
        step += 1;
        await page.keyboard.press('ArrowRight');
        await waitStep(page, step);
      }
      assert.match(await rows.last().getAttribute('class'), /\bfresh\b/, 'the new row is marked');
      assert.equal(await page.locator('[data-testid="timeline-write"][data-changed="true"]').count(), 1);
      await page.keyboard.press('ArrowRight');
      await waitStep(page, step + 1);
      if ((await rows.count()) === 1) {
        assert.doesNotMatch(await rows.last().getAttribute('class'), /\bfresh\b/, 'a step later it is not');
      }
    } finally {
      await closePage(page);
    }
  });
});

describe('side by side on the projector', () => {
  test('both runs of a comparison are drawn at full size, one above the other, in the MQ labs', async () => {
    for (const lab of ['jms', 'activemq', 'rabbitmq']) {
      const page = await openAt(site.browser, PROJECTOR, { zh: lab === 'activemq' });
      try {
        const [{ id }] = lessonsOf(lab);
        await openDecisive(page, lab, id);
        const values = await page.locator(`${tid('compare')} option`).evaluateAll((os) => os.map((o) => o.value));
        await page.locator(tid('compare')).selectOption(values[1]);
        await page.locator(tid('side-by-side')).waitFor();
        const sides = await page.locator('.side-by-side .side').evaluateAll((els) => els.map((side) => {
          const box = side.getBoundingClientRect();
          const texts = [...side.querySelectorAll('svg text')].filter((t) => t.getBoundingClientRect().width > 0);
          const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a).sort((a, b) => a - b);
          return { left: box.left, top: box.top, median: sizes[Math.floor(sizes.length / 2)] || 0 };
        }));
        assert.equal(sides.length, 2, `${lab}: two sides`);
        assert.ok(sides[1].top > sides[0].top && Math.abs(sides[1].left - sides[0].left) < 1, `${lab}: one above the other`);
        for (const side of sides) assert.ok(side.median >= 16, `${lab}: a side's diagram text is ${side.median} px`);
        await page.screenshot({ path: path.join(SHOTS, `${lab}-side-by-side.png`), fullPage: true });
      } finally {
        await closePage(page);
      }
    }
  });
});

describe('the lesson drawer and the labs menu', () => {
  test('in projector mode the lessons open from the top bar, and the labs from its menu', async () => {
    const page = await openAt(site.browser, PROJECTOR, { zh: false, projector: true });
    try {
      await page.goto(`${site.server.url}/jms.html`);
      await waitStep(page, 0);
      const toggle = page.locator(tid('lessons-toggle'));
      const lessons = lessonsOf('jms');
      assert.equal((await toggle.textContent()).trim(), `Lessons 1/${lessons.length}`);
      // The list is out of the way until asked for.
      const fifth = page.locator(tid(`scenario-${lessons[4].id}`));
      assert.equal(await fifth.isVisible(), false, 'the lesson list is closed');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await fifth.waitFor({ state: 'visible' });
      await fifth.click();
      await page.waitForFunction(
        (title) => document.querySelector('[data-testid="scenario-title"]')?.textContent === title,
        lessons[4].title.en,
      );
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'opening a lesson closes the drawer');
      assert.equal((await toggle.textContent()).trim(), `Lessons 5/${lessons.length}`);
      // Escape closes it too.
      await toggle.click();
      await fifth.waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'Escape closes the drawer');

      // The labs menu names the open lab, lists every lab, and closes on a click elsewhere.
      const menu = page.locator(tid('labs-menu'));
      assert.match(await menu.locator('summary').textContent(), /JMS \/ ActiveMQ/);
      await menu.locator('summary').click();
      for (const lab of LABS) await page.locator(tid(`lab-${lab}`)).waitFor({ state: 'visible' });
      await page.locator(tid('scenario-title')).click();
      assert.equal(await menu.getAttribute('open'), null, 'a click outside closes the menu');
      await menu.locator('summary').click();
      await page.locator(tid('lab-locks')).click();
      await page.waitForURL((url) => url.pathname === '/locks.html');
      await page.locator(tid('step-counter')).waitFor();
    } finally {
      await closePage(page);
    }
  });
});
