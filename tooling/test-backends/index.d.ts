/** The backends every model part's tests run on, in order: cpu, plain wasm, wasm + @clapjs/kernels-wasm. */
export declare const TEST_BACKENDS: readonly ['cpu', 'wasm', 'wasm+pack'];
/** One of {@link TEST_BACKENDS}. */
export type TestBackend = (typeof TEST_BACKENDS)[number];
/** Activates a test backend ('wasm' restores plain tfjs-wasm after 'wasm+pack'). */
export declare function useTestBackend(name: TestBackend): Promise<void>;
