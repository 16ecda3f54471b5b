// Entry of the bundled CLI (dist/node/cli.js, run by bin/fastrcnn.js). In a worker thread that
// loads this bundle, nothing runs here.
import { isMainThread } from 'node:worker_threads';
import '../index.js';
import '../app/data/image-node.js';
import '../app/threads/kernelThreads.js';
import { runCli } from './run.js';

if (isMainThread) {
  // Output piped into a reader that stops early (`fastrcnn eval ... | head`): end quietly, no stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
