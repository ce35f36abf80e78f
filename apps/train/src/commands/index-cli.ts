// Registers `clapjs index build|search`, `clapjs worker` and `clapjs serve` on the program.
import { type Command, Option } from 'commander';
import { ANN_MIN_ROWS, DEFAULT_BATCH_FILES, DEFAULT_TABLE } from '@clapjs/index';
import { indexBuildCommand } from './index-build.js';
import { indexSearchCommand } from './index-search.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the library-index commands; `backendOption` is the CLI's shared --backend option. */
export function registerIndexCommands(
  program: Command,
  backendOption: () => Option,
  log: (line: string) => void,
): void {
  const dbOption = () =>
    new Option(
      '--db <uri>',
      'LanceDB database: a directory or any LanceDB URI (e.g. s3://bucket/path)',
    ).makeOptionMandatory();
  const storageOption = () =>
    new Option(
      '--storage-option <key=value>',
      'LanceDB storage option, e.g. aws_endpoint=URL for s3:// (repeatable; untested against S3 here)',
    ).argParser(collect);
  const tableOption = () =>
    new Option('--table <name>', 'table (one per model)').default(DEFAULT_TABLE);
  const index = program
    .command('index')
    .description('embed an audio library into a LanceDB table and search it');
  index
    .command('build')
    .description(
      'embed every audio file under ROOT (wav, flac, mp3, ogg, aiff); a re-run adds only what changed',
    )
    .argument('<root>', 'library directory (walked recursively)')
    .addOption(dbOption())
    .addOption(storageOption())
    .addOption(tableOption())
    .option(
      '-m, --model <dir>',
      'saved model directory (default: the table’s model, else runs/default/model)',
    )
    .option('--name <name>', 'the root’s name in rows and jobs (default: the directory’s name)')
    .option(
      '--manifest <file>',
      'index the files a manifest (JSONL/CSV, paths under ROOT) lists, with its captions and metadata',
    )
    .option(
      '--batch <n>',
      'files per batch (bounds memory; one queue job each)',
      String(DEFAULT_BATCH_FILES),
    )
    .option('--prune', 'remove rows of files that no longer exist under ROOT')
    .addOption(
      new Option(
        '--ann <when>',
        `ANN index: auto (from ${ANN_MIN_ROWS} rows), always, never (queries stay exact)`,
      )
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .option('--no-fts', 'skip the full-text index on paths and captions (no --hybrid search)')
    .option(
      '--queue <redis-url>',
      'enqueue the batches as BullMQ jobs for `clapjs worker` (redis://HOST:PORT)',
    )
    .option('--no-wait', 'with --queue: return once enqueued')
    .option('--no-progress', 'no progress lines')
    .addOption(backendOption())
    .action(async (root: string, o) => {
      await indexBuildCommand(root, o, log);
    });
  index
    .command('search')
    .description('search a table by text, or by an example clip with --like; one hit per file')
    .argument('[text]', 'the text query')
    .addOption(dbOption())
    .addOption(storageOption())
    .addOption(tableOption())
    .option('--like <file>', 'query by example: an audio file')
    .option('-k <k>', 'how many files', '10')
    .option('--where <filter>', 'LanceDB SQL filter, e.g. "path LIKE \'dogs/%\'"')
    .option('--hybrid', 'fuse with full-text search on paths and captions')
    .option('--exact', 'compare with every row, bypassing the ANN index')
    .option('--json', 'print JSON')
    .option('-m, --model <dir>', 'saved model directory (default: the table’s model)')
    .addOption(backendOption())
    .action(async (text: string | undefined, o) => {
      await indexSearchCommand(text, o, log);
    });
  program
    .command('worker')
    .description(
      'run `clapjs index build --queue` jobs (sandboxed processes, model loaded once each)',
    )
    .requiredOption('--queue <redis-url>', 'redis://HOST:PORT')
    .addOption(dbOption())
    .addOption(storageOption())
    .addOption(tableOption())
    .option('--root <name=path>', 'where this machine sees a root (repeatable)', collect)
    .option('-m, --model <dir>', 'saved model directory (default: the table’s model)')
    .option('--concurrency <n>', 'jobs at once (one process each)', '1')
    .option('--lock-duration <s>', 'seconds before a dead worker’s job is retried', '30')
    .addOption(backendOption())
    .action(async (o) => {
      await workerCommand(o, log);
    });
  program
    .command('serve')
    .description(
      'HTTP search API over a table (text, example upload, item metadata, audio; OpenAPI at /openapi.json)',
    )
    .addOption(dbOption())
    .addOption(storageOption())
    .addOption(tableOption())
    .option('-m, --model <dir>', 'saved model directory (default: the table’s model)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .option('--token <token>', 'require Authorization: Bearer TOKEN (or set CLAPJS_SERVE_TOKEN)')
    .option('--cors <origins>', 'comma-separated origins allowed to call the API from a browser')
    .option('--max-upload-mb <mb>', 'largest example upload', '10')
    .option('--rate-limit <n>', 'requests per client per minute', '120')
    .option('--root <name=path>', 'serve a root’s files from this directory (repeatable)', collect)
    .addOption(backendOption())
    .action(async (o) => {
      await serveCommand(o, log);
    });
}
