/** This package's version, carried by its plugins. */
export const DATA_VERSION = '0.1.0';
/** The npm package the plugins come from. */
export const ORIGIN = '@clapjs/data';
