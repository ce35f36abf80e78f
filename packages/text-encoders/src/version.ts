import pkg from '../package.json';

/** This package's version (from its package.json), stamped into every plugin it defines. */
export const PACKAGE_VERSION: string = pkg.version;

/** This package's npm name, the `origin` of its plugins. */
export const PACKAGE_NAME: string = pkg.name;
