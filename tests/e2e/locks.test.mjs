// End-to-end tests of the distributed-locks lab through the UI: a lease that runs out during a
// pause turns "the resource never accepts overlapping writes" red at the stale write; the explorer
// finds the shortest counterexample, and the player steps through it; with fencing the explorer
// finds none within its bound; every locks lesson plays to its end and back in both languages.
// The lab has its own page, dist/locks.html, which every test opens directly. The data-testid
// contract it relies on:
//
//   lab-locks (the open lab's top-bar link, aria-current="page"), scenario-<id>, scenario-title;
//   step-counter[data-step, data-total]; narration; lang-toggle; locks-timeline, write(.unsafe);
//   invariant[data-invariant, data-state, data-since]; explorer-run, explorer-stop,
//   explorer-depth, explorer-progress[data-states], explorer-found[data-steps], explorer-load,
//   explorer-none[data-state-limit, data-depth-cut].

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, openLab, openPage, playToEndAndBack, screenshot, setChinese, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

const site = useSite();

/** Opens the lab's page, with an optional fragment (`#lab=locks&…`). */
const gotoLab = (page, hash = '') => openLab(page, site.server.url, 'locks', hash);

const safety = (page) => page.locator(`${tid('invariant')}[data-invariant="lock.resource-safe"]`);

describe('distributed-locks lab', () => {
  test('a lease that runs out during a pause lets two clients write', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      await page.locator(tid('scenario-locks-redis-lease-pause')).click();
      await waitStep(page, 0);
      assert.equal(await page.locator(tid('locks-timeline')).count(), 1);
      await page.locator(tid('scenario-title')).click();
      const total = await totalOf(page);
      let broke = 0;
      while ((await stepOf(page)) < total) {
        const before = await stepOf(page);
        await page.keyboard.press('ArrowRight');
        await waitStep(page, before + 1);
        if ((await safety(page).getAttribute('data-state')) === 'violated') {
          broke = before + 1;
          break;
        }
      }
      assert.ok(broke > 0, 'the resource accepted writes from overlapping leases');
      assert.equal(await safety(page).getAttribute('data-since'), String(broke));
      assert.ok((await page.locator(`${tid('write')}.unsafe`).count()) >= 1);
      await screenshot(page, 'locks-lease-pause-en');
      // Back before the stale write, the invariant holds again.
      await page.keyboard.press('ArrowLeft');
      await waitStep(page, broke - 1);
      assert.equal(await safety(page).getAttribute('data-state'), 'ok');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('the explorer finds the shortest counterexample, and none once fencing is on', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page, '#lab=locks&scenario=locks-redis-lease-pause&step=0');
      await waitStep(page, 0);
      await page.locator(tid('explorer-run')).click();
      const found = page.locator(tid('explorer-found'));
      await found.waitFor({ timeout: 60000 });
      assert.equal(await found.getAttribute('data-steps'), '11');
      const states = Number(await page.locator(tid('explorer-progress')).getAttribute('data-states'));
      assert.ok(states > 1000, `explored ${states} states`);
      await screenshot(page, 'locks-explorer-found-en');
      await page.locator(tid('explorer-load')).click();
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.getAttribute('data-total') === '11',
        tid('step-counter'),
      );
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, 11);
      assert.equal(await safety(page).getAttribute('data-state'), 'violated');
      assert.equal(await safety(page).getAttribute('data-since'), '11');
      await screenshot(page, 'locks-counterexample-en');

      // The same search on the fenced lock finds nothing within the same bound. (Picked from the
      // lesson list of the same page, without a reload.)
      await page.locator(tid('scenario-locks-fencing')).click();
      await waitStep(page, 0);
      await page.locator(tid('explorer-run')).click();
      const none = page.locator(tid('explorer-none'));
      await none.waitFor({ timeout: 60000 });
      assert.equal(await none.getAttribute('data-state-limit'), 'false');
      assert.equal(await none.getAttribute('data-depth-cut'), 'true');

      // A search can be stopped: the stop button appears while it runs.
      await page.locator(tid('explorer-depth')).fill('30');
      await page.locator(tid('explorer-depth')).dispatchEvent('change');
      await page.locator(tid('explorer-run')).click();
      await page.locator(tid('explorer-stop')).click();
      await page.locator(tid('explorer-run')).waitFor();
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('the view gives each lab time its real default, and a ZooKeeper release keeps the session', async () => {
    const page = await openPage(site.browser);
    try {
      // ZooKeeper: at the end of the queue lesson B has released its first lock and kept its
      // session; A queues again in the session it kept.
      await gotoLab(page, '#lab=locks&scenario=locks-zk-queue');
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.match(await page.locator(tid('lab-times')).textContent(), /ZooKeeper session 3,000 ms in the lab/);
      assert.match(await page.locator(tid('lab-times')).textContent(), /Curator default 60 s/);
      const tree = await page.locator(tid('lock-service')).textContent();
      assert.match(tree, /n-0000000004 · A · session 1/, 'A locks again in session 1');
      assert.match(tree, /session 2 of B[^·]*· open, no node: kept after a release/);
      await screenshot(page, 'locks-zk-queue-end-en');
      // Database: four refused INSERTs used up ids 2 to 5, so B's row is id 6.
      await page.locator(tid('scenario-locks-db-expiry')).click();
      await waitStep(page, 0);
      await page.locator(tid('scenario-title')).click();
      await page.keyboard.press('End');
      await waitStep(page, await totalOf(page));
      assert.match(await page.locator(tid('auto-increment')).textContent(), /ids up to 6/);
      assert.match(await page.locator(tid('lab-times')).textContent(), /no default: the application's choice/);
      // Redis with a replica: Sentinel's real defaults beside the lab's 100 ms failover.
      await page.locator(tid('scenario-locks-redis-failover')).click();
      await waitStep(page, 0);
      assert.match(await page.locator(tid('lab-times')).textContent(), /failover 100 ms after the crash in the lab · Sentinel calls the master down after down-after-milliseconds 30 s/);
      assert.doesNotMatch(await page.locator(tid('lab-times')).textContent(), /failover-timeout/);
      await setChinese(page, true);
      assert.match(await page.locator(tid('lab-times')).textContent(), /实验中租约（PX）1,000 毫秒 · 由应用自己定；Redisson 用 30 秒（lockWatchdogTimeout），客户端存活时每 10 秒续期/);
      await setChinese(page, false);
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });

  test('every locks lesson plays to its end and back in both languages', async () => {
    const page = await openPage(site.browser);
    try {
      await gotoLab(page);
      const ids = await page.locator('[data-testid^="scenario-locks-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      assert.equal(ids.length, 12, `12 lessons: ${ids}`);
      for (const id of ids) {
        for (const zh of [false, true]) {
          await setChinese(page, zh);
          const narration = await playToEndAndBack(page, id);
          if (zh) assert.match(narration, /[\u4e00-\u9fff]/, `${id}: Chinese narration`);
        }
      }
      await screenshot(page, 'locks-last-zh');
      assert.deepEqual(page.problems, []);
    } finally {
      await closePage(page);
    }
  });
});
