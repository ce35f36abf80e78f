import pkg from '../package.json';

/** This package's version (from its package.json), which its plugins report. */
export const VERSION: string = pkg.version;
