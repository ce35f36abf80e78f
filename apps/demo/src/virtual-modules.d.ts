/** Imports the plugin packages `pnpm demo` bundled for its model (scripts/site-config.mjs). */
declare module 'virtual:clapjs-demo-plugins';
