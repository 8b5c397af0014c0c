// End-to-end test of the JMS / ActiveMQ lab through the UI: a consumer crashes after processing
// and before acknowledging, the delivery ledger shows the message processed twice and the
// invariant turns red at the step that did it; the idempotent companion lesson stays green; a
// student's own fault forks the run; both languages; screenshots. The lab has its own page,
// dist/jms.html, which every test opens directly. The data-testid contract it relies on:
//
//   lab-jms (the open lab's top-bar link, aria-current="page"), scenario-<id>, scenario-title;
//   step-counter[data-step, data-total]; jms-graph, chip-<label>; ledger > journey[data-label,
//   data-place]; invariant[data-invariant, data-state, data-since] .inv-head; fault-crash-Broker;
//   compare, compare-side, side-by-side; share-link; lang-toggle; selector-input, selector-error,
//   selector-results, selector-apply-C1, selector-current-C1, consumer-selector-C1;
//   message-inspector > inspector-message-id, inspector-body-kind, inspector-missing, [data-field].

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, openLab, openPage, screenshot, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

const site = useSite();

async function invariantState(page, id) {
  const item = page.locator(`${tid('invariant')}[data-invariant="${id}"]`);
  return { state: await item.getAttribute('data-state'), since: await item.getAttribute('data-since') };
}

async function journey(page, label) {
  const row = page.locator(`${tid('journey')}[data-label="${label}"]`);
  return {
    place: await row.getAttribute('data-place'),
    processed: ((await row.locator('td').nth(4).textContent()) || '').trim(),
  };
}

/** Opens the lab's page. */
const gotoLab = (page) => openLab(page, site.server.url, 'jms');

/** Opens a lesson from the lesson list of the page on screen (no reload: the state carries on). */
async function openLesson(page, id) {
  await page.locator(tid(`scenario-${id}`)).click();
  await waitStep(page, 0);
  assert.ok((await page.locator(tid('jms-graph')).count()) === 1, 'the JMS graph is drawn');
}

async function stepTo(page, step) {
  // The keyboard steps whether or not a question is showing.
  await page.locator(tid('scenario-title')).click();
  while ((await stepOf(page)) < step) {
    const before = await stepOf(page);
    await page.keyboard.press('ArrowRight');
    await waitStep(page, before + 1);
  }
}

describe('JMS / ActiveMQ lab', () => {
  test('processed twice after a crash before the acknowledgement, and the idempotent fix', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      await openLesson(page, 'jms-processed-twice');
      const total = await totalOf(page);
      assert.ok(total >= 8, `a lesson of ${total} steps`);
      // Step until the consumer processes m1 a second time: the invariant turns red there, and
      // points at that very step.
      let broke = 0;
      while ((await stepOf(page)) < total) {
        await stepTo(page, (await stepOf(page)) + 1);
        if ((await invariantState(page, 'mq.processed-once')).state === 'violated') {
          broke = await stepOf(page);
          break;
        }
        assert.equal((await journey(page, 'm1')).processed.startsWith('2'), false);
      }
      assert.ok(broke > 0, 'the lesson processes m1 twice');
      assert.equal((await invariantState(page, 'mq.processed-once')).since, String(broke));
      assert.match((await journey(page, 'm1')).processed, /^2/);
      await screenshot(page, 'jms-processed-twice-en');
      // Step back: the ledger and the invariant go back with it.
      await page.keyboard.press('ArrowLeft');
      await waitStep(page, broke - 1);
      assert.equal((await invariantState(page, 'mq.processed-once')).state, 'ok');
      // Jump to the end and click the violation: back to the step that caused it.
      await page.keyboard.press('End');
      await waitStep(page, total);
      await page.locator(`${tid('invariant')}[data-invariant="mq.processed-once"] .inv-head`).click();
      await waitStep(page, broke);

      // Side by side: the same lesson with a dedup table stays green at the same step.
      const option = await page.$eval(tid('compare'), (s) =>
        [...s.options].find((o) => /dedup/.test(o.textContent || ''))?.value);
      assert.ok(option, 'a dedup-table comparison is offered');
      await page.selectOption(tid('compare'), option);
      await page.locator(tid('compare-side')).waitFor({ state: 'visible' });
      assert.match((await page.locator(tid('compare-side')).textContent()) || '', /every invariant holds/);
      assert.equal(await page.locator(`${tid('side-by-side')} ${tid('ledger')}`).count(), 2);
      await screenshot(page, 'jms-side-by-side-en');
      await page.selectOption(tid('compare'), '');
      await page.locator(tid('side-by-side')).waitFor({ state: 'detached' });

      await openLesson(page, 'jms-idempotent');
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.equal((await invariantState(page, 'mq.processed-once')).state, 'ok');
      assert.match((await journey(page, 'm1')).processed, /^1 \(\+1/);
      await screenshot(page, 'jms-idempotent-en');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('a crash of the broker injected by the student loses the non-persistent messages', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      await openLesson(page, 'jms-non-persistent');
      const total = await totalOf(page);
      // Play up to just before the lesson's own crash, then crash the broker ourselves.
      await stepTo(page, 9);
      assert.equal((await invariantState(page, 'mq.no-acked-loss')).state, 'ok');
      await page.locator(tid('fault-crash-Broker')).click();
      await waitStep(page, 10);
      assert.equal(await totalOf(page), total + 1, 'the fault forked the run');
      const loss = await invariantState(page, 'mq.no-acked-loss');
      assert.equal(loss.state, 'violated');
      assert.equal(loss.since, '10');
      assert.ok((await page.locator('[data-place="Lost"]').count()) >= 1, 'the ledger shows lost messages');
      // The share link carries the fork.
      const link = await page.locator(tid('share-link')).inputValue();
      assert.equal(new URL(link).pathname, '/jms.html', `the share link is the lab's page: ${link}`);
      const again = await openPage(site.browser);
      try {
        await again.goto(link);
        await waitStep(again, 10);
        assert.equal((await invariantState(again, 'mq.no-acked-loss')).state, 'violated');
        assert.deepEqual(again.problems, []);
      } finally {
        await closePage(again);
      }
      await page.locator(tid('lang-toggle')).click();
      await page.waitForFunction(() => document.documentElement.lang.startsWith('zh'));
      assert.match((await page.locator(tid('ledger')).textContent()) || '', /丢失/);
      await screenshot(page, 'jms-fault-zh');
      await page.locator(tid('lang-toggle')).click();
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('a selector applied to a consumer, and the message inspector', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      await openLesson(page, 'jms-selector');
      // Step until the blue m1 waits in the queue.
      const m1 = page.locator(`${tid('journey')}[data-label="m1"]`);
      while ((await m1.count()) === 0 || (await m1.getAttribute('data-place')) !== 'BrokerStore') {
        await stepTo(page, (await stepOf(page)) + 1);
      }
      const at = await stepOf(page);
      const total = await totalOf(page);
      assert.match((await page.locator(tid('message-inspector')).textContent()) || '', /click a message to inspect it/i);

      // A selector that does not parse cannot be applied.
      await page.locator(tid('selector-input')).fill("color = ");
      await page.locator(tid('selector-error')).waitFor({ state: 'visible' });
      assert.equal(await page.locator(tid('selector-apply-C1')).isDisabled(), true);

      // Apply a new selector to C1: the run forks, C1 shows it, and the blue m1 stays queued.
      const selector = "color IN ('red', 'green')";
      await page.locator(tid('selector-input')).fill(selector);
      await page.locator(tid('selector-results')).waitFor({ state: 'visible' });
      await page.locator(tid('selector-apply-C1')).click();
      await waitStep(page, at + 1);
      assert.ok((await totalOf(page)) >= total, 'the lesson goes on after the fork');
      assert.match((await page.locator(tid('selector-current-C1')).textContent()) || '', /color IN \('red', 'green'\)/);
      // The selector is wrapped to the box's width, one line a <tspan>, and in full in its <title>.
      const lines = await page.locator(`${tid('consumer-selector-C1')} tspan`).allTextContents();
      const drawn = lines.join(' ').replace(/\s+/g, ' ');
      assert.equal(drawn.replace(/\s/g, ''), `selector:${selector}`.replace(/\s/g, ''), `C1's box shows its selector: ${drawn}`);
      assert.equal(await page.locator(`${tid('consumer-selector-C1')} title`).textContent(), selector);
      assert.match((await page.locator('body').textContent()) || '', /C1 is closed and opened again with the message selector/);
      assert.equal((await journey(page, 'm1')).place, 'BrokerStore');

      // Inspect m1 from its chip on the broker: its headers and its body.
      await page.locator(`${tid('jms-graph')} ${tid('chip-m1')}`).first().click();
      const inspector = page.locator(tid('message-inspector'));
      await inspector.locator(tid('inspector-message-id')).waitFor({ state: 'visible' });
      assert.equal(await inspector.locator(tid('inspector-message-id')).textContent(), 'ID:m1');
      assert.match((await inspector.locator(tid('inspector-body-kind')).textContent()) || '', /Message$/);
      for (const field of ['JMSTimestamp', 'JMSPriority', 'JMSRedelivered', 'JMSXDeliveryCount', 'JMSExpiration', 'JMSDeliveryMode', 'color']) {
        assert.equal(await inspector.locator(`[data-field="${field}"]`).count(), 1, `${field} is listed`);
      }
      assert.match((await inspector.locator('[data-field="color"]').textContent()) || '', /'blue'/);
      await screenshot(page, 'jms-inspector-en');

      // The selection follows the step; before m1 is sent, the inspector says so.
      await page.keyboard.press('Home');
      await waitStep(page, 0);
      await inspector.locator(tid('inspector-missing')).waitFor({ state: 'visible' });
      // A ledger row selects too, with the keyboard.
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      await page.locator(`${tid('journey')}[data-label="m2"]`).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (sel) => !document.querySelector(sel)?.textContent?.includes('m1'),
        `${tid('message-inspector')} .inspector-where`,
      );
      assert.match((await inspector.locator('.inspector-where').textContent()) || '', /m2/);

      await page.locator(tid('lang-toggle')).click();
      await page.waitForFunction(() => document.documentElement.lang.startsWith('zh'));
      assert.match((await inspector.textContent()) || '', /消息查看器/);
      await screenshot(page, 'jms-inspector-zh');
      await page.locator(tid('lang-toggle')).click();
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});
