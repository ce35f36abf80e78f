// A real Redis for the queue tests: CLAPJS_TEST_REDIS_URL (set by .ci/run), else a private
// redis-server started here on a free port. In CI (CI=true) a missing Redis fails the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A Redis to test against, and how to stop it (a no-op for one this helper did not start). */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts (or finds) a Redis for one test file. */
export async function startTestRedis(): Promise<TestRedis> {
  const given = process.env.CLAPJS_TEST_REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: async () => {} };
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    throw new Error(
      `redis-server could not start (${(error as Error).message}); install it (Debian: apt-get install redis-server) or set CLAPJS_TEST_REDIS_URL.`,
      { cause: error },
    );
  }
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', (error) =>
      reject(
        new Error(
          `redis-server could not start (${error.message}); install it (Debian: apt-get install redis-server) or set CLAPJS_TEST_REDIS_URL.`,
        ),
      ),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
