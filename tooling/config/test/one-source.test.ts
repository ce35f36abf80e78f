import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'package.json')),
);
const source = (pkg: string, file: string): string | undefined => {
  const path = join(root, 'packages', pkg, 'src', file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
};

describe('one source of truth', () => {
  it("every package's src/version.ts reads its package.json (no version literal to forget on release)", () => {
    const offenders = packages.filter((pkg) => {
      const text = source(pkg, 'version.ts');
      return text !== undefined && (/\d+\.\d+\.\d+/.test(text) || !text.includes('package.json'));
    });
    expect(offenders).toEqual([]);
  });

  it("every plugin package's register.ts registers its exported plugin array, not a second list", () => {
    const offenders = packages.filter((pkg) => {
      const text = source(pkg, 'register.ts');
      if (text === undefined || !text.includes("from '@clapjs/core'")) return false;
      return !/for \(const \w+ of \w+Plugins\b/.test(text) || /^register\(/m.test(text);
    });
    expect(offenders).toEqual([]);
  });
});
