/**
 * The read path's memory: a byte-bounded LRU for what never changes (full tiles, entry
 * bundles, any tile of a width the tree has reached: C2SP tlog-tiles makes their
 * contents immutable), and a short-lived, monotonic memo for what changes at most
 * once per publication (the served checkpoint), and a read shared by the callers of one
 * turn (the tree size other processes change). Pure: time and scheduling are injected.
 */

/** A least-recently-used map bounded by the sum of its values' sizes (bytes). */
export class ByteLru<V> {
  private readonly map = new Map<string, V>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (v: V) => number,
  ) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // refresh: Map keeps insertion order, so the first key is the least recently used
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    const size = this.sizeOf(value);
    if (size > this.maxBytes) return; // never cache what would evict everything
    const old = this.map.get(key);
    if (old !== undefined) {
      this.bytes -= this.sizeOf(old);
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.bytes += size;
    while (this.bytes > this.maxBytes) {
      const first = this.map.keys().next();
      if (first.done) break;
      const evicted = this.map.get(first.value)!;
      this.map.delete(first.value);
      this.bytes -= this.sizeOf(evicted);
    }
  }

  /** Entries and bytes held now. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes };
  }
}

/**
 * A value read at most once per `ttlMs` however many ask at once (one read in flight),
 * and never older than one already handed out: a fresh read that compares lower than
 * the last value (a lagging replica, another instance's slower view) is ignored.
 */
export class MonotonicMemo<V> {
  private value: V | undefined;
  private readAt = -Infinity;
  private readVersion: unknown;
  private inFlight: Promise<V | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<V | undefined>,
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Orders two values; the memo keeps the greater. */
    private readonly compare: (a: V, b: V) => number,
    /** What this process knows changed the value (a publication, a quorum reached): a new version reads again at once. */
    private readonly version: () => unknown = () => 0,
  ) {}

  async get(): Promise<V | undefined> {
    const fresh = this.peek();
    if (fresh !== undefined) return fresh;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * The value `get()` would answer now without a read, or undefined when it would read
   * (nothing read yet, older than `ttlMs`, or a new version): never starts a read.
   */
  peek(): V | undefined {
    return this.value !== undefined && this.now() - this.readAt < this.ttlMs && this.version() === this.readVersion ? this.value : undefined;
  }

  private async refresh(): Promise<V | undefined> {
    const started = this.now();
    const version = this.version();
    const fresh = await this.read();
    if (fresh !== undefined && (this.value === undefined || this.compare(fresh, this.value) >= 0)) this.value = fresh;
    this.readAt = started;
    this.readVersion = version;
    return this.value;
  }
}

/**
 * A read that callers share without ever getting an answer older than their call: every
 * caller gets the result of a read that started after it called, and the callers of one
 * turn (until `schedule` runs its callback — `setImmediate` in the server: everything one
 * event-loop turn's requests ask) share one read. For a value another process may change
 * (the tree size in PostgreSQL), so that N requests arriving together cost one query,
 * not N, and none of them misses a change committed before it arrived.
 */
export class SharedFreshRead<V> {
  private next: Promise<V> | undefined;

  constructor(
    private readonly read: () => Promise<V>,
    private readonly schedule: (run: () => void) => void,
  ) {}

  get(): Promise<V> {
    this.next ??= new Promise<V>((resolve, reject) => {
      this.schedule(() => {
        // from now on a caller waits for a read that starts after it called
        this.next = undefined;
        this.read().then(resolve, reject);
      });
    });
    return this.next;
  }
}
