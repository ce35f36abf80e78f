// The vitest preset shared by every package: node environment, tests beside the code.
import { defineConfig } from 'vitest/config';

/** @param {import('vitest/config').UserConfig['test']} [test] */
export function testPreset(test = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...test,
    },
  });
}
