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

  it('lets tests use a test-only package but refuses it in library code', () => {
    const problems = checkDependencies(here('../fixtures/bad-test-only'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      'packages/similarity uses the test-only @clapjs/test-backends in packages/similarity/src/index.ts',
    );
  });

  it("keeps the trainer's @clapjs/model to its tests: the gradient worker may not import it", () => {
    const problems = checkDependencies(here('../fixtures/bad-test-only-in'));
    expect(problems).toEqual([
      'packages/trainer uses the test-only @clapjs/model in packages/trainer/src/gradient-worker.ts; list it in devDependencies and import it only from test files (*.test.ts, *.fixture.ts, test-support.ts, test-utils/)',
    ]);
  });
});
