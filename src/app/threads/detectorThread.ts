// loadDetector's `worker: true` in Node: the detector in a worker thread (this module loaded again,
// as the other tasks of protocol.ts), where the Node PNG/JPEG codecs are registered too. Importing
// this module (the Node entry does) tells detectorClient.ts how to start one. An idle thread is
// unref'd, so a program that forgets dispose() still exits.
import { parentPort } from 'node:worker_threads';
import { type DetectorPort, setDetectorThreadSpawner } from '../../detection/model/detectorClient.js';
import { serveDetector } from '../../detection/model/detectorWorker.js';
import '../data/image-node.js';
import { TASKS, spawnTask, workerTask } from './protocol.js';

setDetectorThreadSpawner((): DetectorPort => {
  const w = spawnTask(TASKS.detector, {}, import.meta.url);
  let closed = false;
  return {
    post: (m, transfer = []) => w.postMessage(m, transfer as any),
    listen: (fn, onFailure) => {
      w.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
      w.on('message', fn);
      w.on('error', (e) => onFailure(`the detector thread failed: ${e.message}`));
      w.on('exit', (code) => closed || onFailure(`the detector thread exited (code ${code})`));
    },
    busy: (pending) => (pending ? w.ref() : w.unref()),
    close: () => {
      closed = true;
      void w.terminate();
    },
  };
});

if (workerTask(TASKS.detector) && parentPort) {
  const port = parentPort;
  serveDetector({
    post: (m, transfer = []) => port.postMessage(m, transfer as any),
    listen: (fn) => {
      port.on('message', fn);
    },
    close: () => port.close(),
  });
}
