// A real Redis for tests that need one: CLAPJS_TEST_REDIS_URL (set by .ci/run), else a private
// redis-server started here on a free port and stopped by the caller. Never skips: without
// redis-server and without the variable, the tests fail naming the fix.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const INSTALL_HINT =
  'install it (Debian: apt-get install redis-server) or set CLAPJS_TEST_REDIS_URL=redis://HOST:PORT';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/** @returns {Promise<{ url: string, stop(): Promise<void> }>} */
export async function startTestRedis() {
  const given = process.env.CLAPJS_TEST_REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: async () => {} };
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--maxmemory-policy',
      'noeviction',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise((resolve, reject) => {
    let output = '';
    child.once('error', (error) =>
      reject(
        new Error(`redis-server could not start (${error.message}); ${INSTALL_HINT}.`, {
          cause: error,
        }),
      ),
    );
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
