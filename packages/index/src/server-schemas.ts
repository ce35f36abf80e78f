// JSON schemas of the HTTP API: they validate requests, shape responses and make the OpenAPI
// description (served at /openapi.json).

const hit = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    root: { type: 'string' },
    path: { type: 'string' },
    windowStart: { type: 'number', description: 'start of the best window, seconds' },
    windowEnd: { type: 'number', description: 'end of the best window, seconds' },
    duration: { type: 'number' },
    caption: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true },
    score: { type: 'number', description: 'cosine similarity (fused rank score when hybrid)' },
  },
} as const;

export const hitsResponse = {
  200: { type: 'object', properties: { hits: { type: 'array', items: hit } } },
} as const;

const k = { type: 'integer', minimum: 1, maximum: 1000, default: 10 } as const;

export const textSearchSchema = {
  summary: 'Search the library by text',
  querystring: {
    type: 'object',
    required: ['q'],
    properties: {
      q: { type: 'string', minLength: 1, maxLength: 1000 },
      k,
      where: {
        type: 'string',
        maxLength: 2000,
        description: 'LanceDB SQL filter on the row columns',
      },
      hybrid: {
        type: 'boolean',
        default: false,
        description: 'fuse with full-text search on paths and captions',
      },
    },
  },
  response: hitsResponse,
} as const;

export const audioSearchSchema = {
  summary:
    'Search the library by an example clip (the request body: WAV, FLAC, MP3 or Ogg Vorbis bytes)',
  querystring: {
    type: 'object',
    properties: { k, where: { type: 'string', maxLength: 2000 } },
  },
  response: hitsResponse,
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
} as const;

export const itemSchema = {
  summary: "An item's metadata: its file and windows",
  params: idParams,
  response: {
    200: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        root: { type: 'string' },
        path: { type: 'string' },
        duration: { type: 'number' },
        caption: { type: 'string' },
        metadata: { type: 'object', additionalProperties: true },
        windows: {
          type: 'array',
          items: {
            type: 'object',
            properties: { start: { type: 'number' }, end: { type: 'number' } },
          },
        },
      },
    },
  },
} as const;

export const audioSchema = {
  summary: "An item's audio file (only files inside the indexed roots are served)",
  params: idParams,
} as const;
