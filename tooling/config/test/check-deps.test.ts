import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencies } from '../check-deps.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe('checkDependencies', () => {
  it('accepts the monorepo as it is', () => {
    expect(checkDependencies(here('../../..'))).toEqual([]);
  });

  it('refuses losses importing @clapjs/trainer, naming the file and the allowed list', () => {
    const problems = checkDependencies(here('../fixtures/bad-deps'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('packages/losses may not depend on @clapjs/trainer');
    expect(problems[0]).toContain('packages/losses/src/index.ts');
    expect(problems[0]).toContain('allowed: core');
  });
});
