import {
  BackendError,
  formatBackendReport,
  kernelPackStatuses,
  reportKernelPack,
  selectBackend,
} from '@clapjs/core';
import type { BackendName, BackendSelection } from '@clapjs/core';
import { CliError } from './errors.js';

const KERNELS_WEBGPU = '@clapjs/kernels-webgpu';

// Optional backends (`webgpu`, `@tensorflow/tfjs-backend-webgpu`, tfjs-node-gpu) are this app's
// optional dependencies: under pnpm core cannot see them, so core imports them through here,
// which resolves from the app's node_modules.
const importModule = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/** Appended to core's reason when `--backend webgpu` cannot load. */
export const WEBGPU_HELP =
  'WebGPU in Node needs the optional packages `webgpu` (Dawn) and `@tensorflow/tfjs-backend-webgpu`, the Vulkan loader ' +
  "(Debian: apt-get install libvulkan1) and a Vulkan driver (on NVIDIA, the driver's ICD); without a GPU, for correctness " +
  'checks only, SwiftShader: apt-get install chromium-common and VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json. ' +
  'See apps/train/README.md, "GPU backends".';

/**
 * Registers @clapjs/kernels-webgpu (tiled GEMM for matMul and the convolutions, implicit-GEMM
 * filter gradient) once the webgpu backend is loaded, and reports it to core. Without the pack
 * the backend's own kernels run (correct, far slower: see bench/gpu).
 */
async function registerWebgpuPack(): Promise<void> {
  try {
    // The pack reports itself to core from registerWebgpuKernels.
    (await import('@clapjs/kernels-webgpu')).registerWebgpuKernels();
  } catch (error) {
    reportKernelPack({
      name: KERNELS_WEBGPU,
      backend: 'webgpu',
      loaded: false,
      detail: `${(error as Error).message.split('\n')[0]} (the backend's own kernels run instead)`,
    });
  }
}

/**
 * Registers the fastest CPU route that loads: @clapjs/kernels-native (oneDNN kernels on the wasm
 * backend's tensors, over @clapjs/kernels-wasm), else @clapjs/kernels-wasm alone. The native pack
 * reports to core why it did not load (not built, libdnnl missing), and selectBackend shows it.
 */
async function registerCpuPacks(log: (line: string) => void): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  try {
    await import('@clapjs/kernels-native/register');
    return;
  } catch (error) {
    reportKernelPack({
      name: '@clapjs/kernels-native',
      backend: 'wasm',
      loaded: false,
      detail: `${(error as Error).message.split('\n')[0]} (running @clapjs/kernels-wasm's kernels instead)`,
    });
  }
  try {
    await import('@clapjs/kernels-wasm/register');
  } catch (error) {
    log(`(wasm kernel pack unavailable: ${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * Picks the tfjs backend through core's selectBackend (auto: tensorflow, webgpu, webgl, wasm,
 * cpu), with clapjs's kernel packs registered: for wasm the native oneDNN pack where it loads, else
 * the wasm pack, so that wasm trains every model part at its best speed; the webgpu pack once
 * webgpu is chosen.
 * @param log where to print what was chosen and why the others were skipped
 * @throws CliError (`BACKEND_UNAVAILABLE`) when the one backend asked for explicitly cannot load,
 *   naming why and the fix (for webgpu: the packages, the Vulkan loader, a driver)
 */
export async function chooseBackend(
  preference: 'auto' | BackendName,
  log: (line: string) => void,
): Promise<BackendSelection> {
  if (preference === 'auto' || preference === 'wasm') await registerCpuPacks(log);
  let selection: BackendSelection;
  try {
    selection = await selectBackend(preference, { importModule });
  } catch (error) {
    if (!(error instanceof BackendError) || preference === 'auto') throw error;
    const reason =
      error.message
        .split('\n')
        .find((line) => line.startsWith(`✗ ${preference}:`))
        ?.slice(2) ?? error.message;
    throw new CliError(
      'BACKEND_UNAVAILABLE',
      `--backend ${preference} cannot be used: ${reason}.${preference === 'webgpu' ? ` ${WEBGPU_HELP}` : ' Pick another with --backend (auto picks the fastest that loads).'}`,
      { cause: error },
    );
  }
  if (selection.name === 'webgpu') {
    await registerWebgpuPack();
    selection = { ...selection, kernelPacks: kernelPackStatuses('webgpu') };
  }
  log(`backend: ${selection.name}`);
  for (const line of formatBackendReport(selection).split('\n')) log(`  ${line}`);
  return selection;
}
