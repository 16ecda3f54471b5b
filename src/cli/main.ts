// Entry of the bundled CLI (dist/node/cli.js, run by bin/fastrcnn.js). In a worker thread that
// loads this bundle, nothing runs here.
import { isMainThread } from 'node:worker_threads';
import '../index.js';
import '../app/data/image-node.js';
import { runCli } from './run.js';

if (isMainThread) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
