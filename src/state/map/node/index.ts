/** Node.js adapter of the state map: the node:crypto SHA-256, and a map kept in a worker thread. */
export { nodeSha256 } from './sha256.ts';
export { WorkerMapEngine, mapWorkerSource } from './worker-engine.ts';
