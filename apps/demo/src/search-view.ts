import type * as tf from '@tensorflow/tfjs-core';
import type { ClapModel } from '@clapjs/model';
import { fmt, h, nextPaint, showError } from './dom.js';
import type { Example } from './library.js';

/** Text → audio search over the example library: ranked clips with their scores and play buttons. */
export function searchView(model: ClapModel, examples: readonly Example[]): HTMLElement {
  // The library is embedded once (L2-normalised); each query then costs one text encoding.
  let library: tf.Tensor2D | null = null;
  let playing: HTMLAudioElement | null = null;
  const errorBox = h('p', { class: 'error', role: 'alert', id: 'search-error', hidden: true });
  const status = h('p', { class: 'status', 'aria-live': 'polite', id: 'search-status' });
  const results = h('ol', {
    id: 'search-results',
    class: 'ranked',
    'aria-label': 'Clips ranked by similarity',
  });
  const query = h('input', {
    id: 'query',
    type: 'search',
    value: examples[0]?.caption ?? '',
    size: 50,
  });
  const button = h('button', { type: 'button', id: 'search' }, 'Search');

  function play(example: Example, control: HTMLButtonElement): void {
    playing?.pause();
    playing = new Audio(example.url);
    control.textContent = 'Playing…';
    playing.addEventListener('ended', () => (control.textContent = `Play ${example.file}`));
    playing.play().catch((error: unknown) => showError(errorBox, error));
  }

  async function search(): Promise<void> {
    showError(errorBox, null);
    const text = query.value.trim();
    if (text === '')
      return showError(errorBox, new Error('Type a description of a sound to search for.'));
    status.textContent = 'Searching…';
    await nextPaint();
    try {
      library ??= model.encodeAudio(examples.map((e) => e.samples));
      const hits = await model.retrieve(text, library, examples.length);
      results.replaceChildren(
        ...hits.map((hit) => {
          const example = examples[hit.index]!;
          const control = h('button', { type: 'button', class: 'play' }, `Play ${example.file}`);
          control.addEventListener('click', () => play(example, control));
          return h(
            'li',
            { 'data-index': hit.index, 'data-score': String(hit.score) },
            control,
            h('span', { class: 'num' }, fmt(hit.score, 3)),
            h('span', { class: 'name' }, example.caption),
            example.label === undefined ? null : h('span', { class: 'tag' }, example.label),
          );
        }),
      );
      results.dataset.query = text;
      status.textContent = `${hits.length} clips ranked for "${text}" (score = the model's logit, exp(s)·cosine).`;
    } catch (error) {
      status.textContent = '';
      showError(errorBox, error);
    }
  }

  button.addEventListener('click', () => void search());
  query.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') void search();
  });

  return h(
    'section',
    { id: 'view-search', 'aria-labelledby': 'search-title' },
    h('h2', { id: 'search-title' }, 'Text → audio search'),
    h('div', { class: 'row' }, h('label', { for: 'query' }, 'Describe a sound'), query, button),
    errorBox,
    status,
    results,
  );
}
