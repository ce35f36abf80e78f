import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetItems,
  readShardAudio,
  readShardSamples,
  SynthDataset,
  synthConfigSchema,
  writeWebDataset,
} from '@clapjs/data';
import { ClapModel } from '@clapjs/model';
import { buildLibrary } from './build.js';
import { Embedder } from './embed.js';
import type { IndexRow } from './schema.js';
import { searchByVector, type SearchHit } from './search.js';
import { createSearchServer } from './server.js';
import { LibraryIndex } from './store.js';
import { saveTinyModel, tempDir, useCpu, writeSynthLibrary } from './test-utils/fixtures.js';

describe('createSearchServer', () => {
  const dir = tempDir();
  const root = join(dir, 'library');
  const db = join(dir, 'db');
  const TOKEN = 'secret-token-123';
  let embedder: Embedder;
  let index: LibraryIndex;
  let app: FastifyInstance;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    await useCpu();
    const modelDir = await saveTinyModel(join(dir, 'model'));
    embedder = await Embedder.create(await ClapModel.load(modelDir), modelDir);
    await writeSynthLibrary(root, 30);
    const synth = new SynthDataset({
      ...synthConfigSchema.parse({ size: 2, seed: 9, clipSeconds: 0.5 }),
      name: 'synth',
    });
    await writeWebDataset(datasetItems(synth), join(dir, 'shards'), { shardSize: 2 });
    index = await LibraryIndex.open(db);
    await buildLibrary(index, embedder, { root });
    app = await createSearchServer({
      index,
      embedder,
      token: TOKEN,
      corsOrigins: ['https://demo.example'],
      bodyLimit: 64 * 1024,
    });
  });
  afterAll(async () => {
    await app?.close();
    embedder.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the library call’s ranking for a text query', async () => {
    const res = await app.inject({
      url: '/api/search?q=a%20bright%20rising%20sound&k=7',
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    const expected = await searchByVector(
      index,
      await embedder.embedText('a bright rising sound'),
      { k: 7 },
    );
    const hits = (res.json() as { hits: SearchHit[] }).hits;
    expect(hits.map((h) => h.path)).toEqual(expected.map((h) => h.path));
    expect(hits.map((h) => h.score)).toEqual(expected.map((h) => h.score));
  });

  it('searches by an uploaded example, describes and streams the hit', async () => {
    const path = 'part-00/clip-0011.wav';
    const bytes = readFileSync(join(root, path));
    const res = await app.inject({
      method: 'POST',
      url: '/api/search/audio?k=3',
      headers: { ...auth, 'content-type': 'audio/wav' },
      payload: bytes,
    });
    expect(res.statusCode).toBe(200);
    const [best] = (res.json() as { hits: SearchHit[] }).hits;
    expect(best?.path).toBe(path);
    const item = await app.inject({ url: `/api/items/${best?.id}`, headers: auth });
    expect(item.json()).toMatchObject({ path, windows: [{ start: 0, end: 0.5 }] });
    const audio = await app.inject({ url: `/api/items/${best?.id}/audio`, headers: auth });
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    expect(Buffer.compare(audio.rawPayload, bytes)).toBe(0);
  });

  it('refuses missing tokens, oversize uploads, bad ids and files outside the roots', async () => {
    expect((await app.inject({ url: '/api/search?q=noise' })).statusCode).toBe(401);
    const big = await app.inject({
      method: 'POST',
      url: '/api/search/audio',
      headers: { ...auth, 'content-type': 'audio/wav' },
      payload: Buffer.alloc(65 * 1024),
    });
    expect(big.statusCode).toBe(413);
    expect(
      (await app.inject({ url: '/api/items/..%2F..%2Fetc/audio', headers: auth })).statusCode,
    ).toBe(400);
    // A row whose path leaves the root (a tampered table) is never served.
    writeFileSync(join(dir, 'outside.wav'), 'secret');
    const [row] = (await (await index.table()).query().limit(1).toArray()) as IndexRow[];
    await index.upsert([
      {
        ...(row as IndexRow),
        id: 'ffffffffffffffff',
        path: '../outside.wav',
        vector: Array.from(row?.vector ?? []),
      },
    ]);
    const escaped = await app.inject({ url: '/api/items/ffffffffffffffff/audio', headers: auth });
    expect(escaped.statusCode).toBe(403);
    expect(escaped.body).not.toContain('secret');
    await index.deleteWhere("id = 'ffffffffffffffff'");
  });

  it("streams a WebDataset sample's audio out of its shard", async () => {
    const shardDir = join(dir, 'shards');
    const shardIndex = await LibraryIndex.open(join(dir, 'db-shards'));
    await buildLibrary(shardIndex, embedder, { root: shardDir, indexes: false });
    const shardApp = await createSearchServer({ index: shardIndex, embedder });
    try {
      const shardFile = join(shardDir, 'shard-000000.tar');
      const [, second] = readShardSamples(shardFile);
      if (second === undefined) throw new Error('two samples were written');
      const [row] = (await (
        await shardIndex.table()
      )
        .query()
        .where(`path = 'shard-000000.tar/${second.audioName}'`)
        .toArray()) as IndexRow[];
      const res = await shardApp.inject({ url: `/api/items/${row?.id}/audio` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(new Uint8Array(res.rawPayload)).toEqual(await readShardAudio(shardFile, second));
    } finally {
      await shardApp.close();
    }
  });

  it('sees rows added while it runs; CORS and the OpenAPI description', async () => {
    const search = async () =>
      (
        (await app.inject({ url: '/api/search?q=noise&k=100', headers: auth })).json() as {
          hits: SearchHit[];
        }
      ).hits.length;
    expect(await search()).toBe(30);
    await writeSynthLibrary(join(root, 'more'), 5, 9);
    await buildLibrary(index, embedder, { root, indexes: false });
    expect(await search()).toBe(35);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/search?q=x',
      headers: { origin: 'https://demo.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe('https://demo.example');
    const spec = (await app.inject({ url: '/openapi.json', headers: auth })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/search',
        '/api/search/audio',
        '/api/items/{id}',
        '/api/items/{id}/audio',
      ]),
    );
  });
});
