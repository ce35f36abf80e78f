import { testPreset } from '@clapjs/config/vitest';

// The e2e tests drive one Chromium against one server: run the files one after the other.
export default testPreset({
  globalSetup: ['test/global-setup.ts'],
  fileParallelism: false,
  testTimeout: 120_000,
});
