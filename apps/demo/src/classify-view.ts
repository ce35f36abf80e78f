import { cropOrPad, type LogMelConfig } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';
import { drawLogMel, drawWaveform } from './draw.js';
import { fmt, h, nextPaint, showError } from './dom.js';
import { clipFromBytes, type Example } from './library.js';
import { recordMicrophone } from './record.js';

/** Default labels: the examples' labels (or captions), each once, in library order. */
export function defaultLabels(examples: readonly Example[]): string[] {
  return [...new Set(examples.map((e) => e.label ?? e.caption))].slice(0, 10);
}

/** Splits the labels field: comma separated, trimmed, empty entries dropped. */
export function parseLabels(text: string): string[] {
  return text
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
}

/** The zero-shot classification view: pick, drop or record a clip; rank labels by probability. */
export function classifyView(model: ClapModel, examples: readonly Example[]): HTMLElement {
  const rate = model.frontEnd.config.sampleRate;
  const { clipSeconds } = model.config.audio as LogMelConfig;
  let clip: { samples: Float32Array; source: string; name: string } | null = null;

  const errorBox = h('p', { class: 'error', role: 'alert', id: 'classify-error', hidden: true });
  const status = h(
    'p',
    { class: 'status', 'aria-live': 'polite', id: 'classify-status' },
    'Choose a clip.',
  );
  const results = h('ol', {
    id: 'classify-results',
    class: 'ranked',
    'aria-label': 'Labels ranked by probability',
  });
  const wave = h('canvas', {
    id: 'classify-waveform',
    width: 640,
    height: 96,
    role: 'img',
    'aria-label': 'Waveform of the clip',
  });
  const mel = h('canvas', {
    id: 'classify-logmel',
    width: 640,
    height: 160,
    role: 'img',
    'aria-label': 'Log-mel spectrogram the model sees',
  });
  const labelsInput = h('input', {
    id: 'labels',
    type: 'text',
    value: defaultLabels(examples).join(', '),
    size: 60,
  });
  const templateInput = h('input', {
    id: 'template',
    type: 'text',
    value: 'This is a sound of {label}.',
    size: 40,
  });
  const fileInput = h('input', {
    id: 'audio-file',
    type: 'file',
    accept: 'audio/*,.wav,.flac,.ogg,.mp3',
  });
  const exampleSelect = h(
    'select',
    { id: 'example-select' },
    h('option', { value: '' }, '— choose an example clip —'),
    ...examples.map((e, i) => h('option', { value: i }, `${e.file}: ${e.caption}`)),
  );
  const recordButton = h(
    'button',
    { type: 'button', id: 'record' },
    `Record ${clipSeconds} s from the microphone`,
  );
  const classifyButton = h('button', { type: 'button', id: 'classify' }, 'Classify');
  const drop = h(
    'div',
    {
      class: 'drop',
      id: 'drop-zone',
      tabindex: 0,
      role: 'button',
      'aria-label': 'Drop an audio file here, or press Enter to pick one',
    },
    'Drop an audio file here (or press Enter to pick one)',
  );

  async function classify(): Promise<void> {
    if (clip === null) return;
    showError(errorBox, null);
    const labels = parseLabels(labelsInput.value);
    if (labels.length === 0)
      return showError(errorBox, new Error('Type at least one label (comma separated).'));
    status.textContent = `Classifying ${clip.name}…`;
    await nextPaint();
    try {
      const ranked = await model.zeroShotClassify(clip.samples, labels, templateInput.value);
      results.replaceChildren(
        ...ranked.map((r) =>
          h(
            'li',
            { 'data-label': r.label, 'data-probability': String(r.probability) },
            h('span', { class: 'name' }, r.label),
            h('meter', { min: 0, max: 1, value: r.probability, 'aria-hidden': 'true' }),
            h('span', { class: 'num' }, fmt(r.probability * 100, 1) + ' %'),
          ),
        ),
      );
      results.dataset.source = clip.source;
      status.textContent = `${clip.name}: ${ranked[0]?.label ?? ''} is the most probable of ${labels.length} labels.`;
    } catch (error) {
      results.replaceChildren();
      delete results.dataset.source;
      status.textContent = '';
      showError(errorBox, error);
    }
  }

  async function useClip(samples: Float32Array, source: string, name: string): Promise<void> {
    clip = { samples, source, name };
    drawWaveform(wave, samples);
    const length = Math.round(clipSeconds * rate);
    drawLogMel(mel, model.frontEnd.compute(cropOrPad(samples, length, 'fit')));
    await classify();
  }

  async function useFile(file: File): Promise<void> {
    showError(errorBox, null);
    exampleSelect.value = '';
    status.textContent = `Decoding ${file.name}…`;
    try {
      const samples = await clipFromBytes(
        await file.arrayBuffer(),
        file.name,
        model.frontEnd.config,
      );
      await useClip(samples, `file:${file.name}`, file.name);
    } catch (error) {
      // Clear the previous clip's pictures and ranking: they do not belong to this file.
      clip = null;
      for (const canvas of [wave, mel])
        canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      results.replaceChildren();
      delete results.dataset.source;
      status.textContent = '';
      showError(errorBox, error);
    }
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file !== undefined) void useFile(file);
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) void useFile(file);
  });
  drop.addEventListener('click', () => fileInput.click());
  drop.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      fileInput.click();
    }
  });
  exampleSelect.addEventListener('change', () => {
    const index = Number(exampleSelect.value);
    const example = examples[index];
    if (exampleSelect.value !== '' && example !== undefined)
      void useClip(example.samples, `example:${index}`, example.file);
  });
  const record = async (): Promise<void> => {
    showError(errorBox, null);
    recordButton.disabled = true;
    status.textContent = `Recording ${clipSeconds} s…`;
    try {
      await useClip(
        await recordMicrophone(clipSeconds, model.frontEnd.config),
        'microphone',
        'the recording',
      );
    } catch (error) {
      status.textContent = '';
      showError(errorBox, error);
    } finally {
      recordButton.disabled = false;
    }
  };
  recordButton.addEventListener('click', () => void record());
  classifyButton.addEventListener('click', () => void classify());
  for (const input of [labelsInput, templateInput]) {
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void classify();
    });
  }

  return h(
    'section',
    { id: 'view-classify', 'aria-labelledby': 'classify-title' },
    h('h2', { id: 'classify-title' }, 'Zero-shot classification'),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'example-select' }, 'Example clip'),
      exampleSelect,
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'audio-file' }, 'Audio file'),
      fileInput,
      recordButton,
    ),
    drop,
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'labels' }, 'Labels (comma separated)'),
      labelsInput,
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'template' }, 'Prompt template'),
      templateInput,
      classifyButton,
    ),
    errorBox,
    status,
    h('div', { class: 'pictures' }, wave, mel),
    results,
  );
}
