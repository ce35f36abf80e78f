import { formatBackendReport, selectBackend } from '@clapjs/core';
import type { BackendName, BackendSelection } from '@clapjs/core';

/**
 * Picks the tfjs backend through core's selectBackend (auto: tensorflow, webgpu, webgl, wasm,
 * cpu), with clapjs's wasm kernel pack registered first so that wasm can train every model part.
 * @param log where to print what was chosen and why the others were skipped
 */
export async function chooseBackend(preference: 'auto' | BackendName, log: (line: string) => void): Promise<BackendSelection> {
  if (preference === 'auto' || preference === 'wasm') {
    try {
      await import('@clapjs/kernels-wasm/register');
    } catch (error) {
      log(`(wasm kernel pack unavailable: ${(error as Error).message.split('\n')[0]})`);
    }
  }
  const selection = await selectBackend(preference);
  log(`backend: ${selection.name}`);
  for (const line of formatBackendReport(selection).split('\n')) log(`  ${line}`);
  return selection;
}
