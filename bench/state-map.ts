/**
 * state-map: the authenticated state map (src/state/map, docs/state-map.md) at the size
 * of a `state.committed` over 100,000 keys (60 % certificate numbers, 40 % deposited
 * digests), in memory, with the node:crypto SHA-256.
 *
 * - build: all keys inserted in one batch (once);
 * - commit: batches of 1,000 changed keys (70 % updated, 15 % inserted, 15 % removed),
 *   `applyMapUpdates` + storing the new nodes + pruning the stale ones; floor ≤ 100 ms
 *   at p99. Baseline, same run: plain SHA-256 (node:crypto, one call per input) over
 *   exactly the bytes a commit hashes (recorded from one more commit), timed after each
 *   commit so that both see the same machine load; the ratio (p50 over p50) is the
 *   commit's cost over its bare hashing. CPU time per commit is printed too: on a
 *   loaded machine wall-clock p99 is mostly time spent descheduled;
 * - proof: `proveMapKey` + encode + decode + `verifyMapProof` for random keys (80 %
 *   present, 20 % absent); floor ≤ 5 ms at p99. Baseline: plain SHA-256 over the bytes
 *   the verifier hashes, timed after each block of 100 proofs;
 * - memory: heap growth of the built map (after GC) per key, against the raw bytes of
 *   its keys and values;
 * - commit with @noble (the pure-JavaScript hasher of browsers and monitors), informative.
 *
 * Knobs: BENCH_MAP_KEYS (100,000), BENCH_MAP_CHANGED (1,000), BENCH_MAP_COMMITS (30),
 * BENCH_MAP_SAMPLES (10,000), BENCH_QUICK=1 (10,000 keys, 10 commits, 2,000 samples).
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../src/ledger/index.ts';
import {
  MemoryNodeStore,
  applyMapUpdates,
  certificateMapKey,
  decodeMapProof,
  depositMapKey,
  emptyMapRoot,
  encodeMapProof,
  proveMapKey,
  verifyMapProof,
  type MapUpdate,
  type Sha256,
} from '../src/state/map/index.ts';
import { nodeSha256 } from '../src/state/map/node/index.ts';
import { floor, int, isMain, knob, line, mb, ms, note, ratio, runMain, summarize } from './lib.ts';

const KEYS = knob('BENCH_MAP_KEYS', 100_000, 10_000);
const CHANGED = knob('BENCH_MAP_CHANGED', 1_000, 1_000);
const COMMITS = knob('BENCH_MAP_COMMITS', 30, 10);
const SAMPLES = knob('BENCH_MAP_SAMPLES', 10_000, 2_000);

const gc = (globalThis as { gc?: () => void }).gc;

/** Full GC, twice, with a pause for the concurrent sweeper to release array buffers. */
async function collect(): Promise<void> {
  if (!gc) return;
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  await new Promise((r) => setTimeout(r, 100));
}

/** Key number i: a certificate number for 60 %, a deposited digest for 40 %. */
function keyOf(i: number): Uint8Array {
  return i % 5 < 3 ? certificateMapKey(`DIP-${2020 + (i % 7)}-${String(i).padStart(7, '0')}`) : depositMapKey(sha256(Uint8Array.of(i & 255, (i >> 8) & 255, (i >> 16) & 255, i >>> 24)));
}

function value(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** A SHA-256 that also records its inputs (used outside the timed runs). */
function recording(inner: Sha256): { hash: Sha256; inputs: Uint8Array[] } {
  const inputs: Uint8Array[] = [];
  return {
    inputs,
    hash: (data) => {
      inputs.push(data.slice());
      return inner(data);
    },
  };
}

/** Time, ms, to hash each of `inputs` once with plain node:crypto SHA-256. */
function plainHashMs(inputs: readonly Uint8Array[]): number {
  const t = performance.now();
  for (const x of inputs) nodeSha256(x);
  return performance.now() - t;
}

/** The median of three {@link plainHashMs} runs. */
function plainHashMedianMs(inputs: readonly Uint8Array[]): number {
  const xs = [plainHashMs(inputs), plainHashMs(inputs), plainHashMs(inputs)].sort((a, b) => a - b);
  return xs[1]!;
}

/** Random indices, without repeats, below `bound`. */
function pick(count: number, bound: number, avoid: Set<number> = new Set()): number[] {
  const out = new Set<number>();
  while (out.size < count) {
    const i = Math.floor(Math.random() * bound);
    if (!avoid.has(i)) out.add(i);
  }
  return [...out];
}

/** One batch of changes: 70 % updates of live keys, 15 % removals of live keys, 15 % new keys. */
function changes(live: Set<number>, next: { n: number }, liveList: () => number[]): { updates: MapUpdate[]; apply: () => void } {
  const list = liveList();
  const nUpdate = Math.round(CHANGED * 0.7);
  const nRemove = Math.round(CHANGED * 0.15);
  const nInsert = CHANGED - nUpdate - nRemove;
  const chosen = pick(nUpdate + nRemove, list.length).map((j) => list[j]!);
  const updates: MapUpdate[] = [];
  const removed: number[] = [];
  const inserted: number[] = [];
  chosen.forEach((i, j) => {
    if (j < nUpdate) updates.push({ key: keyOf(i), value: value() });
    else {
      updates.push({ key: keyOf(i), value: null });
      removed.push(i);
    }
  });
  for (let j = 0; j < nInsert; j++) {
    const i = next.n++;
    updates.push({ key: keyOf(i), value: value() });
    inserted.push(i);
  }
  return {
    updates,
    apply: () => {
      for (const i of removed) live.delete(i);
      for (const i of inserted) live.add(i);
    },
  };
}

/** The map under test and the keys it holds. */
interface State {
  store: MemoryNodeStore;
  root: Uint8Array;
  live: Set<number>;
  next: { n: number };
  list: number[] | null;
}

const label = `state-map ${int(KEYS)} keys`;

/** CPU ms (user + system) since `start`. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** Builds the map of KEYS keys; prints the build and memory lines. */
async function build(): Promise<State> {
  note(`building a map of ${int(KEYS)} keys`);
  await collect();
  const mem0 = process.memoryUsage();
  let updates: MapUpdate[] = [];
  let rawBytes = 0;
  for (let i = 0; i < KEYS; i++) {
    const key = keyOf(i);
    updates.push({ key, value: value() });
    rawBytes += key.length + 32;
  }
  const store = new MemoryNodeStore();
  const t = performance.now();
  const built = await applyMapUpdates(store, emptyMapRoot(), updates, nodeSha256);
  await store.putNodes(built.newNodes);
  const buildMs = performance.now() - t;
  const recorded = await recordInputs((hash) => applyMapUpdates(new MemoryNodeStore(), emptyMapRoot(), updates, hash));
  const hashes = recorded.length;
  const base = plainHashMedianMs(recorded);
  recorded.length = 0;
  line(
    `${label} build (one batch, node:crypto): ${ms(buildMs)}, ${int(hashes)} hashes, ${int(store.size)} nodes ` +
      `(${ratio(buildMs, base)} plain SHA-256 of the same ${int(hashes)} inputs: ${ms(base)})`,
  );
  const root = built.root;
  built.newNodes.length = 0;
  updates = [];
  await collect();
  const mem1 = process.memoryUsage();
  // JS heap and array buffers (the node slab is one): what the process holds more, after GC.
  const held = mem1.heapUsed + mem1.arrayBuffers - (mem0.heapUsed + mem0.arrayBuffers);
  line(
    `${label} memory: store ${mb(store.footprintBytes)} (${int(store.footprintBytes / KEYS)} bytes/key, ${(store.size / KEYS).toFixed(2)} nodes/key, ` +
      `${ratio(store.footprintBytes, rawBytes)} the raw keys and values: ${mb(rawBytes)}); process heap + buffers +${mb(held)} after GC, RSS ${mb(process.memoryUsage.rss())}`,
  );
  return { store, root, live: new Set(Array.from({ length: KEYS }, (_, i) => i)), next: { n: KEYS }, list: null };
}

/** The inputs of every hash `work` makes (it runs once, with a recording hasher). */
async function recordInputs(work: (hash: Sha256) => Promise<unknown>): Promise<Uint8Array[]> {
  const rec = recording(nodeSha256);
  await work(rec.hash);
  return rec.inputs;
}

/** One commit of CHANGED keys: apply, store the new nodes, prune the stale ones. */
async function commitOnce(state: State, hash: Sha256): Promise<{ wall: number; cpu: number }> {
  const batch = changes(state.live, state.next, () => (state.list ??= [...state.live]));
  const c0 = process.cpuUsage();
  const t = performance.now();
  const c = await applyMapUpdates(state.store, state.root, batch.updates, hash);
  await state.store.putNodes(c.newNodes);
  state.store.deleteNodes(c.staleNodes);
  const wall = performance.now() - t;
  const cpu = cpuMs(c0);
  state.root = c.root;
  batch.apply();
  state.list = null;
  return { wall, cpu };
}

/**
 * COMMITS timed commits; after each, plain SHA-256 over the inputs one commit hashes
 * (recorded from an untimed commit first), so that commit and baseline see the same
 * machine load.
 */
async function commits(state: State): Promise<number> {
  note(`${COMMITS} commits of ${int(CHANGED)} changed keys`);
  for (let w = 0; w < 3; w++) await commitOnce(state, nodeSha256); // warm-up
  const inputs = await recordInputs((hash) => commitOnce(state, hash));
  const bytes = inputs.reduce((n, x) => n + x.length, 0);
  const wall: number[] = [];
  const cpu: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < COMMITS; r++) {
    const m = await commitOnce(state, nodeSha256);
    wall.push(m.wall);
    cpu.push(m.cpu);
    base.push(plainHashMs(inputs));
  }
  const w = summarize(wall);
  const c = summarize(cpu);
  const b = summarize(base);
  line(
    `${label} commit of ${int(CHANGED)} changed keys (node:crypto; apply + store + prune): p50 ${ms(w.p50)} p99 ${ms(w.p99)} over ${COMMITS}, ` +
      `CPU p50 ${ms(c.p50)} p99 ${ms(c.p99)} (${ratio(w.p50, b.p50)} plain SHA-256 of the same bytes, p50 ${ms(b.p50)}: ${int(inputs.length)} inputs, ${int(bytes)} bytes) ` +
      floor('commit p99 ≤ 100 ms', w.p99 <= 100),
  );
  return w.p50;
}

/**
 * SAMPLES proofs in blocks of 100; after each block, plain SHA-256 over the inputs that
 * block's verifications hash (recorded beforehand), as the per-proof baseline.
 */
async function proofs(state: State): Promise<void> {
  note(`${int(SAMPLES)} proofs`);
  const live = (state.list ??= [...state.live]);
  const present = pick(Math.round(SAMPLES * 0.8), live.length).map((j) => live[j]!);
  const absent = Array.from({ length: SAMPLES - present.length }, (_, j) => state.next.n + 1_000_000 + j);
  const queries = [...present, ...absent].map(keyOf).sort(() => Math.random() - 0.5);
  const { store, root } = state;
  const BLOCK = 100;
  const blockInputs: Uint8Array[][] = [];
  for (let i = 0; i < queries.length; i += BLOCK) {
    blockInputs.push(
      await recordInputs(async (hash) => {
        for (const key of queries.slice(i, i + BLOCK)) {
          const got = await proveMapKey(store, root, key, nodeSha256);
          verifyMapProof(root, key, got.value, encodeMapProof(got.proof), hash);
        }
      }),
    );
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const gen: number[] = [];
  const ver: number[] = [];
  const base: number[] = [];
  let proofBytes = 0;
  let failures = 0;
  for (let w = 0; w < 200; w++) await proveMapKey(store, root, queries[w % queries.length]!, nodeSha256);
  for (let i = 0; i < queries.length; i++) {
    const key = queries[i]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const got = await proveMapKey(store, root, key, nodeSha256);
    const bytes = encodeMapProof(got.proof);
    const t1 = performance.now();
    const ok = verifyMapProof(root, key, got.value, decodeMapProof(bytes), nodeSha256);
    const t2 = performance.now();
    cpu.push(cpuMs(c0));
    if (!ok) failures++;
    proofBytes += bytes.length;
    gen.push(t1 - t0);
    ver.push(t2 - t1);
    wall.push(t2 - t0);
    if ((i + 1) % BLOCK === 0 || i === queries.length - 1) {
      const inputs = blockInputs[Math.floor(i / BLOCK)]!;
      base.push(plainHashMs(inputs) / (i % BLOCK + 1));
    }
  }
  if (failures > 0) throw new Error(`${failures} proofs did not verify`);
  const hashes = blockInputs.reduce((n, b) => n + b.length, 0) / queries.length;
  const t = summarize(wall);
  const c = summarize(cpu);
  const b = summarize(base);
  line(
    `${label} proof (prove + encode + decode + verify, node:crypto, 80 % present): p50 ${ms(t.p50)} p99 ${ms(t.p99)}, CPU p50 ${ms(c.p50)} p99 ${ms(c.p99)} ` +
      `(prove p99 ${ms(summarize(gen).p99)}, verify p99 ${ms(summarize(ver).p99)}; ${int(proofBytes / queries.length)} bytes/proof; ` +
      `${ratio(t.p50, b.p50)} plain SHA-256 of the verifier's ${hashes.toFixed(1)} inputs, p50 ${ms(b.p50)}) ` +
      floor('proof p99 ≤ 5 ms', t.p99 <= 5),
  );
}

async function main(): Promise<void> {
  if (!gc) note('run with --expose-gc (npm run bench does) for the memory figure');
  const state = await build();
  const nodeP50 = await commits(state);
  await proofs(state);
  // the pure-JavaScript hasher (browsers, monitors), informative
  const noble: number[] = [];
  for (let r = 0; r < Math.min(5, COMMITS); r++) noble.push((await commitOnce(state, sha256)).wall);
  line(`${label} commit of ${int(CHANGED)} changed keys (@noble sha256): p50 ${ms(summarize(noble).p50)} (${ratio(summarize(noble).p50, nodeP50)} node:crypto)`);
}

if (isMain(import.meta.url)) runMain(main);
