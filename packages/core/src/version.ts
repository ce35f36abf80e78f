import pkg from '../package.json';

/** The version of @clapjs/core that is running; plugins declare the range they support. */
export const CORE_VERSION: string = pkg.version;
