/** Messages between a {@link WorkerMapEngine} and its thread (./map-worker.ts). */
import type { PackedMapUpdatesData } from '../packed.ts';

/** The thread's `workerData`: a map to start from (root and nodes, 97 bytes each), or none (empty). */
export interface MapWorkerStart {
  root?: Uint8Array;
  nodes?: Uint8Array;
}

export type MapWorkerRequest = { op: 'update'; id: number; updates: PackedMapUpdatesData } | { op: 'snapshot'; id: number };

export type MapWorkerReply = { id: number; root: Uint8Array; nodes?: Uint8Array } | { id: number; error: string };
