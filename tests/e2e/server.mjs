// A static file server for the built site, on 127.0.0.1 only, with the right MIME types
// (application/wasm included), using nothing but node:http and node:zlib. Text and wasm go out
// gzipped to a client that accepts it, as a real classroom server would send them (the size
// budgets are gzip bytes too). The end-to-end harness serves dist/ with it on an ephemeral port,
// and `./run` serves the site with it:
//
//   node tests/e2e/server.mjs DIR PORT

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function mimeType(file) {
  return MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

// The types worth compressing; images and fonts are compressed already.
const GZIP = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.svg', '.json', '.txt']);

/** True when the request's Accept-Encoding allows gzip (`gzip;q=0` refuses it). */
function acceptsGzip(req) {
  return String(req.headers['accept-encoding'] || '')
    .split(',')
    .some((part) => {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return coding.trim() === 'gzip' && (!q || Number(q.slice(2)) > 0);
    });
}

/**
 * Serves `root` on 127.0.0.1 with an ephemeral port. Resolves to `{ url, port, close }`, where
 * `url` ends without a slash (`http://127.0.0.1:PORT`).
 */
export async function startServer(root, port = 0) {
  const rootDir = path.resolve(root);
  const index = path.join(rootDir, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`${index} does not exist: build the site first (./run or ./test site)`);
  }
  // Gzipped bodies by file path, each kept with the mtime it was made from, so that every file is
  // compressed once (level 9 on a 700 KB wasm takes a noticeable moment) and again only after a
  // rebuild changes it.
  const gzipped = new Map();
  const gzipOf = (file, stat) => {
    const hit = gzipped.get(file);
    if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.body;
    const body = zlib.gzipSync(fs.readFileSync(file), { level: 9 });
    gzipped.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, body });
    return body;
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = path.normalize(path.join(rootDir, pathname));
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
      file = path.join(file, 'index.html');
    }
    if (!fs.existsSync(file)) {
      if (pathname === '/favicon.ico') {
        // Browsers ask for it on their own; a missing icon is not a bug of the page.
        res.writeHead(204).end();
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const headers = { 'Content-Type': mimeType(file), 'Cache-Control': 'no-store' };
    let body;
    if (GZIP.has(path.extname(file).toLowerCase())) {
      // The answer depends on Accept-Encoding whichever way it goes: say so to caches.
      headers.Vary = 'Accept-Encoding';
      if (acceptsGzip(req)) {
        body = gzipOf(file, fs.statSync(file));
        headers['Content-Encoding'] = 'gzip';
      }
    }
    body ??= fs.readFileSync(file);
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = server.address().port;
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// Run as a program: serve DIR on PORT until interrupted.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, port] = process.argv.slice(2);
  if (!dir || !/^\d+$/.test(port || '')) {
    console.error('usage: node server.mjs DIR PORT');
    process.exit(2);
  }
  const server = await startServer(dir, Number(port));
  console.log(`serving ${path.resolve(dir)} at ${server.url}/`);
}
