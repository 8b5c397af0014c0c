// Tests of the harness itself, on a tiny fixture site: the static server's MIME types and path
// handling, Chromium loading a wasm module from it, and the guards that fail a test on an
// off-host request, a console error or an uncaught error. The server itself lives in server.mjs
// (./run serves the site with it too); the harness re-exports it with dist/ as its default root.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  DIST_DIR,
  closePage,
  isLocalUrl,
  launchBrowser,
  mimeType,
  openPage,
  screenshot,
  startServer,
  tempDir,
} from './harness.mjs';

// The smallest valid WebAssembly module: magic number and version.
const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let site;
let server;
let browser;

before(async () => {
  site = tempDir('distlab-harness-');
  fs.writeFileSync(
    path.join(site, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>loading</title>
<link rel="stylesheet" href="/style.css"></head>
<body><p id="out">…</p><script type="module" src="/app.js"></script></body></html>`,
  );
  fs.writeFileSync(path.join(site, 'style.css'), 'body { font-family: sans-serif; }\n');
  fs.writeFileSync(
    path.join(site, 'app.js'),
    `const r = await WebAssembly.instantiateStreaming(fetch('/empty.wasm'));
document.getElementById('out').textContent = 'wasm ok: ' + (r.instance instanceof WebAssembly.Instance);
document.title = 'ready';
`,
  );
  fs.writeFileSync(path.join(site, 'empty.wasm'), EMPTY_WASM);
  fs.writeFileSync(
    path.join(site, 'offsite.html'),
    `<!doctype html><html><body><img src="http://example.invalid/pixel.png" alt=""></body></html>`,
  );
  fs.writeFileSync(
    path.join(site, 'noisy.html'),
    `<!doctype html><html><body><script>
console.error('something broke');
setTimeout(() => { throw new Error('uncaught boom'); }, 0);
</script></body></html>`,
  );
  server = await startServer(site);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

test('MIME types', () => {
  assert.equal(mimeType('x/app_bg.wasm'), 'application/wasm');
  assert.match(mimeType('app.js'), /^text\/javascript/);
  assert.match(mimeType('style.CSS'), /^text\/css/);
  assert.match(mimeType('index.html'), /^text\/html/);
});

test('the server serves files with their types, on 127.0.0.1 only', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const wasm = await fetch(`${server.url}/empty.wasm`);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual(Buffer.from(await wasm.arrayBuffer()), EMPTY_WASM);
  const root = await fetch(`${server.url}/`);
  assert.equal(root.status, 200);
  assert.match(root.headers.get('content-type'), /^text\/html/);
  assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/..%2f..%2f..%2fetc%2fpasswd`)).status, 403);
});

test('startServer() serves dist/ by default, and refuses a folder without index.html', async () => {
  const dist = await startServer();
  try {
    const root = await fetch(`${dist.url}/`);
    assert.equal(root.status, 200);
    assert.equal(await root.text(), fs.readFileSync(path.join(DIST_DIR, 'index.html'), 'utf8'));
  } finally {
    await dist.close();
  }
  const empty = tempDir('distlab-harness-empty-');
  try {
    await assert.rejects(startServer(empty), /index\.html does not exist: build the site first/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('isLocalUrl accepts only 127.0.0.1 and in-page URLs', () => {
  assert.ok(isLocalUrl('http://127.0.0.1:8080/x.wasm'));
  assert.ok(isLocalUrl('data:image/png;base64,AAAA'));
  assert.ok(isLocalUrl('blob:http://127.0.0.1:8080/1234'));
  assert.ok(!isLocalUrl('http://localhost:8080/'));
  assert.ok(!isLocalUrl('https://fonts.example.com/a.woff2'));
});

test('Chromium loads a wasm module from the server, cleanly', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.title === 'ready');
  assert.equal(await page.textContent('#out'), 'wasm ok: true');
  await screenshot(page, 'harness-fixture');
  await closePage(page);
});

test('a request to another host fails the page', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/offsite.html`);
  await page.waitForTimeout(300);
  assert.ok(
    page.problems.some((p) => p.includes('example.invalid')),
    `expected the off-host request to be caught, got: ${page.problems.join('; ')}`,
  );
  assert.throws(() => page.assertClean(), /host other than 127\.0\.0\.1/);
  await page.closeAll();
});

test('console errors and uncaught errors fail the page', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/noisy.html`);
  await page.waitForTimeout(300);
  assert.ok(page.problems.some((p) => p.includes('console error: something broke')));
  assert.ok(page.problems.some((p) => p.includes('page error: uncaught boom')));
  await assert.rejects(closePage(page), /not clean/);
});
