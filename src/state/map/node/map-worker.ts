/**
 * The state map's thread (bundled by esbuild and started from source text, see
 * ./worker-engine.ts): holds one `MemoryMap`, applies the packed updates posted to it in
 * arrival order — SHA-256 of every key and value preimage, then the tree — and answers
 * each with the new root; on request, the map's nodes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MemoryMap } from '../memory.ts';
import { PackedMapUpdates } from '../packed.ts';
import type { MapNodeRecord } from '../store.ts';
import { nodeSha256 } from './sha256.ts';
import type { MapWorkerReply, MapWorkerRequest, MapWorkerStart } from './worker-protocol.ts';

const port = parentPort!;
const start = workerData as MapWorkerStart;

function load(): MemoryMap {
  if (start.nodes === undefined) return new MemoryMap(nodeSha256);
  const records: MapNodeRecord[] = [];
  for (let at = 0; at < start.nodes.length; at += 97) records.push({ hash: start.nodes.subarray(at, at + 32), bytes: start.nodes.subarray(at + 32, at + 97) });
  return MemoryMap.fromNodes(start.root!, records, nodeSha256);
}

/**
 * Runs the update path on a small throwaway map while the thread waits for its first
 * request: the engine compiles the hashing and tree code now, instead of interpreting
 * its first large update (a whole state at an audit's first commitment) for a while.
 */
function warm(): void {
  for (let round = 0; round < 4; round++) {
    const p = new PackedMapUpdates(1024, 64);
    const value = new Uint8Array(48);
    for (let i = 0; i < 1024; i++) {
      value[0] = i & 0xff;
      value[1] = i >> 8;
      p.pushCertificate(`W-${round}-${i}`, value);
    }
    const m = new MemoryMap(nodeSha256);
    m.adopt(m.stageHashed(p.toBatch(nodeSha256)));
  }
}

let map: MemoryMap | undefined;
let failed: string | undefined;
try {
  map = load();
} catch (e) {
  failed = e instanceof Error ? e.message : String(e);
}

warm();

port.on('message', (m: MapWorkerRequest) => {
  let reply: MapWorkerReply;
  try {
    if (map === undefined) throw new Error(`the saved state map could not be loaded: ${failed}`);
    if (m.op === 'update') {
      const staged = map.stageHashed(PackedMapUpdates.of(m.updates).toBatch(nodeSha256));
      map.adopt(staged);
      reply = { id: m.id, root: staged.root };
    } else {
      const nodes = [...map.nodes()];
      const packed = new Uint8Array(nodes.length * 97);
      nodes.forEach((n, i) => {
        packed.set(n.hash, i * 97);
        packed.set(n.bytes, i * 97 + 32);
      });
      reply = { id: m.id, root: map.root, nodes: packed };
    }
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, 'nodes' in reply && reply.nodes !== undefined ? [reply.nodes.buffer as ArrayBuffer] : []);
});
