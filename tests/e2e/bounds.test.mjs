// Bad input never freezes or kills a page. On every lab's page: the heaviest file the format
// allows (a lesson padded to 500 steps) imports, plays and seeks without a frozen page, and the
// times are printed (figures, not assertions: `bounds <lab>: …`); a link that injects a fault the
// lesson's toolbar does not offer, and a file with a wait of 2^64 - 1 ms, are refused with a
// message in the page's language while the lesson on screen stays.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closePage, openPage, stepOf, tid, totalOf, useSite, waitStep } from './harness.mjs';

const LABS = ['ring', 'jms', 'activemq', 'rabbitmq', 'flow', 'locks', 'ids'];
const MAX_STEPS = 500;
const site = useSite();

async function text(locator) {
  return (await locator.textContent())?.trim() ?? '';
}

/** The file of a lab's first lesson, as the site serves it. */
async function firstLesson(lab) {
  const index = await (await fetch(`${site.server.url}/lessons/${lab}/index.json`)).json();
  const id = index[0].id;
  return { id, file: await (await fetch(`${site.server.url}/lessons/${lab}/${id}.json`)).json() };
}

/** Starts recording the page's long tasks (main-thread work over 50 ms: a frozen page). */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
}

/** The longest task since the last call, in ms (0 when none took over 50 ms). */
async function longestTask(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return page.evaluate(() => {
    const longest = Math.max(0, ...window.__longTasks);
    window.__longTasks = [];
    return Math.round(longest);
  });
}

async function importText(page, name, body) {
  await page.locator(tid('import')).setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(body),
  });
}

describe('bad input never freezes or kills a page', () => {
  for (const lab of LABS) {
    test(`${lab}: a lesson padded to ${MAX_STEPS} steps imports, plays and seeks`, async () => {
      const { id, file } = await firstLesson(lab);
      const scenario = file[lab];
      scenario.title = { en: 'The longest lesson a file may hold', zh: '文件能容纳的最长课程' };
      while (scenario.steps.length < MAX_STEPS) {
        scenario.steps.push({ do: 'next', narration: { en: 'Whatever is due next.', zh: '接下来到期的事。' } });
      }
      const page = await openPage(site.browser);
      try {
        await page.goto(`${site.server.url}/${lab}.html#lab=${lab}&scenario=${id}&step=0`);
        await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
        await watchLongTasks(page);
        let t0 = Date.now();
        await importText(page, 'long.json', JSON.stringify(file));
        await page.waitForFunction(
          ([sel, want]) => document.querySelector(sel)?.getAttribute('data-total') === String(want),
          [tid('step-counter'), MAX_STEPS],
        );
        const imported = Date.now() - t0;
        const importTask = await longestTask(page);
        assert.equal(await page.locator(tid('message')).count(), 0, 'the file is accepted');
        await page.evaluate(() => document.activeElement?.blur?.());
        t0 = Date.now();
        await page.keyboard.press('End');
        await waitStep(page, MAX_STEPS);
        const toEnd = Date.now() - t0;
        const endTask = await longestTask(page);
        t0 = Date.now();
        await page.keyboard.press('Home');
        await waitStep(page, 0);
        const toStart = Date.now() - t0;
        const startTask = await longestTask(page);
        // The page still answers: one step forward.
        await page.keyboard.press('ArrowRight');
        await waitStep(page, 1);
        console.log(
          `bounds ${lab}: import of ${MAX_STEPS} steps ${imported} ms (longest task ${importTask} ms), ` +
            `seek to the end ${toEnd} ms (${endTask} ms), back to the start ${toStart} ms (${startTask} ms)`,
        );
      } finally {
        await closePage(page);
      }
    });
  }

  test('a link that injects a fault the lesson does not offer is refused; the lesson stays', async () => {
    const page = await openPage(site.browser);
    try {
      await page.goto(`${site.server.url}/activemq.html#lab=activemq&scenario=activemq-replay&step=3`);
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 3);
      const total = await totalOf(page);
      const inject = encodeURIComponent(JSON.stringify([{ at: 6, action: { fault: { fault: { partition: { groups: [[1]] } } } } }]));
      await page.evaluate((hash) => { window.location.hash = hash; }, `lab=activemq&scenario=activemq-replay&step=7&inject=${inject}`);
      const message = page.locator(tid('message'));
      await message.waitFor({ state: 'visible' });
      assert.match(await text(message), /a fault this lesson does not offer \(partition\)/);
      assert.equal(await stepOf(page), 3, 'the step stays');
      assert.equal(await totalOf(page), total, 'the run stays');
    } finally {
      await closePage(page);
    }
  });

  test('a file with a wait of 2^64 - 1 ms is refused in the language on screen', async () => {
    const page = await openPage(site.browser, { locale: 'zh-CN' });
    try {
      const { id, file } = await firstLesson('jms');
      await page.goto(`${site.server.url}/jms.html#lab=jms&scenario=${id}&step=2`);
      await page.locator(tid('step-counter')).waitFor({ state: 'visible' });
      await waitStep(page, 2);
      file.jms.steps[1].do = { wait: { ms: 12345 } };
      const body = JSON.stringify(file).replace('12345', '18446744073709551615');
      await importText(page, 'wait.json', body);
      const message = page.locator(tid('message'));
      await message.waitFor({ state: 'visible' });
      assert.match(await text(message), /第 2 步：等待时间是 18,446,744,073,709,551,615 ms；最多允许一天的虚拟时间/);
      assert.equal(await stepOf(page), 2, 'the step stays');
    } finally {
      await closePage(page);
    }
  });
});
