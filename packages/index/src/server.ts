import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ClapError } from '@clapjs/core';
import { readShardAudio, readShardSamples } from '@clapjs/data';
import type { Embedder } from './embed.js';
import { IndexError } from './errors.js';
import { sqlString } from './schema.js';
import { searchByVector } from './search.js';
import { shardOfPath } from './shards.js';
import { audioSchema, audioSearchSchema, itemSchema, textSearchSchema } from './server-schemas.js';
import type { LibraryIndex } from './store.js';

/** Options of {@link createSearchServer}. */
export interface SearchServerOptions {
  readonly index: LibraryIndex;
  /** Embeds text and example queries; must be the table's model (checked). */
  readonly embedder: Embedder;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** Largest request body (an uploaded example), bytes (default 10 MiB). */
  readonly bodyLimit?: number;
  /** Requests per client per minute (default 120). */
  readonly rateLimitPerMinute?: number;
  /** Root name → directory to serve audio from (default: the roots the table records). */
  readonly roots?: Record<string, string>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.aiff': 'audio/aiff',
  '.aif': 'audio/aiff',
};

function statusOf(error: ClapError): number {
  if (error.code === 'INDEX_MODEL_MISMATCH') return 409;
  if (error.code === 'INDEX_ITEM_MISSING') return 404;
  if (error.code === 'INDEX_FILE_OUTSIDE_ROOTS') return 403;
  return 400;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The file a row names, if it lies inside its root: resolved, with symbolic links followed,
 * and refused (typed error) when it leaves the root.
 */
export async function fileInsideRoot(rootDir: string, path: string): Promise<string> {
  const root = await realpath(rootDir);
  let file: string;
  try {
    file = await realpath(resolve(root, path));
  } catch {
    throw new IndexError('INDEX_ITEM_MISSING', `The file ${path} is no longer in its root.`);
  }
  if (!file.startsWith(root + sep))
    throw new IndexError(
      'INDEX_FILE_OUTSIDE_ROOTS',
      `Refusing to serve ${path}: it resolves outside the indexed root ${root}.`,
    );
  return file;
}

/** The audio bytes of the sample a row's `SHARD/KEY.EXT` path names, read from its shard. */
async function shardMember(shardFile: string, shard: string, path: string): Promise<Uint8Array> {
  const name = path.slice(shard.length + 1);
  const sample = readShardSamples(shardFile).find((s) => s.audioName === name);
  if (sample === undefined)
    throw new IndexError('INDEX_ITEM_MISSING', `The sample ${path} is no longer in its shard.`);
  return readShardAudio(shardFile, sample);
}

/**
 * The HTTP search API over a library table (Fastify): `GET /api/search?q=…`, `POST
 * /api/search/audio` (an example clip as the body), `GET /api/items/:id`, `GET
 * /api/items/:id/audio`, and the OpenAPI description at `/openapi.json`. Results are those of
 * {@link searchByVector}; rows added while it runs are seen by the next request. Listen with
 * `server.listen({ host: '127.0.0.1', port })`.
 * @throws ModelMismatchError when the embedder is not the table's model
 */
export async function createSearchServer(options: SearchServerOptions): Promise<FastifyInstance> {
  const { index, embedder } = options;
  await index.checkModel(embedder.identity);
  const info = await index.requireInfo();
  const roots = options.roots ?? info.roots;
  const bodyLimit = options.bodyLimit ?? 10 * 1024 * 1024;
  // Fastify and its plugins load when a server is made, not when @clapjs/index is imported.
  const [{ default: Fastify }, { default: swagger }, { default: cors }, { default: rateLimit }] =
    await Promise.all([
      import('fastify'),
      import('@fastify/swagger'),
      import('@fastify/cors'),
      import('@fastify/rate-limit'),
    ]);
  const app = Fastify({ bodyLimit, logger: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'clapjs library search', version: '1' },
      ...(options.token === undefined
        ? {}
        : {
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          }),
    },
  });
  await app.register(cors, {
    origin: options.corsOrigins === undefined ? false : [...options.corsOrigins],
  });
  await app.register(rateLimit, { max: options.rateLimitPerMinute ?? 120, timeWindow: 60_000 });
  for (const type of ['application/octet-stream', /^audio\//])
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
  if (options.token !== undefined) {
    const token = options.token;
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return;
      const header = request.headers.authorization ?? '';
      if (!header.startsWith('Bearer ') || !sameToken(header.slice(7), token))
        await reply
          .code(401)
          .send({ code: 'UNAUTHORIZED', message: 'Send Authorization: Bearer <token>.' });
    });
  }
  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof ClapError)
      return reply.code(statusOf(error)).send({ code: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({
      code: (error as { code?: string }).code ?? 'INTERNAL',
      message: status >= 500 ? 'Internal error.' : (error as Error).message,
    });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/api/search', { schema: textSearchSchema }, async (request) => {
    const q = request.query as { q: string; k: number; where?: string; hybrid: boolean };
    const vector = await embedder.embedText(q.q);
    const hits = await searchByVector(index, vector, {
      k: q.k,
      ...(q.where === undefined ? {} : { where: q.where }),
      ...(q.hybrid ? { hybridText: q.q } : {}),
    });
    return { hits };
  });

  app.post('/api/search/audio', { schema: audioSearchSchema }, async (request) => {
    const q = request.query as { k: number; where?: string };
    if (!Buffer.isBuffer(request.body) || request.body.length === 0)
      throw new IndexError(
        'INDEX_QUERY_INVALID',
        'Send the example clip as the request body (Content-Type: audio/wav, audio/flac, audio/mpeg, audio/ogg or application/octet-stream).',
      );
    const vector = await embedder.embedExample(new Uint8Array(request.body), 'the uploaded clip');
    return {
      hits: await searchByVector(index, vector, {
        k: q.k,
        ...(q.where === undefined ? {} : { where: q.where }),
      }),
    };
  });

  async function rowsOf(id: string): Promise<Record<string, unknown>[]> {
    const rows = (await (
      await index.table()
    )
      .query()
      .where(`id = ${sqlString(id)}`)
      .select([
        'id',
        'root',
        'path',
        'window_start',
        'window_end',
        'duration',
        'caption',
        'metadata',
      ])
      .toArray()) as Record<string, unknown>[];
    if (rows.length === 0)
      throw new IndexError('INDEX_ITEM_MISSING', `No item ${id} in table "${index.name}".`);
    return rows;
  }

  app.get('/api/items/:id', { schema: itemSchema }, async (request) => {
    const rows = await rowsOf((request.params as { id: string }).id);
    const first = rows[0] as Record<string, unknown>;
    return {
      id: first.id,
      root: first.root,
      path: first.path,
      duration: first.duration,
      caption: first.caption,
      metadata: JSON.parse(String(first.metadata)) as unknown,
      windows: rows
        .map((r) => ({ start: Number(r.window_start), end: Number(r.window_end) }))
        .sort((a, b) => a.start - b.start),
    };
  });

  app.get('/api/items/:id/audio', { schema: audioSchema }, async (request, reply) => {
    const [row] = await rowsOf((request.params as { id: string }).id);
    const rootDir = roots[String(row?.root)];
    if (rootDir === undefined)
      throw new IndexError(
        'INDEX_FILE_OUTSIDE_ROOTS',
        `The root "${String(row?.root)}" is not served here.`,
      );
    const path = String(row?.path);
    const contentType = (name: string) =>
      CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
    const shard = shardOfPath(path);
    if (shard !== undefined) {
      // A WebDataset sample: found again by name in its shard's headers (offsets are not stored,
      // so a rewritten shard never serves another sample's bytes).
      const bytes = await shardMember(await fileInsideRoot(rootDir, shard), shard, path);
      return reply
        .header('content-type', contentType(path))
        .header('content-length', bytes.length)
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    const file = await fileInsideRoot(rootDir, path);
    const size = (await stat(file)).size;
    return reply
      .header('content-type', contentType(file))
      .header('content-length', size)
      .send(createReadStream(file));
  });

  return app;
}
