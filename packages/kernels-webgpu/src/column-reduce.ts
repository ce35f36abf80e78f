import {
  AvgPool,
  backend_util,
  Mean,
  Sum,
  util,
  type AvgPoolAttrs,
  type KernelConfig,
  type MeanAttrs,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  webgpuKernel,
  type Program,
  type WebGpuBackend,
  type WebGpuKernelArgs,
} from './backend.js';
import { SplitSumProgram } from './gemm-program.js';

// Reductions over the LEADING axes of a tensor — x viewed as [B][R][C], summed over R — without
// the transpose tfjs's reduce makes first (it reduces only innermost axes, so it copies the whole
// tensor into [B·C][R]). These are the bias gradients (Sum over the batch axes) and BatchNorm's
// per-channel statistics (an AvgPool whose window is the whole image): 25 % of the default clapjs
// model's webgpu step, with one full-size transpose each.

const THREADS = 256;
/** Threads to aim for: each sums one column over a slice of the rows. */
const TARGET_THREADS = 65536;
/** The fewest rows one thread should sum. */
const MIN_CHUNK = 16;
const MAX_SPLITS = 256;
const MAX_WORKGROUPS = 65535;

interface ColumnShape {
  readonly b: number;
  readonly r: number;
  readonly c: number;
}

/** Σ over r of x[b][r][c] (times `scale`) for a slice of r per output row `split` of [splits, B·C]. */
class ColumnPartialProgram implements Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: Program['dispatchLayout'];
  dispatch: [number, number, number];
  variableNames = ['X'];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  private readonly code: string;

  constructor(
    { b, r, c }: ColumnShape,
    splits: number,
    chunk: number,
    scale: number,
    outputShape: number[],
  ) {
    this.outputShape = outputShape;
    const total = splits * b * c;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(total / THREADS), 1, 1];
    this.shaderKey = `clapjs_colsum_${b}_${r}_${c}_${splits}_${chunk}_${scale}`;
    // Adjacent threads read adjacent columns of one row: coalesced loads.
    this.code = /* wgsl */ `
      fn main(index: i32) {
        _ = uniforms.NAN;
        if (index < ${total}) {
          let c = index % ${c};
          let t = index / ${c};
          let b = t % ${b};
          let s = t / ${b};
          let r0 = s * ${chunk};
          let r1 = min(r0 + ${chunk}, ${r});
          var acc = 0.0;
          for (var r = r0; r < r1; r++) { acc += X[(b * ${r} + r) * ${c} + c]; }
          result[index] = acc * ${scale.toExponential(9)};
        }
      }`;
  }

  getUserCode(): string {
    return this.code;
  }
}

/** scale · Σ over r of x[b][r][c], shaped `outputShape`; undefined when it does not fit one dispatch. */
export function reduceColumns(
  backend: WebGpuBackend,
  x: TensorInfo,
  shape: ColumnShape,
  scale: number,
  outputShape: number[],
): TensorInfo | undefined {
  const columns = shape.b * shape.c;
  let splits = Math.min(
    MAX_SPLITS,
    Math.max(1, Math.ceil(TARGET_THREADS / columns)),
    Math.max(1, Math.ceil(shape.r / MIN_CHUNK)),
  );
  const chunk = Math.ceil(shape.r / splits);
  splits = Math.ceil(shape.r / chunk);
  if (Math.ceil((splits * columns) / THREADS) > MAX_WORKGROUPS) return undefined;
  const partialShape = splits === 1 ? outputShape : [splits, columns];
  const partial = backend.runWebGPUProgram(
    new ColumnPartialProgram(shape, splits, chunk, scale, partialShape),
    [x],
    'float32',
  );
  if (splits === 1) return partial;
  try {
    return backend.runWebGPUProgram(new SplitSumProgram(outputShape, splits), [partial], 'float32');
  } finally {
    backend.disposeData(partial.dataId);
  }
}

/** Sum or Mean over leading axes (not all of them) of a float32 tensor. */
function leadingAxesReduction(mean: boolean) {
  return ({ inputs, backend, attrs }: WebGpuKernelArgs): TensorInfo | undefined => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as SumAttrs | MeanAttrs;
    if (x.dtype !== 'float32') return undefined;
    const axes = [...util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
    const k = axes.length;
    if (k === 0 || k >= x.shape.length || axes.some((a, i) => a !== i)) return undefined;
    const r = util.sizeFromShape(x.shape.slice(0, k));
    const c = util.sizeFromShape(x.shape.slice(k));
    if (r <= 1 || c <= 1) return undefined;
    const outputShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    return reduceColumns(backend, x, { b: 1, r, c }, mean ? 1 / r : 1, outputShape);
  };
}

/** AvgPool whose window is the whole image (per-image, per-channel means): BatchNorm statistics. */
function globalAvgPool({ inputs, backend, attrs }: WebGpuKernelArgs): TensorInfo | undefined {
  const { x } = inputs as { x: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as AvgPoolAttrs;
  if (x.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (
    info.padInfo.type !== 'VALID' ||
    info.filterHeight !== info.inHeight ||
    info.filterWidth !== info.inWidth
  )
    return undefined;
  const r = info.inHeight * info.inWidth;
  if (r <= 1) return undefined;
  return reduceColumns(backend, x, { b: info.batchSize, r, c: info.inChannels }, 1 / r, [
    info.batchSize,
    1,
    1,
    info.inChannels,
  ]);
}

/** The pack's reduction configs, each falling back to its original outside its cases. */
export function reductionConfigs(originals: Record<string, KernelConfig>): KernelConfig[] {
  return [
    webgpuKernel(Sum, leadingAxesReduction(false), originals[Sum]!),
    webgpuKernel(Mean, leadingAxesReduction(true), originals[Mean]!),
    webgpuKernel(AvgPool, globalAvgPool, originals[AvgPool]!),
  ];
}
