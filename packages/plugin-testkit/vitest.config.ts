import { testPreset } from '@clapjs/config/vitest';
export default testPreset();
