/**
 * What `pnpm demo` serves for a user-given path: the web export and the site directory (the
 * default build, or one with the model's plugin packages bundled in).
 */
export function prepareDemo(options: {
  model: string;
  quantize?: string;
  cwd: string;
  dist: string;
}): Promise<{ exportDir: string; site: string; plugins: string[] }>;

/** Finds (or makes) the web export to serve for a user-given path. */
export function resolveExport(
  given: string,
  quantize?: string,
  cwd?: string,
): { exportDir: string; modelDir: string };
