// `clapjs serve --db URI`: the HTTP search API over a library table.
import { createSearchServer } from '@clapjs/index';
import { openLibrary, parseRoots, type IndexTarget } from './index-common.js';

/** Options of {@link serveCommand}. */
export interface ServeOptions extends IndexTarget {
  host: string;
  port: string;
  token?: string;
  cors?: string;
  maxUploadMb: string;
  rateLimit: string;
  root?: string[];
}

/** Runs `clapjs serve` until SIGINT/SIGTERM. */
export async function serveCommand(o: ServeOptions, log: (line: string) => void): Promise<void> {
  const { index, embedder } = await openLibrary(o);
  const roots = parseRoots(o.root);
  const token = o.token ?? process.env.CLAPJS_SERVE_TOKEN;
  const app = await createSearchServer({
    index,
    embedder,
    bodyLimit: Math.round(Number(o.maxUploadMb) * 1024 * 1024),
    rateLimitPerMinute: Number.parseInt(o.rateLimit, 10),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(o.cors === undefined ? {} : { corsOrigins: o.cors.split(',').map((s) => s.trim()) }),
    ...(Object.keys(roots).length === 0
      ? {}
      : { roots: { ...(await index.requireInfo()).roots, ...roots } }),
  });
  const address = await app.listen({ host: o.host, port: Number.parseInt(o.port, 10) });
  log(`serving table "${index.name}" of ${o.db} at ${address} (OpenAPI: ${address}/openapi.json)`);
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  embedder.model.dispose();
}
