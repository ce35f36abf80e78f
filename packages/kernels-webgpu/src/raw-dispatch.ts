import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

// A compute shader with several writable buffers, recorded into tfjs-backend-webgpu's own command
// encoder. The backend's programs (runWebGPUProgram) write one output and bind every input
// read-only; a fused optimizer update writes three. The members below are the backend's (4.22)
// that its own recordAndSubmit uses; declared here so the pack needs no WebGPU type package.

interface GpuBuffer {
  readonly size: number;
}
interface ComputePass {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
}
interface Pipeline {
  getBindGroupLayout(index: number): unknown;
}
interface Device {
  createShaderModule(descriptor: { code: string }): unknown;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: unknown; entryPoint: string };
  }): Pipeline;
  createBindGroup(descriptor: {
    layout: unknown;
    entries: { binding: number; resource: unknown }[];
  }): unknown;
}

/** The members of tfjs-backend-webgpu's `WebGPUBackend` that {@link dispatchShader} uses. */
export interface RawBackend {
  readonly device: Device;
  readonly tensorMap: { get(dataId: object): { resource: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType): TensorInfo;
  uploadToGPU(dataId: object): void;
  makeUniforms(uniforms: { type: 'float32' | 'int32' | 'uint32'; data: number[] }[]): unknown;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandEncoder: { beginComputePass(descriptor: object): ComputePass };
  computePassEncoder: ComputePass | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
}

const pipelines = new WeakMap<object, Map<string, Pipeline>>();

function pipeline(backend: RawBackend, key: string, code: () => string): Pipeline {
  let cache = pipelines.get(backend.device);
  if (cache === undefined) pipelines.set(backend.device, (cache = new Map<string, Pipeline>()));
  let found = cache.get(key);
  if (found === undefined) {
    const module = backend.device.createShaderModule({ code: code() });
    found = backend.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    cache.set(key, found);
  }
  return found;
}

/** The most workgroups a dispatch may have along one dimension (WebGPU's default limit). */
const MAX_GROUPS = 65535;

/**
 * A 2-D grid of workgroups covering `threads` threads in groups of `size`: a shader computes its
 * flat index as `(group.y · nx + group.x) · size + local.x` with `nx` the grid's first entry.
 */
export function flatGrid(threads: number, size: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / size));
  const nx = Math.min(groups, MAX_GROUPS);
  return [nx, Math.ceil(groups / nx)];
}

/**
 * Records one dispatch of a whole WGSL shader (entry point `main`) whose bindings are, in order,
 * `tensors` (binding 0…) and then a uniform buffer holding `uniforms` (when any). Buffers are
 * bound as the shader declares them (read or read_write). Batched into the backend's open compute
 * pass and submitted at its batch size, exactly as the backend's own programs are.
 */
export function dispatchShader(
  backend: RawBackend,
  key: string,
  code: () => string,
  tensors: readonly TensorInfo[],
  uniforms: { type: 'float32' | 'int32' | 'uint32'; data: number[] }[],
  workgroups: readonly [number, number],
  batchSize: number,
): void {
  const compiled = pipeline(backend, key, code);
  const entries: { binding: number; resource: unknown }[] = tensors.map((t, binding) => {
    backend.uploadToGPU(t.dataId);
    backend.commandQueueOwnedIds.add(t.dataId);
    return { binding, resource: { buffer: backend.tensorMap.get(t.dataId).resource as GpuBuffer } };
  });
  if (uniforms.length > 0) {
    entries.push({ binding: tensors.length, resource: backend.makeUniforms(uniforms) });
  }
  const group = backend.device.createBindGroup({ layout: compiled.getBindGroupLayout(0), entries });
  backend.ensureCommandEncoderReady();
  backend.computePassEncoder ??= backend.commandEncoder.beginComputePass({});
  backend.computePassEncoder.setPipeline(compiled);
  backend.computePassEncoder.setBindGroup(0, group);
  backend.computePassEncoder.dispatchWorkgroups(workgroups[0], workgroups[1], 1);
  backend.dispatchCountInPass += 1;
  if (batchSize <= backend.dispatchCountInPass) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}
