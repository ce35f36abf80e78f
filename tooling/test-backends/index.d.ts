/** The backends every model part's tests run on, in order: cpu, plain wasm, wasm + @clapjs/kernels-wasm. */
export declare const TEST_BACKENDS: readonly ['cpu', 'wasm', 'wasm+pack'];
/** The CPU training routes: cpu, wasm + @clapjs/kernels-wasm, wasm + @clapjs/kernels-native (oneDNN). */
export declare const CPU_ROUTES: readonly ['cpu', 'wasm+pack', 'wasm+native'];
/** One of {@link TEST_BACKENDS} or {@link CPU_ROUTES}. */
export type TestBackend = (typeof TEST_BACKENDS)[number] | (typeof CPU_ROUTES)[number];
/**
 * Activates a test backend or CPU route, putting back the exact kernels it has ('wasm' after
 * 'wasm+pack' restores plain tfjs-wasm). 'wasm+native' throws when the oneDNN addon does not load.
 */
export declare function useTestBackend(name: TestBackend): Promise<void>;
