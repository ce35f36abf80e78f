import pkg from '../package.json';

/** This package's npm name, shown as the origin of its plugins. */
export const PACKAGE_NAME: string = pkg.name;
/** This package's version (from its package.json), which its plugins report. */
export const PACKAGE_VERSION: string = pkg.version;
