/**
 * The base of every error clapjs throws on purpose. `code` is stable for programs to match on;
 * the message names the input, what was expected and how to fix it.
 */
export class ClapError extends Error {
  /** A stable machine-readable code, e.g. `PLUGIN_UNKNOWN`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A plugin could not be registered or found. */
export class PluginError extends ClapError {}

/** A configuration value is missing or invalid; `path` is the dotted key that is wrong. */
export class ConfigError extends ClapError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.path = path;
  }
}

/** No requested tfjs backend could be loaded. */
export class BackendError extends ClapError {}
