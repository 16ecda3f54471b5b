// The worker end of loadDetector's `worker: true` (detectorClient.ts is the calling end): it loads
// the model with the in-thread loadDetector and answers detect requests one at a time, in order. In a
// browser, this module serves when it is loaded as a worker named DETECTOR_WORKER_NAME (the bundle
// that contains it, started by detectorClient.ts); in Node the detector thread calls serveDetector.
import { ready } from '../../ready.js';
import type { DetectorPort, DetectorReply, DetectorRequest } from './detectorClient.js';
import { type Detector, type DetectorInput, detectorFromBytes } from './detector.js';

/** Name of a browser worker started for a detector (this module serves only then). */
export const DETECTOR_WORKER_NAME = 'fastrcnn-detector';

/** Answers the requests arriving on `port` until the calling end closes it. */
export function serveDetector(port: DetectorPort): void {
  ready();
  let detector: Detector | null = null;
  // One request at a time, in arrival order: a detect waits for the load and for the detect before it.
  let queue: Promise<void> = Promise.resolve();
  const reply = (m: DetectorReply) => port.post(m);
  port.listen(
    (msg) => {
      const m = msg as DetectorRequest;
      queue = queue.then(async () => {
        if (m.op === 'load') {
          try {
            detector = detectorFromBytes(m.bytes, m.name, m.options);
            reply({ op: 'loaded', classes: detector.classes, backend: detector.backend });
          } catch (e) {
            reply({ op: 'error', message: (e as Error).message });
          }
        } else if (m.op === 'detect') {
          try {
            if (!detector) throw new Error('detect: no model loaded in the worker');
            const predictions = await detector.detect(m.input as DetectorInput, m.options);
            reply({ op: 'result', id: m.id, predictions });
          } catch (e) {
            reply({ op: 'error', id: m.id, message: (e as Error).message });
          } finally {
            (m.input as { close?: () => void })?.close?.(); // an ImageBitmap
          }
        }
      });
    },
    () => {},
  );
}

const g = globalThis as any;
// A browser worker started for a detector: serve its parent.
if (typeof g.WorkerGlobalScope === 'function' && g.self instanceof g.WorkerGlobalScope && g.self.name === DETECTOR_WORKER_NAME) {
  serveDetector({
    post: (m, transfer = []) => g.self.postMessage(m, transfer),
    listen: (fn) => {
      g.self.onmessage = (e: MessageEvent) => fn(e.data);
    },
    close: () => g.self.close(),
  });
}
