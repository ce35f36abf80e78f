import config, { strictTypes } from '@clapjs/config/eslint';

export default [...config, strictTypes];
