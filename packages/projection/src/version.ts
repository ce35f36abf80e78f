import pkg from '../package.json';

/** This package's version, which its plugins report. */
export const VERSION: string = pkg.version;
