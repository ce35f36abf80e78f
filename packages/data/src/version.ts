import pkg from '../package.json';

/** This package's version (from its package.json), carried by its plugins. */
export const DATA_VERSION: string = pkg.version;
/** The npm package the plugins come from. */
export const ORIGIN: string = pkg.name;
