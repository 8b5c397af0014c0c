// End-to-end test of the RabbitMQ lab through the UI: without publisher confirms a broker crash
// loses a message the producer counted as sent, and the invariant turns red at that step; with
// confirms, a durable queue and persistent messages the same crash loses nothing promised. The lab
// has its own page, dist/rabbitmq.html. The data-testid contract it relies on:
//
//   lab-rabbitmq (the open lab's top-bar link, aria-current="page"), scenario-<id>, scenario-title;
//   step-counter[data-step, data-total]; rabbit-graph; invariant[data-invariant, data-state,
//   data-since]; ledger rows [data-place].

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, openLab, openPage, screenshot, stepOf, tid, useSite, waitStep } from './harness.mjs';

const site = useSite();

async function lossState(page) {
  return page.locator(`${tid('invariant')}[data-invariant="mq.no-acked-loss"]`).getAttribute('data-state');
}

describe('RabbitMQ lab', () => {
  test('no confirms loses a message on a crash; confirms and persistence do not', async () => {
    const page = await openPage(site.browser);
    try {
      await openLab(page, site.server.url, 'rabbitmq');
      await page.locator(tid('scenario-rabbitmq-no-confirms')).click();
      await waitStep(page, 0);
      assert.equal(await page.locator(tid('rabbit-graph')).count(), 1);
      await page.locator(tid('scenario-title')).click();
      let broke = 0;
      const total = Number(await page.locator(tid('step-counter')).getAttribute('data-total'));
      while ((await stepOf(page)) < total) {
        const before = await stepOf(page);
        await page.keyboard.press('ArrowRight');
        await waitStep(page, before + 1);
        if ((await lossState(page)) === 'violated') {
          broke = before + 1;
          break;
        }
      }
      assert.ok(broke > 0, 'a message the producer counted as sent is lost');
      const since = await page.locator(`${tid('invariant')}[data-invariant="mq.no-acked-loss"]`).getAttribute('data-since');
      assert.equal(since, String(broke));
      assert.ok((await page.locator('[data-place="Lost"]').count()) >= 1);
      await screenshot(page, 'rabbitmq-no-confirms-en');

      await page.locator(tid('scenario-rabbitmq-confirms')).click();
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, Number(await page.locator(tid('step-counter')).getAttribute('data-total')));
      assert.equal(await lossState(page), 'ok');
      await screenshot(page, 'rabbitmq-confirms-en');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('the diagram draws a returned message, a refused consume and a quorum queue\'s leader and logs', async () => {
    const page = await openPage(site.browser);
    const graph = async () => page.locator(tid('rabbit-graph')).textContent();
    const open = async (id) => {
      await page.locator(tid(`scenario-${id}`)).click();
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
    };
    const end = async () => {
      await page.keyboard.press('End');
      await waitStep(page, Number(await page.locator(tid('step-counter')).getAttribute('data-total')));
    };
    try {
      await openLab(page, site.server.url, 'rabbitmq');
      await open('rabbitmq-mandatory');
      await end();
      assert.match(await graph(), /↩ m3/);
      await screenshot(page, 'rabbitmq-mandatory-en');

      // The mirrored lesson: C1's basic.consume on plain fails while B1 is down.
      await open('rabbitmq-mirrored');
      for (let k = 1; k <= 8; k++) {
        await page.keyboard.press('ArrowRight');
        await waitStep(page, k);
      }
      assert.match(await graph(), /404 NOT_FOUND/);
      assert.match(await graph(), /deprecated/);
      await screenshot(page, 'rabbitmq-mirrored-404-en');

      await open('rabbitmq-quorum');
      await end();
      const text = await graph();
      assert.match(text, /quorum queue orders · leader · term 2/);
      assert.match(text, /quorum queue orders · follower · term 2/);
      assert.match(text, /log, commit 3/);
      await screenshot(page, 'rabbitmq-quorum-en');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});
