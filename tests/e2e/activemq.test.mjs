// End-to-end tests of the ActiveMQ clusters lab through the UI: messages stranded on a restarted
// broker turn the warning on at the restart, the replay setting injected mid-run sends them back;
// a partition between the brokers leaves the messages waiting on B2 while the network connector
// reconnects its bridge; a master/slave failover keeps every confirmed message. And every
// message-queue lesson (JMS, ActiveMQ clusters, RabbitMQ, peak shaving) plays to its end and back
// in both languages, each on its lab's own page (dist/<lab>.html). The data-testid contract it
// relies on:
//
//   lab-<id> (the top bar's links, the open lab's aria-current="page"), scenario-<id>,
//   scenario-title; step-counter[data-step, data-total]; narration; lang-toggle; amq-graph, lock,
//   amq-audit, amq-replay, advance, amq-bridge-state, amq-lab-time; invariant[data-invariant,
//   data-state]; [data-node="<name>"].

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, invariant, openLab, openPage, playToEndAndBack, screenshot, setChinese, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

const site = useSite();

describe('ActiveMQ clusters lab', () => {
  test('stranded messages warn at the restart, and replay brings them back', async () => {
    const page = await openPage(site.browser);
    try {
      await openLab(page, site.server.url, 'activemq');
      await page.locator(tid('scenario-activemq-stranded')).click();
      await waitStep(page, 0);
      assert.equal(await page.locator(tid('amq-graph')).count(), 1);
      await page.locator(tid('scenario-title')).click();
      let warned = 0;
      const total = await totalOf(page);
      while ((await stepOf(page)) < total) {
        const before = await stepOf(page);
        await page.keyboard.press('ArrowRight');
        await waitStep(page, before + 1);
        if ((await invariant(page, 'amq.no-stranded').getAttribute('data-state')) === 'warning') {
          warned = before + 1;
          break;
        }
      }
      assert.equal(warned, 18, 'the warning turns on when B1 restarts with the forwarded messages');
      assert.equal(await invariant(page, 'mq.no-acked-loss').getAttribute('data-state'), 'ok');
      // m1 and m2 are in B1's store, not lost.
      const b1 = page.locator('[data-node="B1"]');
      assert.match(await b1.textContent(), /m1/);
      await screenshot(page, 'activemq-stranded-en');

      // Step back before the restart: the warning is off again.
      await page.keyboard.press('ArrowLeft');
      await waitStep(page, 17);
      assert.equal(await invariant(page, 'amq.no-stranded').getAttribute('data-state'), 'ok');
      await page.keyboard.press('ArrowRight');
      await waitStep(page, 18);

      // The remedy, injected here: the audit off, then replay on; the run forks.
      await page.locator(tid('amq-audit')).click();
      await waitStep(page, 19);
      await page.locator(tid('amq-replay')).click();
      await waitStep(page, 20);
      assert.equal(await totalOf(page), total + 2);
      assert.equal(await invariant(page, 'amq.no-stranded').getAttribute('data-state'), 'ok');
      for (let i = 0; i < 6; i++) {
        const before = await stepOf(page);
        await page.locator(tid('advance')).click();
        await waitStep(page, before + 1);
      }
      const c1 = await page.locator('[data-node="C1"]').textContent();
      const c2 = await page.locator('[data-node="C2"]').textContent();
      assert.match(`${c1} ${c2}`, /m1/, 'a consumer on B2 has m1 again');
      await screenshot(page, 'activemq-replayed-en');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('a partition between the brokers: the bridge waits and reconnects, the messages wait on B2', async () => {
    const page = await openPage(site.browser);
    try {
      // Step 9: B2's forward of m2 was lost in the partition and the connector tore its bridge down.
      await page.goto(`${site.server.url}/activemq.html#lab=activemq&scenario=activemq-partition&step=9`);
      await waitStep(page, 9);
      assert.match(await page.locator(tid('amq-bridge-state')).textContent(), /bridge down, retry in 100 ms/);
      assert.match(await page.locator('[data-node="B2"]').textContent(), /m2/);
      assert.match(await page.locator(tid('amq-lab-time')).textContent(), /initialReconnectDelay/);
      assert.match(await page.locator(tid('amq-lab-time')).textContent(), /1 s/);
      await screenshot(page, 'activemq-partition-en');
      await page.locator(tid('lang-toggle')).click();
      await page.waitForFunction(() => document.documentElement.lang.startsWith('zh'));
      assert.match(await page.locator(tid('amq-bridge-state')).textContent(), /100 毫秒后重连/);
      await page.locator(tid('lang-toggle')).click();
      await page.waitForFunction(() => !document.documentElement.lang.startsWith('zh'));
      // After the heal the bridge is back: no state label, and every message is consumed once.
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.equal(await page.locator(tid('amq-bridge-state')).count(), 0);
      assert.equal(await invariant(page, 'mq.no-acked-loss').getAttribute('data-state'), 'ok');
      const consumed = `${await page.locator('[data-node="C1"]').textContent()} ${await page.locator('[data-node="C2"]').textContent()}`;
      for (const m of ['m1', 'm2', 'm3']) assert.match(consumed, new RegExp(m));
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('a shared-store failover keeps every confirmed message, in Chinese too', async () => {
    const page = await openPage(site.browser);
    try {
      await page.goto(`${site.server.url}/activemq.html#lab=activemq&scenario=activemq-shared-store&step=17`);
      await waitStep(page, 17);
      assert.match(await page.locator(tid('lock')).textContent(), /B2/);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.equal(await invariant(page, 'mq.no-acked-loss').getAttribute('data-state'), 'ok');
      assert.match(await page.locator('[data-node="C1"]').textContent(), /m1, m3, m4/);
      await page.locator(tid('lang-toggle')).click();
      await page.waitForFunction(() => document.documentElement.lang.startsWith('zh'));
      assert.match(await page.locator(tid('narration')).textContent(), /[\u4e00-\u9fff]/);
      await screenshot(page, 'activemq-shared-store-zh');
      await page.locator(tid('lang-toggle')).click();
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});

// The lessons of each message-queue lab, as the landing page counts them. Every lesson id starts
// with its lab's id (the lesson list lives next to `scenario-title`, which must not be counted).
const MQ_LABS = { jms: 12, activemq: 6, rabbitmq: 12, flow: 3 };

describe('every message-queue lesson', () => {
  test('plays to its end and back in both languages', async () => {
    const page = await openPage(site.browser);
    try {
      let lessons = 0;
      for (const [lab, count] of Object.entries(MQ_LABS)) {
        // Each lab is its own page; the language chosen on one page carries over to the next
        // (local storage), so the loop below toggles it only when it differs.
        await openLab(page, site.server.url, lab);
        const ids = await page.locator(`[data-testid^="scenario-${lab}-"]`)
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
        assert.equal(ids.length, count, `${lab} has ${count} lessons: ${ids}`);
        for (const id of ids) {
          for (const lang of ['en', 'zh']) {
            const want = lang === 'zh';
            await setChinese(page, want);
            const narration = await playToEndAndBack(page, id);
            assert.ok(narration.trim().length > 0, `${id} ${lang}: narration at the end`);
            if (want) assert.match(narration, /[\u4e00-\u9fff]/, `${id}: Chinese narration`);
            lessons += 1;
          }
        }
      }
      const all = Object.values(MQ_LABS).reduce((a, b) => a + b, 0);
      assert.equal(lessons, 2 * all, `played ${lessons / 2} lessons`);
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});
