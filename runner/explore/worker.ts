// A worker thread of `mls explore -j n`: walks each level it is sent and runs its share (share.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runShare, type ShareConfig, type ShareRequest } from './share.js';
import { Space } from './space.js';

const cfg = workerData as ShareConfig;
const space = new Space(cfg.alphabet);
const explained = new Set<string>();
parentPort!.on('message', (req: ShareRequest) => {
  parentPort!.postMessage(runShare(space, cfg, explained, req));
});
