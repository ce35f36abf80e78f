/**
 * @clapjs/plugin-testkit — contract tests for clapjs part plugins. A plugin author's test:
 *
 * ```ts
 * import { assertPluginContract } from '@clapjs/plugin-testkit';
 * await assertPluginContract(myEncoder, { config: { outputDim: 32 } });
 * ```
 * @packageDocumentation
 */
export { assertPluginContract, checkPluginContract } from './check.js';
export { BASE_MODEL, PluginContractError } from './contract.js';
export type { ContractCheck, PluginContractOptions } from './contract.js';
