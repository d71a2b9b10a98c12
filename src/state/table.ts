/**
 * A key → record table that can be layered over another (copy-on-write): a layer reads
 * through to its base and writes only its own entries, so a replay can continue from a
 * prior state without copying it and without changing it. Records are never deleted
 * (a released pledge or a superseded certificate keeps its record) and are replaced,
 * never mutated, so a layer never changes what its base shows.
 */
export class Table<K, V> {
  private readonly own = new Map<K, V>();
  /** Layers below this one (0 for a base table). */
  readonly depth: number;

  constructor(private readonly base?: Table<K, V>) {
    this.depth = base ? base.depth + 1 : 0;
  }

  get(key: K): V | undefined {
    const v = this.own.get(key);
    if (v !== undefined || this.base === undefined) return v;
    return this.base.get(key);
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    this.own.set(key, value);
  }

  /** A new empty layer over this table. */
  layer(): Table<K, V> {
    return new Table(this);
  }

  /** Every (key, record), each key once (the topmost layer's record), in no particular order. */
  *entries(): IterableIterator<[K, V]> {
    if (this.base === undefined) {
      yield* this.own;
      return;
    }
    for (const e of this.own) yield e;
    for (const [k, v] of this.base.entries()) if (!this.own.has(k)) yield [k, v];
  }

  /** Number of keys (walks every layer). */
  count(): number {
    if (this.base === undefined) return this.own.size;
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  /** Write this layer's own records into its base and empty the layer. */
  commit(): void {
    if (this.base === undefined) throw new Error('a base table has nothing to commit into');
    for (const [k, v] of this.own) this.base.set(k, v);
    this.own.clear();
  }

  /** A single-layer copy with the same contents. */
  flatten(): Table<K, V> {
    const t = new Table<K, V>();
    for (const [k, v] of this.entries()) t.set(k, v);
    return t;
  }
}
