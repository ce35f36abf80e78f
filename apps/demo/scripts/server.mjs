// A tiny static server for the built demo: dist/ at `/`, the web export at `/clap/`.
// No dependencies, localhost only; used by `pnpm demo` and by the end-to-end tests.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** Resolves a URL path inside `root`, or undefined when it would escape it or is not a file. */
function fileUnder(root, urlPath) {
  const path = resolve(root, `.${sep}${normalize(decodeURIComponent(urlPath))}`);
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return fileUnder(root, `${urlPath.replace(/\/?$/, '/')}index.html`);
    return stat.isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the server.
 * @param {{ dist: string, exportDir: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startServer({ dist, exportDir, port = 0, host = '127.0.0.1' }) {
  const roots = [
    ['/clap/', resolve(exportDir)],
    ['/', resolve(dist)],
  ];
  const server = createServer((request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [prefix, root] = roots.find(([p]) => urlPath.startsWith(p));
    let file;
    try {
      file = fileUnder(root, urlPath.slice(prefix.length - 1));
    } catch {
      file = undefined;
    }
    if (file === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${urlPath}\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({
        url: `http://${host}:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
