import type { Program } from './backend.js';

/**
 * One GEMM, C[batch][m][n] = Σ_k A(batch, m, k) · B(batch, k, n), where A and B are WGSL
 * loaders over the input buffers `A` and `B`. Matmul and the three convolutions (implicit GEMM)
 * differ only in their loaders.
 */
export interface GemmSpec {
  /** A unique name for the loaders (the shader cache key is this plus the sizes). */
  readonly name: string;
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** WGSL body of `fn loadA(b: i32, m: i32, k: i32) -> f32`, called only for m < M and k < K. */
  readonly loadA: string;
  /** WGSL body of `fn loadB(b: i32, k: i32, n: i32) -> f32`, called only for k < K and n < N. */
  readonly loadB: string;
  /** Whether A's consecutive addresses run along m (else along k): decides how threads load. */
  readonly aAlongM: boolean;
  /** Whether B's consecutive addresses run along n (else along k). */
  readonly bAlongN: boolean;
  /** The shape the result is given (size batch·m·n). */
  readonly outputShape: number[];
}

// 64×64 output tile per workgroup of 16×16 threads, 4×4 outputs per thread, K in steps of 16.
// Measured on Dawn/H200 (docs/engineering-notes.md, "WebGPU: where a training step goes"), this shape of kernel is ~6× tfjs's own matMul; it also keeps
// enough workgroups alive for the convolution GEMMs, whose M·N is small.
const TILE = 64;
const TILE_K = 16;
const THREADS = 256;
/** vec4 slots per k row of a tile in workgroup memory: 16 plus one of padding. */
const ROW = TILE / 4 + 1;
const MAX_DISPATCH = 65535;
/** Workgroups to aim for before splitting K (an H200 has 132 multiprocessors). */
const TARGET_WORKGROUPS = 528;
/** The least K one split should cover, so that partial sums stay worth their extra pass. */
const MIN_SPLIT_K = 512;

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** How many slices to split K into: enough workgroups for the GPU, each slice still long. */
export function chooseSplits(spec: Pick<GemmSpec, 'batch' | 'm' | 'n' | 'k'>): number {
  const tiles = spec.batch * ceilDiv(spec.m, TILE) * ceilDiv(spec.n, TILE);
  if (tiles >= TARGET_WORKGROUPS) return 1;
  const byWork = ceilDiv(TARGET_WORKGROUPS, tiles);
  const byLength = Math.floor(spec.k / MIN_SPLIT_K);
  return Math.max(1, Math.min(byWork, byLength, 64));
}

function layoutFor(shape: number[]): Program['dispatchLayout'] {
  // Only tfjs's generated helpers read the layout; a non-empty y keeps main() argument-free.
  const rank = shape.length;
  return { x: [rank - 1], y: [rank - 2], z: Array.from({ length: rank - 2 }, (_, i) => i) };
}

/**
 * The GEMM as a tfjs WebGPU program. With `splits` > 1 it writes `splits` partial sums
 * ([splits, batch, m, n]) for {@link SplitSumProgram} to add.
 */
export class GemmProgram implements Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: Program['dispatchLayout'];
  dispatch: [number, number, number];
  variableNames = ['A', 'B'];
  workgroupSize: [number, number, number] = [16, 16, 1];
  private readonly code: string;

  constructor(spec: GemmSpec, splits: number) {
    const tilesM = ceilDiv(spec.m, TILE);
    const tilesN = ceilDiv(spec.n, TILE);
    const tiles = tilesM * tilesN;
    const width = Math.min(tiles, MAX_DISPATCH);
    const kTiles = ceilDiv(spec.k, TILE_K);
    const kTilesPerSplit = ceilDiv(kTiles, splits);
    this.outputShape = splits > 1 ? [splits, spec.batch, spec.m, spec.n] : spec.outputShape;
    this.dispatchLayout = layoutFor(this.outputShape);
    this.dispatch = [width, ceilDiv(tiles, width), spec.batch * splits];
    this.shaderKey = `clapjs_gemm_${spec.name}_${spec.batch}_${spec.m}_${spec.n}_${spec.k}_${splits}`;
    const aIndex = spec.aAlongM
      ? 'let mm = e % 64; let kk = e / 64;'
      : 'let kk = e % 16; let mm = e / 16;';
    const bIndex = spec.bAlongN
      ? 'let nn = e % 64; let kk = e / 64;'
      : 'let kk = e % 16; let nn = e / 16;';
    this.code = /* wgsl */ `
      const GM = ${spec.m};
      const GN = ${spec.n};
      const GK = ${spec.k};
      const GBATCH = ${spec.batch};
      const SPLITS = ${splits};
      const TILES_N = ${tilesN};
      const WIDTH = ${width};
      const KTILES = ${kTilesPerSplit};

      // Tiles stored k-major as vec4 along m (A) and n (B): the inner loop reads one vec4 of each.
      // Each k row is padded to 17 vec4 (68 floats): threads that store down k (an operand
      // contiguous along k) then hit 2-way bank conflicts instead of 16-way.
      var<workgroup> As: array<vec4<f32>, ${TILE_K * ROW}>;
      var<workgroup> Bs: array<vec4<f32>, ${TILE_K * ROW}>;

      fn loadA(b: i32, m: i32, k: i32) -> f32 { ${spec.loadA} }
      fn loadB(b: i32, k: i32, n: i32) -> f32 { ${spec.loadB} }

      fn main() {
        // Keeps tfjs's uniform binding in the pipeline's automatic layout (it always binds it).
        _ = uniforms.NAN;
        let lin = i32(workgroupId.y) * WIDTH + i32(workgroupId.x);
        let m0 = (lin / TILES_N) * ${TILE};
        let n0 = (lin % TILES_N) * ${TILE};
        let bz = i32(workgroupId.z);
        let b = bz / SPLITS;
        let split = bz % SPLITS;
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let tid = ty * 16 + tx;
        var acc: array<vec4<f32>, 4>;
        let kBase = split * KTILES * ${TILE_K};
        // A constant trip count keeps the barriers in uniform control flow; loads past K give 0.
        for (var t = 0; t < KTILES; t++) {
          let k0 = kBase + t * ${TILE_K};
          for (var i = 0; i < ${(TILE * TILE_K) / THREADS}; i++) {
            let e = tid + i * ${THREADS};
            ${aIndex}
            let m = m0 + mm;
            let k = k0 + kk;
            var v = 0.0;
            if (m < GM && k < GK) { v = loadA(b, m, k); }
            As[kk * ${ROW} + mm / 4][mm % 4] = v;
          }
          for (var i = 0; i < ${(TILE * TILE_K) / THREADS}; i++) {
            let e = tid + i * ${THREADS};
            ${bIndex}
            let n = n0 + nn;
            let k = k0 + kk;
            var v = 0.0;
            if (n < GN && k < GK) { v = loadB(b, k, n); }
            Bs[kk * ${ROW} + nn / 4][nn % 4] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TILE_K}; kk++) {
            let a = As[kk * ${ROW} + ty];
            let bv = Bs[kk * ${ROW} + tx];
            acc[0] = fma(vec4<f32>(a.x), bv, acc[0]);
            acc[1] = fma(vec4<f32>(a.y), bv, acc[1]);
            acc[2] = fma(vec4<f32>(a.z), bv, acc[2]);
            acc[3] = fma(vec4<f32>(a.w), bv, acc[3]);
          }
          workgroupBarrier();
        }
        let base = (split * GBATCH + b) * GM;
        for (var i = 0; i < 4; i++) {
          let m = m0 + ty * 4 + i;
          if (m < GM) {
            for (var j = 0; j < 4; j++) {
              let n = n0 + tx * 4 + j;
              if (n < GN) { result[(base + m) * GN + n] = acc[i][j]; }
            }
          }
        }
      }`;
  }

  getUserCode(): string {
    return this.code;
  }
}

/** Adds the `splits` partial products of a split-K {@link GemmProgram}. */
export class SplitSumProgram implements Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: Program['dispatchLayout'];
  dispatch: [number, number, number];
  variableNames = ['P'];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  private readonly size: number;
  private readonly splits: number;

  constructor(outputShape: number[], splits: number) {
    this.outputShape = outputShape;
    this.size = outputShape.reduce((a, b) => a * b, 1);
    this.splits = splits;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [ceilDiv(this.size, THREADS), 1, 1];
    this.shaderKey = `clapjs_splitsum_${this.size}_${splits}`;
  }

  getUserCode(): string {
    return /* wgsl */ `
      fn main(index: i32) {
        _ = uniforms.NAN;
        if (index < ${this.size}) {
          var s = 0.0;
          for (var i = 0; i < ${this.splits}; i++) { s += P[i * ${this.size} + index]; }
          result[index] = s;
        }
      }`;
  }
}
