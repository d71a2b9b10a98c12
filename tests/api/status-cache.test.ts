import { describe, expect, it } from 'vitest';
import { StatusCache } from '../../src/api/status-cache.ts';

describe('StatusCache', () => {
  const counter = () => {
    let n = 0;
    return { compute: async () => ++n, get calls() { return n; } };
  };

  it('keeps an answer while its version holds; past the bound it is computed again while the kept one is served', async () => {
    let t = 0;
    const cache = new StatusCache<number>(100, 10, () => t);
    const c = counter();
    expect(await cache.get('a', '5', c.compute)).toBe(1);
    t = 99;
    expect(await cache.get('a', '5', c.compute)).toBe(1);
    expect(c.calls).toBe(1);
    t = 100; // as old as the bound: served, and computed again behind it
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      await gate;
      return c.compute();
    };
    expect(await cache.get('a', '5', slow)).toBe(1);
    expect(await cache.get('a', '5', slow)).toBe(1); // the refresh is still running: one at a time
    release();
    await new Promise((r) => setImmediate(r));
    expect(c.calls).toBe(2);
    expect(await cache.get('a', '5', c.compute)).toBe(2);
    t = 150; // the new answer is 50 old: no refresh
    expect(await cache.get('a', '5', c.compute)).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(c.calls).toBe(2);
  });

  it('a failed refresh keeps the answer it would have replaced', async () => {
    let t = 0;
    const cache = new StatusCache<number>(100, 10, () => t);
    await cache.get('a', '1', async () => 1);
    t = 200;
    expect(await cache.get('a', '1', async () => Promise.reject(new Error('db down')))).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('a', '1', async () => 2)).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('a', '1', async () => 3)).toBe(2);
  });

  it('computes again when the version changes (the tree grew, the day turned)', async () => {
    const cache = new StatusCache<number>(1e9, 10, () => 0);
    const c = counter();
    await cache.get('a', '5/2026-01-01', c.compute);
    expect(await cache.get('a', '6/2026-01-01', c.compute)).toBe(2);
    expect(await cache.get('a', '6/2026-01-02', c.compute)).toBe(3);
    expect(await cache.get('a', '6/2026-01-02', c.compute)).toBe(3);
  });

  it('keeps keys apart (certificate, audience)', async () => {
    const cache = new StatusCache<string>(1e9, 10, () => 0);
    expect(await cache.get('A\n-', '1', async () => 'public')).toBe('public');
    expect(await cache.get('A\nstaff', '1', async () => 'staff')).toBe('staff');
    expect(await cache.get('B\n-', '1', async () => 'other')).toBe('other');
    expect(await cache.get('A\n-', '1', async () => 'never')).toBe('public');
  });

  it('lets concurrent requests wait for one computation, and keeps no failure', async () => {
    const cache = new StatusCache<number>(1e9, 10, () => 0);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      calls++;
      await gate;
      return 7;
    };
    const all = Promise.all(Array.from({ length: 16 }, () => cache.get('a', '1', compute)));
    release();
    expect(await all).toEqual(Array(16).fill(7));
    expect(calls).toBe(1);
    await expect(cache.get('b', '1', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('b', '1', async () => 3)).toBe(3);
  });

  it('is bounded: the least recently used answer goes first', async () => {
    const cache = new StatusCache<number>(1e9, 2, () => 0);
    await cache.get('a', '1', async () => 1);
    await cache.get('b', '1', async () => 2);
    await cache.get('a', '1', async () => -1); // a used: b is now the oldest
    await cache.get('c', '1', async () => 3);
    expect(cache.size).toBe(2);
    expect(await cache.get('a', '1', async () => -1)).toBe(1);
    expect(await cache.get('b', '1', async () => 22)).toBe(22);
  });
});
