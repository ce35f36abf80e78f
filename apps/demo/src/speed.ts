import type { ClapModel } from '@clapjs/model';
import { fmt, h, nextPaint, showError } from './dom.js';

/** A deterministic test clip: a chirp plus a harmonic tone (no randomness needed). */
export function testClip(seconds: number, rate: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    samples[i] =
      0.4 * Math.sin(2 * Math.PI * (200 * t + 150 * t * t)) + 0.2 * Math.sin(2 * Math.PI * 660 * t);
  }
  return samples;
}

/**
 * Measures how fast the page embeds a clip: `repeats` timed runs (after one warm-up) of
 * decode-free embedding (log-mel + audio encoder + projection), reported as ms per clip and as a
 * multiple of real time.
 */
export async function measureEmbedding(
  model: ClapModel,
  seconds = 5,
  repeats = 5,
): Promise<{ msPerClip: number; realtime: number }> {
  const clip = testClip(seconds, model.frontEnd.config.sampleRate);
  const once = async (): Promise<void> => {
    const embedding = model.encodeAudio([clip]);
    await embedding.data();
    embedding.dispose();
  };
  await once();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await once();
  const msPerClip = (performance.now() - start) / repeats;
  return { msPerClip, realtime: (seconds * 1000) / msPerClip };
}

/** A button that runs {@link measureEmbedding} and shows the result. */
export function speedView(model: ClapModel): HTMLElement {
  const output = h('output', { id: 'speed-result', 'aria-live': 'polite' });
  const errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
  const button = h(
    'button',
    { type: 'button', id: 'measure-speed' },
    'Measure embedding speed (5 s clip)',
  );
  const measure = async (): Promise<void> => {
    button.disabled = true;
    output.textContent = 'Measuring…';
    showError(errorBox, null);
    await nextPaint();
    try {
      const { msPerClip, realtime } = await measureEmbedding(model);
      output.dataset.ms = String(msPerClip);
      output.dataset.realtime = String(realtime);
      output.textContent = `${fmt(msPerClip, 1)} ms per 5 s clip: ${fmt(realtime, 0)}× faster than real time.`;
    } catch (error) {
      output.textContent = '';
      showError(errorBox, error);
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void measure());
  return h('div', { class: 'row speed' }, button, output, errorBox);
}
