/** This package's npm name, shown as the origin of its plugins. */
export const PACKAGE_NAME = '@clapjs/audio-encoders';
/** This package's version (kept equal to package.json's by a test). */
export const PACKAGE_VERSION = '0.1.0';
