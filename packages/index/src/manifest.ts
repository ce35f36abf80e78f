import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { manifestConfigSchema, readManifest } from '@clapjs/data';
import { IndexError } from './errors.js';
import { walkAudioFiles, type LibraryFile } from './walk.js';

/**
 * The files a manifest lists (@clapjs/data's JSONL/CSV manifest: a path and captions per row, with
 * optional label and split), with their captions and metadata: rows then carry them, and the
 * full-text index covers the captions. Paths resolve against `root` and must stay inside it.
 * @throws DataError (from @clapjs/data) for a missing or malformed manifest or a missing file
 * @throws IndexError when a listed file lies outside the root
 */
async function* manifestFiles(manifest: string, root: string): AsyncGenerator<LibraryFile> {
  const config = {
    ...manifestConfigSchema.parse({ path: resolve(manifest), root }),
    name: 'index',
  };
  const { items } = readManifest(config, process.cwd());
  for (const item of items) {
    const path = relative(root, item.path);
    if (path.startsWith('..') || isAbsolute(path))
      throw new IndexError(
        'INDEX_MANIFEST_PATH',
        `${manifest}: "${item.path}" lies outside the library root ${root}. List files under the root, or give their common parent as ROOT.`,
      );
    const info = await stat(item.path);
    yield {
      path: sep === '/' ? path : path.split(sep).join('/'),
      size: info.size,
      mtimeMs: info.mtimeMs,
      caption: item.captions.join(' | '),
      metadata: {
        captions: [...item.captions],
        ...(item.label === undefined ? {} : { label: item.label }),
        ...(item.split === undefined ? {} : { split: item.split }),
      },
    };
  }
}

/** The files of a build: those a manifest lists when one is given, else every audio file under the root. */
export function libraryFiles(root: string, manifest?: string): AsyncGenerator<LibraryFile> {
  return manifest === undefined ? walkAudioFiles(root) : manifestFiles(manifest, root);
}
