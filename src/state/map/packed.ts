/**
 * Map updates given by what is hashed rather than by hashes: each key as its key-hash
 * preimage 0x10 ‖ key (docs/state-map.md §3.1) and each value as the bytes whose SHA-256
 * is its value hash (a state record's canonical JSON, docs/log-format.md §6.9), all in
 * one buffer. What a state commitment's updates look like before any hashing — so that
 * the hashing and the tree can be done elsewhere (another thread: one transfer of three
 * arrays) and by one routine ({@link PackedMapUpdates.toBatch}) wherever they are done.
 * Pure.
 */
import { MAX_MAP_KEY_BYTES } from './errors.ts';
import { HASH_BYTES, KEY_PREFIX, checkKey, type Sha256 } from './hashing.ts';
import { CERTIFICATE_KEY_TAG, certificateMapKey } from './keys.ts';
import { HashedMapBatch } from './memory.ts';

/** The arrays of a {@link PackedMapUpdates}, as posted to another thread. */
export interface PackedMapUpdatesData {
  bytes: Uint8Array;
  ends: Int32Array;
  removes: Uint8Array;
  length: number;
}

export class PackedMapUpdates implements PackedMapUpdatesData {
  /** Update i's key preimage is bytes [ends[2i-1], ends[2i]) (from 0 for i = 0), its value preimage [ends[2i], ends[2i+1]). */
  bytes: Uint8Array;
  ends: Int32Array;
  /** 1 where update i removes its key (its value preimage is empty). */
  removes: Uint8Array;
  length = 0;
  private used = 0;

  constructor(capacity = 16, bytesPerUpdate = 256) {
    const c = Math.max(1, capacity);
    this.bytes = new Uint8Array(c * bytesPerUpdate);
    this.ends = new Int32Array(2 * c);
    this.removes = new Uint8Array(c);
  }

  /** The updates of arrays posted by another thread (trusted: our own {@link data}). */
  static of(d: PackedMapUpdatesData): PackedMapUpdates {
    const p = new PackedMapUpdates(1, 1);
    p.bytes = d.bytes;
    p.ends = d.ends;
    p.removes = d.removes;
    p.length = d.length;
    p.used = d.length === 0 ? 0 : d.ends[2 * d.length - 1]!;
    return p;
  }

  /** The arrays, to post (their buffers can be transferred: nothing else holds them). */
  get data(): PackedMapUpdatesData {
    return { bytes: this.bytes, ends: this.ends, removes: this.removes, length: this.length };
  }

  /**
   * Adds an update: `key` (1 to 1,024 bytes) to the hash of `value`, or removed (`null`).
   * @throws MapError `invalid_key`.
   */
  push(key: Uint8Array, value: Uint8Array | null): void {
    checkKey(key);
    this.room(1 + key.length + (value?.length ?? 0));
    this.bytes[this.used++] = KEY_PREFIX;
    this.bytes.set(key, this.used);
    this.used += key.length;
    this.close(value);
  }

  /**
   * Adds the update of certificate `number` (map key 0x01 ‖ UTF-8 number, §2.1) to the
   * hash of `record`, or removed (`null`): an ASCII number is written as it is, without
   * a key array.
   * @throws MapError `invalid_key` (an empty or malformed number).
   */
  pushCertificate(number: string, record: Uint8Array | null): void {
    const n = number.length;
    if (n === 0 || n + 1 > MAX_MAP_KEY_BYTES) return this.push(certificateMapKey(number), record);
    this.room(2 + n + (record?.length ?? 0));
    const b = this.bytes;
    let at = this.used;
    b[at++] = KEY_PREFIX;
    b[at++] = CERTIFICATE_KEY_TAG;
    for (let i = 0; i < n; i++) {
      const c = number.charCodeAt(i);
      if (c > 0x7f) return this.push(certificateMapKey(number), record);
      b[at++] = c;
    }
    this.used = at;
    this.close(record);
  }

  /**
   * The same updates as a batch by key hash and value hash (SHA-256 of each preimage),
   * for `MemoryMap.stageHashed`.
   */
  toBatch(sha256: Sha256): HashedMapBatch {
    const batch = new HashedMapBatch(this.length);
    const { bytes, ends, removes } = this;
    const into = sha256.into;
    for (let i = 0, from = 0; i < this.length; i++) {
      const keyEnd = ends[2 * i]!;
      const valueEnd = ends[2 * i + 1]!;
      const j = batch.add();
      const key = bytes.subarray(from, keyEnd);
      if (into !== undefined) into(key, batch.keys, j * HASH_BYTES);
      else batch.keys.set(sha256(key), j * HASH_BYTES);
      if (removes[i] === 1) batch.removes[j] = 1;
      else {
        const value = bytes.subarray(keyEnd, valueEnd);
        if (into !== undefined) into(value, batch.values, j * HASH_BYTES);
        else batch.values.set(sha256(value), j * HASH_BYTES);
      }
      from = valueEnd;
    }
    return batch;
  }

  /** Ends the key written and adds its value. */
  private close(value: Uint8Array | null): void {
    if (this.length === this.removes.length) this.grow();
    const i = this.length++;
    this.ends[2 * i] = this.used;
    if (value === null) this.removes[i] = 1;
    else {
      this.bytes.set(value, this.used);
      this.used += value.length;
    }
    this.ends[2 * i + 1] = this.used;
  }

  private room(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const b = new Uint8Array(Math.max(2 * this.bytes.length, this.used + n));
    b.set(this.bytes.subarray(0, this.used));
    this.bytes = b;
  }

  private grow(): void {
    const c = 2 * this.removes.length;
    const ends = new Int32Array(2 * c);
    ends.set(this.ends);
    const removes = new Uint8Array(c);
    removes.set(this.removes);
    this.ends = ends;
    this.removes = removes;
  }
}

/**
 * Where a state root checker (src/state/commit.ts) keeps its map when not in its own thread's memory
 * (`WorkerMapEngine` of `./node/`: a worker thread, so that an audit hashes and
 * builds the map on another core while it replays). Calls are answered in order.
 */
export interface MapEngine {
  /** Applies the updates to the map and resolves with its new root. */
  update(updates: PackedMapUpdates): Promise<Uint8Array>;
  /** The map's root and nodes (hash ‖ 65-byte node, 97 bytes each). */
  snapshot(): Promise<{ root: Uint8Array; nodes: Uint8Array }>;
  /** Releases the engine (a thread: terminated). */
  close(): Promise<void>;
}
