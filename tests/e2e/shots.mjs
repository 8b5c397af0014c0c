// Screenshots for a person to look at (not a test): every page at a given size, in both languages,
// with and without projector mode, at a lesson's given step.
//
//   node tests/e2e/shots.mjs OUT_DIR [WIDTHxHEIGHT] [page#fragment ...]
//
// Without pages: the landing page and the first lesson of every lab at its decisive step.

import fs from 'node:fs';
import path from 'node:path';

import { launchBrowser, startServer, tid } from './harness.mjs';

const [out = 'shots', size = '1280x720', ...wanted] = process.argv.slice(2);
const [width, height] = size.split('x').map(Number);
const pages = wanted.length
  ? wanted
  : ['index.html', 'ring.html#lab=ring&scenario=ring-n1-dies&step=3',
    'jms.html#lab=jms&scenario=jms-processed-twice&step=12',
    'activemq.html#lab=activemq&scenario=activemq-stranded&step=18',
    'rabbitmq.html#lab=rabbitmq&scenario=rabbitmq-auto-ack&step=8',
    'flow.html#lab=flow&scenario=flow-backlog-ttl&step=10',
    'locks.html#lab=locks&scenario=locks-redis-lease-pause&step=14'];

fs.mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
for (const lang of ['en', 'zh']) {
  for (const projector of [false, true]) {
    for (const target of pages) {
      const context = await browser.newContext({ viewport: { width, height } });
      await context.addInitScript(([l, p]) => {
        localStorage.setItem('distlab.lang', l);
        localStorage.setItem('distlab.projector', String(p));
      }, [lang, projector]);
      const page = await context.newPage();
      await page.goto(`${server.url}/${target}`);
      const page_ = target.split(/[.#]/)[0];
      const lesson = /scenario=([^&]+)/.exec(target)?.[1];
      const name = lesson ? `${page_}-${lesson}` : page_;
      if (page_ === 'index') {
        await page.locator('.lab-card').first().waitFor();
      } else {
        await page.locator(tid('step-counter')).waitFor();
        await page.waitForTimeout(300);
      }
      const file = path.join(out, `${name}-${lang}${projector ? '-projector' : ''}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await context.close();
    }
  }
}
await browser.close();
await server.close();
