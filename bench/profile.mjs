// Shared by the benchmarks: a tf.profile() result summed per kernel name, slowest first.

/**
 * @param {{ kernels: { name: string, kernelTimeMs: number | Promise<number>, inputShapes?: unknown, outputShapes?: unknown }[] }} info
 * @returns {Promise<{ totalKernelMs: number, kernels: { name: string, ms: number, calls: number }[], calls: { name: string, ms: number, in: unknown, out: unknown }[] }>}
 *   per-kernel totals and every call (both slowest first); kernelTimeMs may be a promise (webgpu)
 */
export async function summarizeProfile(info) {
  const byKernel = new Map();
  const calls = [];
  for (const k of info.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byKernel.set(k.name, entry);
    calls.push({ name: k.name, ms: +ms.toFixed(2), in: k.inputShapes, out: k.outputShapes });
  }
  const kernels = [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, e]) => ({ name, ms: +e.ms.toFixed(2), calls: e.calls }));
  calls.sort((a, b) => b.ms - a.ms);
  return { totalKernelMs: +kernels.reduce((a, e) => a + e.ms, 0).toFixed(1), kernels, calls };
}
