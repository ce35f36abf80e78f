/** A Redis to test against, and how to stop it (a no-op for one given by CLAPJS_TEST_REDIS_URL). */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}
/** CLAPJS_TEST_REDIS_URL, else a private redis-server on a free port (fails, never skips, without one). */
export declare function startTestRedis(): Promise<TestRedis>;
