// Which directories `clapjs export --out` may replace: new, empty, marked, or holding only what
// an export writes (exports made before the marker existed). Anything else is refused.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExportTarget, EXPORT_MARKER } from '../src/out-dir.js';
import { tempDir } from './helpers.js';

describe('export targets', () => {
  it('accepts new, empty, marked and earlier-export directories', () => {
    const root = tempDir();
    checkExportTarget(join(root, 'new'));
    mkdirSync(join(root, 'empty'));
    checkExportTarget(join(root, 'empty'));
    mkdirSync(join(root, 'marked', 'anything'), { recursive: true });
    writeFileSync(join(root, 'marked', EXPORT_MARKER), '');
    checkExportTarget(join(root, 'marked'));
    mkdirSync(join(root, 'legacy', 'model'), { recursive: true });
    writeFileSync(join(root, 'legacy', 'examples.json'), '[]');
    checkExportTarget(join(root, 'legacy'));
  });

  it('refuses a directory with anything an export does not write, and files', () => {
    const root = tempDir();
    mkdirSync(join(root, 'mixed', 'model'), { recursive: true });
    writeFileSync(join(root, 'mixed', 'notes.txt'), 'mine');
    expect(() => checkExportTarget(join(root, 'mixed'))).toThrow(
      /Refusing to export to .*mixed: it holds 1 entry that clapjs export does not write \(e\.g\. "notes\.txt"\)/,
    );
    writeFileSync(join(root, 'file'), 'x');
    expect(() => checkExportTarget(join(root, 'file'))).toThrow(/it is a file/);
    expect(() => checkExportTarget(join(root, 'file', 'sub'))).toThrow(
      /file is a file, not a directory/,
    );
  });
});
