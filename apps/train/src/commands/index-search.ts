// `clapjs index search --db URI "text"` / `--like FILE`: one hit per file, best window's span.
import { searchByVector, type SearchHit } from '@clapjs/index';
import { CliError } from '../errors.js';
import { openLibrary, type IndexTarget } from './index-common.js';

/** Options of {@link indexSearchCommand}. */
export interface IndexSearchOptions extends IndexTarget {
  k: string;
  where?: string;
  like?: string;
  hybrid?: boolean;
  exact?: boolean;
  json?: boolean;
}

/** Runs `clapjs index search`; returns the hits it printed. */
export async function indexSearchCommand(
  text: string | undefined,
  o: IndexSearchOptions,
  log: (line: string) => void,
): Promise<SearchHit[]> {
  if ((text === undefined) === (o.like === undefined))
    throw new CliError('SEARCH_QUERY', 'Give either a text query or --like FILE (not both).');
  const { index, embedder } = await openLibrary(o);
  try {
    const vector =
      text === undefined
        ? await embedder.embedExample(o.like as string)
        : await embedder.embedText(text);
    const hits = await searchByVector(index, vector, {
      k: Number.parseInt(o.k, 10),
      ...(o.where === undefined ? {} : { where: o.where }),
      ...(o.hybrid === true && text !== undefined ? { hybridText: text } : {}),
      ...(o.exact === true ? { exact: true } : {}),
    });
    if (o.json === true) log(JSON.stringify(hits));
    else
      for (const h of hits)
        log(
          `${h.score.toFixed(4).padStart(8)}  ${h.path}  [${h.windowStart.toFixed(2)}–${h.windowEnd.toFixed(2)} s]`,
        );
    return hits;
  } finally {
    embedder.model.dispose();
  }
}
