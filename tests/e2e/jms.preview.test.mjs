// End-to-end test of the JMS / ActiveMQ lab through the UI: a consumer crashes after processing
// and before acknowledging, the delivery ledger shows the message processed twice and the
// invariant turns red at the step that did it; the idempotent companion lesson stays green; a
// student's own fault forks the run; both languages; screenshots.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { closePage, launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const tid = (id) => `[data-testid="${id}"]`;

async function stepOf(page) {
  return Number(await page.locator(tid('step-counter')).getAttribute('data-step'));
}

async function totalOf(page) {
  return Number(await page.locator(tid('step-counter')).getAttribute('data-total'));
}

async function waitStep(page, step) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.getAttribute('data-step') === String(want),
    [tid('step-counter'), step],
  );
}

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

async function openLesson(page, id) {
  await page.locator(tid('lab-jms')).click();
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
    const page = await openPage(browser);
    try {
      await page.goto(`${server.url}/`);
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
    const page = await openPage(browser);
    try {
      await page.goto(`${server.url}/`);
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
      const again = await openPage(browser);
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
});
