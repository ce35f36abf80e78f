import type { ClapModel } from '@clapjs/model';
import { viridis } from './draw.js';
import { fmt, h, nextPaint, showError } from './dom.js';
import { clapLosses, softmaxColumns, softmaxRows, type Matrix } from './explainer-math.js';
import { logitMatrix } from './infer.js';
import type { Example } from './library.js';

type Mode = 'logits' | 'rows' | 'columns';
const SVG = 'http://www.w3.org/2000/svg';
const CELL = 64;
const LABEL = 190;
// Room on the right for the last rotated clip name.
const PAD = 140;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function short(text: string, max = 28): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Draws C (or its row/column softmax) as an SVG heatmap: texts = rows, audios = columns, numbers in the cells, diagonal outlined. */
function heatmap(
  values: Matrix,
  logits: Matrix,
  mode: Mode,
  texts: readonly string[],
  clips: readonly string[],
): SVGSVGElement {
  const n = values.length;
  const flat = values.flat();
  const lo = mode === 'logits' ? Math.min(...flat) : 0;
  const hi = mode === 'logits' ? Math.max(...flat) : 1;
  const root = svg('svg', {
    id: 'heatmap',
    role: 'img',
    viewBox: `0 0 ${LABEL + n * CELL + PAD} ${LABEL + n * CELL}`,
    width: LABEL + n * CELL + PAD,
    'data-mode': mode,
  });
  root.append(
    svg('title', {}, `Similarity matrix (${mode}): rows are captions, columns are clips`),
  );
  values.forEach((row, i) => {
    root.append(
      svg(
        'text',
        { x: LABEL - 6, y: LABEL + i * CELL + CELL / 2 + 4, 'text-anchor': 'end', class: 'axis' },
        `T${i + 1} ${short(texts[i] ?? '')}`,
      ),
    );
    row.forEach((value, j) => {
      const [r, g, b] = viridis((value - lo) / (hi - lo || 1));
      const cell = svg('g', {
        class: 'cell',
        'data-row': i,
        'data-col': j,
        'data-value': String(value),
        'data-logit': String(logits[i]?.[j]),
      });
      cell.append(
        svg('rect', {
          x: LABEL + j * CELL,
          y: LABEL + i * CELL,
          width: CELL,
          height: CELL,
          fill: `rgb(${r},${g},${b})`,
        }),
        svg(
          'text',
          {
            x: LABEL + j * CELL + CELL / 2,
            y: LABEL + i * CELL + CELL / 2 + 4,
            'text-anchor': 'middle',
            fill: r + g + b > 380 ? '#000' : '#fff',
          },
          fmt(value, mode === 'logits' ? 2 : 3),
        ),
        svg('title', {}, `text ${i + 1} vs clip ${j + 1}: ${value}`),
      );
      root.append(cell);
    });
  });
  clips.forEach((clip, j) => {
    const x = LABEL + j * CELL + CELL / 2;
    root.append(
      svg(
        'text',
        { x, y: LABEL - 8, transform: `rotate(-50 ${x} ${LABEL - 8})`, class: 'axis' },
        `A${j + 1} ${short(clip, 22)}`,
      ),
    );
  });
  for (let i = 0; i < n; i++) {
    root.append(
      svg('rect', {
        class: 'diagonal',
        x: LABEL + i * CELL + 2,
        y: LABEL + i * CELL + 2,
        width: CELL - 4,
        height: CELL - 4,
      }),
    );
  }
  return root;
}

/** Fills `target` with the logit scale exp(s) the similarity multiplies cosines by (read asynchronously). */
function showLogitScale(model: ClapModel, target: HTMLElement): void {
  const variable = model.variables().find((v) => v.path.endsWith('logit_scale'));
  void variable?.variable.data().then((values) => {
    target.textContent = ` (here exp(s) = ${fmt(Math.exp(values[0] ?? 0), 2)})`;
  });
}

/** The explainer: N clips × N captions, C = exp(s)·E_t·E_aᵀ, its softmax both ways, and the symmetric loss. */
export function explainerView(model: ClapModel, examples: readonly Example[]): HTMLElement {
  const max = Math.min(8, examples.length);
  let state: { logits: number[][]; texts: string[]; clips: string[] } | null = null;
  const errorBox = h('p', { class: 'error', role: 'alert', id: 'explainer-error', hidden: true });
  const nSelect = h(
    'select',
    { id: 'explainer-n' },
    ...Array.from({ length: Math.max(0, max - 1) }, (_, k) =>
      h('option', { value: k + 2 }, String(k + 2)),
    ),
  );
  nSelect.value = String(Math.min(4, max));
  const pairs = h('div', { class: 'pairs', id: 'explainer-pairs' });
  const button = h('button', { type: 'button', id: 'explain' }, 'Compute C');
  const modes = h('fieldset', { class: 'modes' }, h('legend', {}, 'Show'));
  const figure = h('div', { class: 'heatmap', id: 'heatmap-box' });
  const losses = h('dl', { class: 'losses', id: 'losses' });
  const scale = h('span', { id: 'logit-scale' });
  showLogitScale(model, scale);

  const modeLabels: Record<Mode, string> = {
    logits: 'C (logits)',
    rows: 'softmax along rows (text → audio)',
    columns: 'softmax along columns (audio → text)',
  };
  for (const mode of ['logits', 'rows', 'columns'] as const) {
    const radio = h('input', {
      type: 'radio',
      name: 'explainer-mode',
      id: `mode-${mode}`,
      value: mode,
      checked: mode === 'logits',
    });
    radio.addEventListener('change', render);
    modes.append(h('label', { for: `mode-${mode}` }, radio, ` ${modeLabels[mode]}`));
  }

  function buildPairs(): void {
    const n = Number(nSelect.value);
    pairs.replaceChildren(
      ...Array.from({ length: n }, (_, i) => {
        const clip = h(
          'select',
          { id: `pair-clip-${i}`, 'aria-label': `Clip A${i + 1}` },
          ...examples.map((e, k) => h('option', { value: k }, e.file)),
        );
        clip.value = String(i);
        const caption = h('input', {
          id: `pair-caption-${i}`,
          type: 'text',
          value: examples[i]?.caption ?? '',
          size: 44,
          'aria-label': `Caption T${i + 1}`,
        });
        clip.addEventListener(
          'change',
          () => (caption.value = examples[Number(clip.value)]?.caption ?? ''),
        );
        return h(
          'div',
          { class: 'row' },
          h('span', { class: 'pair-name' }, `A${i + 1} / T${i + 1}`),
          clip,
          caption,
        );
      }),
    );
  }

  function mode(): Mode {
    return ((modes.querySelector('input:checked') as HTMLInputElement | null)?.value ??
      'logits') as Mode;
  }

  function render(): void {
    if (state === null) return;
    const m = mode();
    const values =
      m === 'rows'
        ? softmaxRows(state.logits)
        : m === 'columns'
          ? softmaxColumns(state.logits)
          : state.logits;
    figure.replaceChildren(heatmap(values, state.logits, m, state.texts, state.clips));
    const l = clapLosses(state.logits);
    losses.replaceChildren(
      h('dt', {}, 'ℓ_text (text → audio: softmax along each row, −log of the diagonal, averaged)'),
      h('dd', { id: 'loss-text', 'data-value': String(l.text) }, fmt(l.text, 4)),
      h(
        'dt',
        {},
        'ℓ_audio (audio → text: softmax along each column, −log of the diagonal, averaged)',
      ),
      h('dd', { id: 'loss-audio', 'data-value': String(l.audio) }, fmt(l.audio, 4)),
      h('dt', {}, 'symmetric CLAP loss = (ℓ_text + ℓ_audio) / 2'),
      h('dd', { id: 'loss-mean', 'data-value': String(l.mean) }, fmt(l.mean, 4)),
    );
  }

  async function compute(): Promise<void> {
    showError(errorBox, null);
    await nextPaint();
    try {
      const n = Number(nSelect.value);
      const chosen = Array.from(
        { length: n },
        (_, i) =>
          examples[Number((pairs.querySelector(`#pair-clip-${i}`) as HTMLSelectElement).value)]!,
      );
      const texts = Array.from(
        { length: n },
        (_, i) => (pairs.querySelector(`#pair-caption-${i}`) as HTMLInputElement).value,
      );
      const logits = await logitMatrix(
        model,
        texts,
        chosen.map((e) => e.samples),
      );
      state = { logits, texts, clips: chosen.map((e) => e.file) };
      render();
    } catch (error) {
      showError(errorBox, error);
    }
  }

  nSelect.addEventListener('change', buildPairs);
  button.addEventListener('click', () => void compute());
  buildPairs();

  return h(
    'section',
    { id: 'view-explainer', 'aria-labelledby': 'explainer-title' },
    h('h2', { id: 'explainer-title' }, 'The similarity matrix, explained'),
    h(
      'p',
      {},
      'A CLAP batch holds N (clip, caption) pairs. Both encoders map into one space; with L2-normalised embeddings E_t (texts) and E_a (clips), ',
      h('strong', {}, 'C = exp(s) · E_t · E_aᵀ'),
      scale,
      '. Row i holds caption Ti against every clip; column j holds clip Aj against every caption. The matching pairs lie on the diagonal (outlined).',
    ),
    h('div', { class: 'row' }, h('label', { for: 'explainer-n' }, 'N'), nSelect, button),
    pairs,
    modes,
    errorBox,
    figure,
    losses,
    h(
      'p',
      { class: 'note', id: 'explainer-note' },
      h('strong', {}, 'Why C is not symmetric, and why both directions count. '),
      'C[i][j] scores caption i against clip j, and C[j][i] scores caption j against clip i: different pairs, so C ≠ Cᵀ in general: only the diagonal (the matching pairs) is the same read either way. ',
      'The softmax along a row asks "which clip does this caption describe?" (text → audio retrieval); the softmax along a column asks "which caption describes this clip?" (audio → text, i.e. zero-shot classification). ',
      "Each loss alone is blind to something: adding a constant to a row (a caption that scores high against every clip) leaves that row's softmax, and so ℓ_text, unchanged, but in the columns that caption now outshines the right ones and ℓ_audio rises; a clip that scores high with every caption is invisible to ℓ_audio and caught by ℓ_text. ",
      'Training on the mean of ℓ_text and ℓ_audio makes each caption pick its clip among the clips and each clip pick its caption among the captions, so the space works for search and for classification.',
    ),
  );
}
