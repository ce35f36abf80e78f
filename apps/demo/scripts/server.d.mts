/** Starts the demo's static server: `dist` at `/`, the web export at `/clap/`. */
export function startServer(options: {
  dist: string;
  exportDir: string;
  port?: number;
  host?: string;
}): Promise<{ url: string; close: () => Promise<void> }>;
