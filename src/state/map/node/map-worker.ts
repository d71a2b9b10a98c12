/**
 * The state map's thread (bundled by esbuild and started from source text, see
 * ./worker-engine.ts): holds one `MemoryMap`, applies the packed updates posted to it in
 * arrival order — SHA-256 of every key and value preimage, then the tree — and answers
 * each with the new root; on request, the map's nodes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MemoryMap } from '../memory.ts';
import { PackedMapUpdates } from '../packed.ts';
import { nodeSha256 } from './sha256.ts';
import type { MapWorkerReply, MapWorkerRequest, MapWorkerStart } from './worker-protocol.ts';

const port = parentPort!;
const start = workerData as MapWorkerStart;

let map: MemoryMap | undefined;
let failed: string | undefined;
try {
  map = start.nodes === undefined ? new MemoryMap(nodeSha256) : MemoryMap.fromPackedNodes(start.root!, start.nodes, nodeSha256);
} catch (e) {
  failed = e instanceof Error ? e.message : String(e);
}

port.on('message', (m: MapWorkerRequest) => {
  let reply: MapWorkerReply;
  try {
    if (map === undefined) throw new Error(`the saved state map could not be loaded: ${failed}`);
    if (m.op === 'update') {
      const staged = map.stageHashed(PackedMapUpdates.of(m.updates).toBatch(nodeSha256));
      map.adopt(staged);
      reply = { id: m.id, root: staged.root };
    } else reply = { id: m.id, root: map.root, nodes: map.packedNodes() };
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, 'nodes' in reply && reply.nodes !== undefined ? [reply.nodes.buffer as ArrayBuffer] : []);
});
