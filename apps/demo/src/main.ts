import './style.css';
// The plugin packages of the model being served, when `pnpm demo` bundled any (importing each
// registers its parts); empty in the default site.
import 'virtual:clapjs-demo-plugins';
import { activeBackend, startBackend } from './backend.js';
import { classifyView } from './classify-view.js';
import { cropAt } from './crop.js';
import { h, showError } from './dom.js';
import { explainerView } from './explainer-view.js';
import { loadExport, type Example } from './library.js';
import type { ClapModel } from '@clapjs/model';
import { searchView } from './search-view.js';
import { speedView } from './speed.js';

declare global {
  interface Window {
    /**
     * The loaded model and example clips, for scripts and the end-to-end tests (page.evaluate);
     * `cropAt(samples, seconds)`: a clip's single crop at an offset, as `--crop-offset` takes it.
     */
    clapjsDemo?: {
      readonly model: ClapModel;
      readonly examples: readonly Example[];
      readonly cropAt: (samples: Float32Array, seconds: number) => Float32Array;
    };
  }
}

const app = document.getElementById('app')!;
const status = document.getElementById('status')!;
const backendBox = document.getElementById('backend')!;
const fatal = document.getElementById('fatal')!;

// Nothing may leave a blank page: every uncaught error ends up in the alert box.
window.addEventListener('error', (event) => showError(fatal, event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(fatal, event.reason));

/** Where the web export lives: `?data=URL` or ./clap/ beside the page. */
function exportBase(): string {
  const given = new URLSearchParams(location.search).get('data');
  const base = new URL(given ?? 'clap/', document.baseURI).href;
  return base.endsWith('/') ? base : `${base}/`;
}

async function start(): Promise<void> {
  status.textContent = 'Starting a tfjs backend…';
  const { selection, report } = await startBackend(location.search);
  backendBox.textContent = `Backend: ${activeBackend()}`;
  backendBox.title = report;
  backendBox.dataset.backend = selection.name;
  const base = exportBase();
  status.textContent = `Loading the model and examples from ${base}…`;
  const { model, examples } = await loadExport(base);
  const { audioEncoder, textEncoder } = model.config;
  status.textContent = `Model: ${audioEncoder.name} audio encoder, ${textEncoder.name} text encoder, ${model.frontEnd.config.sampleRate} Hz; ${examples.length} example clips.`;
  app.replaceChildren(
    h(
      'nav',
      { 'aria-label': 'Views' },
      h('a', { href: '#view-classify' }, 'Classify'),
      h('a', { href: '#view-search' }, 'Search'),
      h('a', { href: '#view-explainer' }, 'Explainer'),
    ),
    classifyView(model, examples),
    searchView(model, examples),
    explainerView(model, examples),
    h('section', { id: 'view-speed', 'aria-label': 'Speed' }, speedView(model)),
  );
  window.clapjsDemo = {
    model,
    examples,
    cropAt: (samples, seconds) => cropAt(model, samples, seconds),
  };
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  status.textContent = '';
  showError(fatal, error);
  document.body.dataset.ready = 'error';
});
