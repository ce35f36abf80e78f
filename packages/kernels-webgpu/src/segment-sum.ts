import {
  Fill,
  getKernel,
  UnsortedSegmentSum,
  util,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { webgpuKernel, type Program, type WebGpuKernelArgs } from './backend.js';

const THREADS = 64;

function flat(
  shaderKey: string,
  variableNames: string[],
  outputShape: number[],
  size: number,
  body: string,
): Program {
  return {
    outputShape,
    shaderKey,
    variableNames,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
    getUserCode: () => `
      fn main(index: i32) {
        _ = uniforms.NAN;
        if (index < ${size}) { ${body} }
      }`,
  };
}

/**
 * UnsortedSegmentSum of float32 `x` [n, …] by 1-D int32 `segmentIds` [n] into [numSegments, …]
 * (the gradient of an embedding lookup), in three dispatches and without atomics. WGSL has no
 * float atomics: tfjs-backend-webgpu emulates them with a compare-and-swap loop on every element
 * (after transposing x, and transposing back), which serialises repeated ids — a padding token
 * repeated thousands of times — and sums in a different order on every run. Here:
 * 1. a fill of [numSegments + n] int32 with −1;
 * 2. one thread per row i: if i is its id's first row, `head[id] = i`; `next[i]` = the id's next
 *    row (both by scanning the ids: n² compares of one small int array, no atomics, no races since
 *    each id has one first row);
 * 3. one thread per output element: walks its segment's rows through `head` / `next`, summing in
 *    ascending row order (deterministic, as the cpu backend sums), 0 for an absent segment.
 * Ids outside [0, numSegments) add nothing, as on cpu. Int32 `x` runs the backend's kernel.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: WebGpuKernelArgs): TensorInfo | undefined {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const segments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' || segmentIds.shape.length !== 1) return undefined;
  const n = segmentIds.shape[0]!;
  const columns = n === 0 ? 0 : util.sizeFromShape(x.shape) / n;
  const outShape = [segments, ...x.shape.slice(1)];
  const fill = getKernel(Fill, 'webgpu');
  if (fill === undefined || n === 0 || columns === 0 || segments === 0) return undefined;
  const links = fill.kernelFunc({
    backend: backend,
    inputs: {},
    attrs: { shape: [segments + n], value: -1, dtype: 'int32' },
  }) as TensorInfo;
  const link = `
    let id = I[index];
    if (id < 0 || id >= ${segments}) { return; }
    var first = true;
    for (var j = 0; j < index; j++) { if (I[j] == id) { first = false; break; } }
    if (first) { result[id] = index; }
    for (var j = index + 1; j < ${n}; j++) { if (I[j] == id) { result[${segments} + index] = j; break; } }`;
  backend.runWebGPUProgram(
    flat(`clapjs_uss_link_${segments}_${n}`, ['I'], [segments + n], n, link),
    [segmentIds],
    'int32',
    null,
    links,
  );
  const gather = `
    let s = index / ${columns};
    let c = index % ${columns};
    var j = L[s];
    var acc = 0.0;
    loop {
      if (j < 0) { break; }
      acc += X[j * ${columns} + c];
      j = L[${segments} + j];
    }
    result[index] = acc;`;
  const out = backend.runWebGPUProgram(
    flat(
      `clapjs_uss_gather_${segments}_${n}_${columns}`,
      ['X', 'L'],
      [segments, columns],
      segments * columns,
      gather,
    ),
    [x, links],
    'float32',
  );
  backend.disposeData(links.dataId);
  return { ...out, shape: outShape };
}

/** UnsortedSegmentSum over the backend's own (which still runs int32). */
export function segmentSumConfig(original: KernelConfig): KernelConfig {
  return webgpuKernel(UnsortedSegmentSum, unsortedSegmentSum, original);
}
