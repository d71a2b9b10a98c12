/** The read path's memory: the byte-bounded LRU and the monotonic checkpoint memo. */
import { describe, expect, it } from 'vitest';
import { ByteLru, MonotonicMemo, SharedFreshRead } from '../../src/ledger/index.ts';

describe('ByteLru', () => {
  it('evicts the least recently used first, by bytes', () => {
    const lru = new ByteLru<Uint8Array>(100, (b) => b.byteLength);
    lru.set('a', new Uint8Array(40));
    lru.set('b', new Uint8Array(40));
    expect(lru.get('a')).toBeDefined(); // a is now the most recent
    lru.set('c', new Uint8Array(40)); // 120 > 100: b goes
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.get('c')).toBeDefined();
    expect(lru.size).toEqual({ entries: 2, bytes: 80 });
  });
  it('never holds a value larger than its bound, and replaces a key without counting it twice', () => {
    const lru = new ByteLru<Uint8Array>(100, (b) => b.byteLength);
    lru.set('big', new Uint8Array(101));
    expect(lru.get('big')).toBeUndefined();
    lru.set('a', new Uint8Array(60));
    lru.set('a', new Uint8Array(30));
    expect(lru.size).toEqual({ entries: 1, bytes: 30 });
    expect(lru.hits + lru.misses).toBe(1);
  });
});

describe('MonotonicMemo', () => {
  it('reads once per ttl however many ask at once, and reads again when the version changes', async () => {
    let t = 0;
    let reads = 0;
    let version = 0;
    let value = 1;
    const memo = new MonotonicMemo<number>(
      async () => {
        reads++;
        return value;
      },
      100,
      () => t,
      (a, b) => a - b,
      () => version,
    );
    expect(memo.peek()).toBeUndefined(); // nothing read yet: peek never reads
    expect(await Promise.all([memo.get(), memo.get(), memo.get()])).toEqual([1, 1, 1]);
    expect(reads).toBe(1);
    value = 2;
    t = 50;
    expect(memo.peek()).toBe(1);
    expect(await memo.get()).toBe(1); // within the ttl
    version = 1; // this process published
    expect(memo.peek()).toBeUndefined(); // get() would read again
    expect(reads).toBe(1);
    expect(await memo.get()).toBe(2);
    expect(reads).toBe(2);
    t = 200;
    value = 3;
    expect(memo.peek()).toBeUndefined(); // past the ttl
    expect(await memo.get()).toBe(3);
    expect(reads).toBe(3);
  });
  it('never hands out a value older than one it handed out (a lagging replica)', async () => {
    let t = 0;
    let value = 10;
    const memo = new MonotonicMemo<number>(async () => value, 10, () => t, (a, b) => a - b);
    expect(await memo.get()).toBe(10);
    value = 7; // a replica behind the primary
    t = 100;
    expect(await memo.get()).toBe(10);
    value = 11;
    t = 200;
    expect(await memo.get()).toBe(11);
  });
});

describe('SharedFreshRead', () => {
  it('gives the callers of one turn one read, which starts after each of them called', async () => {
    let value = 1;
    let reads = 0;
    const turns: (() => void)[] = [];
    const shared = new SharedFreshRead<number>(
      async () => {
        reads++;
        return value;
      },
      (run) => turns.push(run),
    );
    const a = shared.get();
    const b = shared.get();
    expect(reads).toBe(0); // nothing read before the turn ends
    value = 2; // committed before the read starts: both see it
    turns.shift()!();
    expect(await Promise.all([a, b])).toEqual([2, 2]);
    expect(reads).toBe(1);
    // a caller after the read started waits for a read of its own
    const c = shared.get();
    value = 3;
    turns.shift()!();
    expect(await c).toBe(3);
    expect(reads).toBe(2);
  });
  it('hands a failed read to its callers and reads again for the next ones', async () => {
    let fail = true;
    const shared = new SharedFreshRead<number>(
      async () => {
        if (fail) throw new Error('down');
        return 7;
      },
      (run) => queueMicrotask(run),
    );
    await expect(Promise.all([shared.get(), shared.get()])).rejects.toThrow('down');
    fail = false;
    expect(await shared.get()).toBe(7);
  });
});
