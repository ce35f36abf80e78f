import { testPreset } from '@clapjs/config/vitest';

// One tiny model is trained once (test/global-setup.ts) and shared by every CLI test.
export default testPreset({
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 180_000,
  hookTimeout: 300_000,
});
