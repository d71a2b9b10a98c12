/**
 * A state map kept in a worker thread (`MapEngine` of ../packed.ts): the hashing and
 * the tree of each state commitment an audit checks run on another core while the audit
 * goes on replaying. The thread is started with the engine from the bundled
 * ./map-worker.ts and answers in order; `close` terminates it. If it dies, every call
 * waiting and every later one rejects.
 */
import type { Worker } from 'node:worker_threads';
import { scriptAsset, scriptWorker } from '../../../script-assets.ts';
import type { MapEngine, PackedMapUpdates } from '../packed.ts';
import type { MapWorkerReply, MapWorkerRequest, MapWorkerStart } from './worker-protocol.ts';

/**
 * The thread's JavaScript (CommonJS, for `new Worker(code, { eval: true })`): read from
 * the compiled program's bundle, or bundled once per process from the sources.
 */
export function mapWorkerSource(): Promise<string> {
  return scriptAsset(new URL('./map-worker.ts', import.meta.url));
}

interface Waiting {
  resolve: (r: { root: Uint8Array; nodes?: Uint8Array }) => void;
  reject: (e: Error) => void;
}

export class WorkerMapEngine implements MapEngine {
  #worker: Promise<Worker> | undefined;
  /** The thread once started: messages are then posted at once, not from a promise callback (which a caller replaying synchronously would hold back until it yields). */
  #started: Worker | undefined;
  #next = 0;
  #waiting = new Map<number, Waiting>();
  /** Why calls are refused: the thread failed, or was closed. */
  #failure: Error | undefined;

  /**
   * An empty map, or the map of `start` (root and nodes, 97 bytes each, as `snapshot`
   * gives them). The thread starts now (booting it takes tens of milliseconds, which
   * pass while the caller replays rather than at its first commitment).
   */
  constructor(private readonly start: MapWorkerStart = {}) {
    this.#thread().catch((e: Error) => this.#fail(e));
  }

  update(updates: PackedMapUpdates): Promise<Uint8Array> {
    const d = updates.data;
    return this.#ask({ op: 'update', id: 0, updates: d }, [d.bytes.buffer as ArrayBuffer, d.ends.buffer as ArrayBuffer, d.removes.buffer as ArrayBuffer]).then((r) => r.root);
  }

  snapshot(): Promise<{ root: Uint8Array; nodes: Uint8Array }> {
    return this.#ask({ op: 'snapshot', id: 0 }, []).then((r) => ({ root: r.root, nodes: r.nodes ?? new Uint8Array(0) }));
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    this.#started = undefined;
    this.#fail(new Error('the state map thread was closed'));
    if (w !== undefined) await (await w.catch(() => undefined))?.terminate();
  }

  #ask(m: MapWorkerRequest, transfer: ArrayBuffer[]): Promise<{ root: Uint8Array; nodes?: Uint8Array }> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = ++this.#next;
    const answer = new Promise<{ root: Uint8Array; nodes?: Uint8Array }>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    // posted in call order: the thread is started once, and each message before that waits for that same start
    if (this.#started !== undefined) this.#started.postMessage({ ...m, id }, transfer);
    else
      this.#thread().then(
        (w) => w.postMessage({ ...m, id }, transfer),
        (e: Error) => this.#fail(e),
      );
    return answer;
  }

  #thread(): Promise<Worker> {
    this.#worker ??= mapWorkerSource().then((source) => {
      const worker = scriptWorker(source, { workerData: this.start satisfies MapWorkerStart });
      worker.on('message', (r: MapWorkerReply) => {
        const w = this.#waiting.get(r.id);
        if (w === undefined) return;
        this.#waiting.delete(r.id);
        if ('error' in r) w.reject(new Error(`state map thread: ${r.error}`));
        else w.resolve(r);
      });
      worker.on('error', (e) => this.#fail(e));
      worker.on('exit', (code) => this.#fail(new Error(`the state map thread exited (code ${code})`)));
      worker.on('online', () => (this.#started = worker));
      return worker;
    });
    return this.#worker;
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const w of this.#waiting.values()) w.reject(this.#failure);
    this.#waiting.clear();
  }
}
