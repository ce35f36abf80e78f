/** This package's version, stamped into every plugin it defines. */
export const PACKAGE_VERSION = '0.1.0';

/** This package's npm name, the `origin` of its plugins. */
export const PACKAGE_NAME = '@clapjs/text-encoders';
