import { testPreset } from './vitest.js';
export default testPreset({ include: ['test/**/*.test.ts'] });
