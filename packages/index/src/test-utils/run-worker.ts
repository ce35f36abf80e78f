// A worker process for the queue tests (bundled by bundle.ts, run with node): starts an index
// worker from the JSON options in argv[2] and runs until killed.
import { startIndexWorker, type IndexWorkerOptions } from '../worker.js';

const options = JSON.parse(process.argv[2] ?? '{}') as IndexWorkerOptions;
const worker = await startIndexWorker(options);
worker.on('error', (error) => process.stderr.write(`worker error: ${error.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
