// End-to-end tests of the IDs lab through the UI: a snowflake clock stepped back mints duplicates,
// flagged in the stream and red in the invariants, and under Twitter's guard side by side it does
// not; the bits of the last id are drawn by field; the decoder reads an id and refuses bad input
// with a message, in both languages; a student's mint forks the run; every lesson plays to its end
// and back in both languages. The lab has its own page, dist/ids.html. The data-testid contract:
//
//   ids-graph (the diagram: servers, services, the last id's bits: ids-bits), server-<name>,
//   service-<name>, ids-stream, ids-charts (ids-rate-chart, ids-index-chart), ids-decoder
//   (decoder-input, decode, decoder-result, decoder-error), ids-controls (mint1-<server>, …),
//   compare (the side-by-side select), compare-side, ids-summary, lab-times.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, openLab, openPage, playToEndAndBack, screenshot, setChinese, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

const site = useSite();

const gotoLab = (page, hash = '') => openLab(page, site.server.url, 'ids', hash);
const invariant = (page, id) => page.locator(`${tid('invariant')}[data-invariant="${id}"]`);

describe('IDs lab', () => {
  test('a clock stepped back 5 ms mints duplicates; Twitter\'s guard beside it does not', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page, '#lab=ids&scenario=ids-snowflake-clock-back&step=6');
      await waitStep(page, 6);
      assert.equal(await invariant(page, 'ids.unique').getAttribute('data-state'), 'ok');
      // The clock reads 5 ms back, in red.
      assert.match(await page.locator(tid('server-app1')).textContent(), /clock 09:00:00\.010 \(−5 ms\)/);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('ArrowRight');
      await waitStep(page, 7);
      assert.equal(await invariant(page, 'ids.unique').getAttribute('data-state'), 'violated');
      const stream = await page.locator(tid('ids-stream')).textContent();
      assert.match(stream, /#8app12126481196488724481/);
      assert.match(stream, /✗ duplicate of #4/);
      assert.match(stream, /✗ duplicate of #3/);
      // The bits of the last id, by field.
      const bits = await page.locator(tid('ids-bits')).textContent();
      assert.match(bits, /time: 09:00:00\.010/);
      assert.match(bits, /sequence: 1/);
      assert.match(bits, /000000000001/);
      await screenshot(page, 'ids-clock-back-en');

      // Side by side with Twitter's guard: refused, no duplicate.
      await page.locator(tid('compare')).selectOption({ label: 'refuses while the clock is behind (Twitter)' });
      await page.locator(tid('compare-side')).waitFor();
      const other = await page.locator(tid('compare-side')).textContent();
      assert.match(other, /0 duplicates/);
      assert.match(other, /2 requests failed/);
      const ours = await page.locator(`.side-by-side .side:not(.other) ${tid('ids-summary')}`).textContent();
      assert.match(ours, /2 duplicates/);
      await screenshot(page, 'ids-clock-back-side-by-side-en');
      await page.locator(tid('compare')).selectOption({ value: '' });

      // A student's own mint forks the run: two more ids at .010, two more duplicates.
      await page.locator(tid('mint1-app1')).click();
      await page.waitForFunction((sel) => /\(9 in all\)/.test(document.querySelector(sel)?.textContent || ''), tid('ids-stream'));
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('the decoder reads an id or a UUID, and says why it cannot, in both languages', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page, '#lab=ids&scenario=ids-snowflake-clock-back&step=3');
      await waitStep(page, 3);
      const decode = async (text) => {
        await page.locator(tid('decoder-input')).fill(text);
        await page.locator(tid('decode')).click();
      };
      await decode('2126481196488724481');
      const result = await page.locator(tid('decoder-result')).textContent();
      assert.match(result, /Twitter2026-11-28 09:00:00\.0101 \/ 11/);
      await decode('01234567-89ab-7fff-bfff-ffffffffffff');
      assert.match(await page.locator(tid('decoder-result')).textContent(), /7: Unix time, then random/);
      await decode('18446744073709551616');
      assert.match(await page.locator(tid('decoder-error')).textContent(), /does not fit in 64 bits/);
      await setChinese(page, true);
      await decode('not an id');
      assert.match(await page.locator(tid('decoder-error')).textContent(), /[\u4e00-\u9fff]/);
      // The lesson on screen is untouched.
      assert.equal(await stepOf(page), 3);
      await setChinese(page, false);
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('Redis without AOF hands out 4 and 5 again; the charts and lab times are drawn', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page, '#lab=ids&scenario=ids-redis-restart');
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.equal(await invariant(page, 'ids.unique').getAttribute('data-state'), 'violated');
      assert.match(await page.locator(tid('service-redis')).textContent(), /RDB snapshot: 3/);
      assert.match(await page.locator(tid('lab-times')).textContent(), /save after 5 s with 1 change in the lab · Redis 7's default: save 3600 1 300 100 60 10000/);
      // Side by side with appendfsync always: nothing lost, no duplicate.
      await page.locator(tid('compare')).selectOption({ label: 'with AOF, appendfsync always' });
      await page.locator(tid('compare-side')).waitFor();
      assert.match(await page.locator(`${tid('compare-side')} ${tid('ids-summary')}`).textContent(), /0 duplicates/);
      await page.locator(tid('compare')).selectOption({ value: '' });
      // The index chart draws the four schemes, the rate chart appears for snowflake lessons.
      assert.match(await page.locator(tid('ids-index-chart')).textContent(), /UUID v4/);
      assert.equal(await page.locator(tid('ids-rate-chart')).count(), 0);
      await page.locator(tid('scenario-ids-snowflake-sequence-full')).click();
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      const rate = await page.locator(tid('ids-rate-chart')).textContent();
      assert.match(rate, /4,096/);
      assert.match(rate, /905/);
      await screenshot(page, 'ids-sequence-full-en');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('every IDs lesson plays to its end and back in both languages', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      const ids = await page.locator('[data-testid^="scenario-ids-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      assert.equal(ids.length, 11, `11 lessons: ${ids}`);
      for (const id of ids) {
        for (const zh of [false, true]) {
          await setChinese(page, zh);
          const narration = await playToEndAndBack(page, id);
          if (zh) assert.match(narration, /[\u4e00-\u9fff]/, `${id}: Chinese narration`);
        }
      }
      await screenshot(page, 'ids-last-zh');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});
