/**
 * The listing in manifest order and the hashing of files listed without a stat
 * (`statFiles: false`, what `datadeed fingerprint --quiet` and the engine without a
 * progress callback do): boundary sizes around the read buffer, empty files, large
 * files handed back and streamed alone, files that vanish (read_failed), and the
 * fallback to a sort when two names are equal after NFC. Expected digests come from
 * `sha256sum` (or node:crypto where it is missing), the expected order from
 * Buffer.compare of the paths' UTF-8 bytes, the expected roots from the fixture's
 * pinned root and an independent RFC 6962 MTH written out below.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FingerprintError } from '../../src/fingerprint/index.ts';
import { DatasetIoError, fingerprintPath } from '../../src/fingerprint/node/index.ts';
import { hashFiles } from '../../src/fingerprint/node/pool.ts';
import { hashBatch } from '../../src/fingerprint/node/batch.ts';
import { allocReadBuffers } from '../../src/fingerprint/node/digest.ts';
import { UNKNOWN_SIZE, walkDataset } from '../../src/fingerprint/node/walk.ts';
import { treeHasher } from '../../src/fingerprint/node/tree-hasher.ts';
import { FIXTURE_DIR, FIXTURE_TREE } from './cli.ts';
import { expectCodeAsync } from '../helpers/assert-code.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dd-fp-batch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasSha256sum = spawnSync('sha256sum', ['--version']).status === 0;

/** SHA-256 of a file by `sha256sum` (an independent program), node:crypto without it. */
function sha256sum(path: string): string {
  if (hasSha256sum) return execFileSync('sha256sum', ['-b', '--', path], { encoding: 'utf8' }).slice(0, 64);
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** RFC 6962 §2.1 MTH on node:crypto over hand-written JCS leaves (independent of src/). */
function mthRoot(entries: { path: string; size: number; sha256: string }[]): string {
  const sha = (...parts: Buffer[]): Buffer => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 0) return sha();
    if (leaves.length === 1) return leaves[0]!;
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return mth(sorted.map((e) => sha(Buffer.from([0]), Buffer.from(`{"path":${JSON.stringify(e.path)},"sha256":"${e.sha256}","size":${e.size}}`)))).toString('hex');
}

describe('listing in manifest order', () => {
  it('emits the files of the fixture tree in UTF-8 byte order of their paths, with or without stat', async () => {
    for (const statFiles of [true, false]) {
      const w = await walkDataset(FIXTURE_TREE, { statFiles });
      const paths = w.files.map((f) => f.path);
      expect(w.ordered).toBe(true);
      expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect(w.files.every((f) => (statFiles ? f.size >= 0 : f.size === UNKNOWN_SIZE))).toBe(true);
    }
  });

  it('a directory sorts as its name plus "/": "a.txt" and "a-b" before "a/…", "a0" after', async () => {
    const d = join(tmp, 'slash');
    mkdirSync(join(d, 'a', 'z'), { recursive: true });
    for (const p of ['a.txt', 'a-b', 'a0', 'a/b', 'a/z/y', '\uFF61', '\u{1F600}']) writeFileSync(join(d, p), p);
    const w = await walkDataset(d);
    expect(w.files.map((f) => f.path)).toEqual(['a-b', 'a.txt', 'a/b', 'a/z/y', 'a0', '\uFF61', '\u{1F600}']);
    expect(w.ordered).toBe(true);
  });

  it('two directory names equal after NFC: not ordered, and the manifest is still sorted and right', async () => {
    const d = join(tmp, 'nfc-dirs');
    mkdirSync(join(d, 'caf\u00e9'), { recursive: true });
    mkdirSync(join(d, 'cafe\u0301'), { recursive: true });
    writeFileSync(join(d, 'caf\u00e9', 'b'), 'b');
    writeFileSync(join(d, 'cafe\u0301', 'a'), 'a');
    writeFileSync(join(d, 'cafe\u0301', 'c'), 'c');
    const w = await walkDataset(d);
    expect(w.ordered).toBe(false);
    const r = await fingerprintPath(d);
    expect(r.manifest.entries.map((e) => e.path)).toEqual(['caf\u00e9/a', 'caf\u00e9/b', 'caf\u00e9/c']);
    const expected = ['a', 'b', 'c'].map((n) => ({ path: `caf\u00e9/${n}`, size: 1, sha256: createHash('sha256').update(n).digest('hex') }));
    expect(r.manifest.root).toBe(mthRoot(expected));
    // …and a file in both is a duplicate path
    writeFileSync(join(d, 'caf\u00e9', 'a'), 'a');
    await expectCodeAsync(() => fingerprintPath(d), FingerprintError, 'duplicate_path');
  });

  it('the fixture root comes out the same with and without a progress callback (stat or not), on 1 and 2 threads', async () => {
    const pinned = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as { root: string }).root;
    for (const threads of [1, 2]) {
      expect((await fingerprintPath(FIXTURE_TREE, { threads })).manifest.root).toBe(pinned);
      let updates = 0;
      expect((await fingerprintPath(FIXTURE_TREE, { threads, onProgress: () => updates++ })).manifest.root).toBe(pinned);
      expect(updates).toBeGreaterThan(0);
    }
  });
});

describe('files listed without a size', () => {
  const chunk = 64 * 1024;
  const sizes = [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5, 0, 17];

  function writeSet(name: string): { path: string; absPath: string; data: Buffer }[] {
    const d = join(tmp, name);
    mkdirSync(d, { recursive: true });
    return sizes.map((size, i) => {
      const data = randomBytes(size);
      const absPath = join(d, `f${i}`);
      writeFileSync(absPath, data);
      return { path: `f${i}`, absPath, data };
    });
  }

  it('empty, just under, at and over the read buffer: digests as sha256sum, large ones streamed alone, on 1–3 threads', async () => {
    const set = writeSet('sizes');
    for (const threads of [1, 2, 3]) {
      let bytes = 0;
      let done = 0;
      const files = set.map((f) => ({ path: f.path, absPath: f.absPath, size: UNKNOWN_SIZE }));
      const r = await hashFiles(files, { threads, chunkSize: chunk, onBytes: (n) => (bytes += n), onFiles: (n) => (done += n) });
      expect(r.map((x) => x.sha256)).toEqual(set.map((f) => sha256sum(f.absPath)));
      expect(r.map((x) => x.size)).toEqual(sizes);
      expect(done).toBe(sizes.length);
      expect(bytes).toBe(sizes.reduce((a, b) => a + b, 0));
      for (let i = 0; i < set.length; i++) {
        const leaf = createHash('sha256')
          .update(Buffer.from([0]))
          .update(`{"path":"${set[i]!.path}","sha256":"${sha256sum(set[i]!.absPath)}","size":${sizes[i]}}`)
          .digest();
        expect(Buffer.from(r[i]!.leaf)).toEqual(leaf);
      }
    }
  });

  it('a directory of such files fingerprints to the independent root, statted or not', async () => {
    const set = writeSet('dir');
    const expected = set.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256sum(f.absPath) }));
    const d = join(tmp, 'dir');
    expect((await fingerprintPath(d, { chunkSize: chunk })).manifest.root).toBe(mthRoot(expected));
    expect((await fingerprintPath(d, { chunkSize: chunk, onProgress: () => undefined })).manifest.root).toBe(mthRoot(expected));
  });

  it('one batch, yielding after every file: small, missing, listed large, unknown-size large and empty files each in their place; a stop ends it there', async () => {
    const d = join(tmp, 'one-batch');
    mkdirSync(d, { recursive: true });
    const data: Record<string, Buffer> = { a: randomBytes(100), big: randomBytes(3 * chunk + 1), big2: randomBytes(chunk), c: Buffer.alloc(0), e: randomBytes(chunk - 1) };
    for (const [name, bytes] of Object.entries(data)) writeFileSync(join(d, name), bytes);
    const names = ['a', 'gone', 'big', 'big2', 'c', 'e'];
    const listed = [UNKNOWN_SIZE, UNKNOWN_SIZE, data.big!.length, UNKNOWN_SIZE, 0, UNKNOWN_SIZE];
    const batch = { t: 'batch' as const, id: 0, absPaths: names.map((n) => join(d, n)), paths: names, sizes: listed };
    let yields = 0;
    let counted = 0;
    const ctx = { buffers: allocReadBuffers(chunk), count: (n: number) => (counted += n), shouldYield: () => (yields++, true) };
    const r = await hashBatch(batch, ctx);
    const digest = (n: string) => (data[n] ? sha256sum(join(d, n)) : '');
    expect(r.sha256).toEqual(['a', 'gone', 'big', 'big2', 'c', 'e'].map((n) => (n === 'gone' || n === 'big2' ? '' : digest(n))));
    expect(r.sizes).toEqual([100, -1, 3 * chunk + 1, UNKNOWN_SIZE, 0, chunk - 1]);
    expect(r.errors?.[1]).toBe('ENOENT');
    expect(r.errors?.filter((x) => x !== undefined)).toHaveLength(1);
    expect(r.deferred?.[3]).toBe(true);
    expect(r.deferred?.filter((x) => x !== undefined)).toHaveLength(1);
    for (const i of [0, 2, 4, 5]) {
      const leaf = createHash('sha256').update(Buffer.from([0])).update(`{"path":"${names[i]}","sha256":"${digest(names[i]!)}","size":${data[names[i]!]!.length}}`).digest();
      expect(Buffer.from(r.leaves.subarray(i * 32, i * 32 + 32))).toEqual(leaf);
    }
    expect(yields).toBe(names.length);
    expect(counted).toBe(100 + 3 * chunk + 1 + 0 + chunk - 1);

    let done = 0;
    const stopped = await hashBatch(batch, { ...ctx, shouldYield: () => (done++, true), stopped: () => done >= 2 });
    expect(stopped.sha256).toEqual([digest('a'), '']);
    expect(stopped.sizes).toEqual([100, -1]);
  });

  it('a file whose size differs from its listing is read to its end: grown past the buffer, shrunk below its listed size, or as listed', async () => {
    const d = join(tmp, 'resized');
    mkdirSync(d, { recursive: true });
    const data: Record<string, Buffer> = { grown: randomBytes(2 * chunk + 5), shrunk: randomBytes(20), same: randomBytes(100) };
    for (const [name, bytes] of Object.entries(data)) writeFileSync(join(d, name), bytes);
    const names = ['grown', 'shrunk', 'same'];
    const batch = { t: 'batch' as const, id: 0, absPaths: names.map((n) => join(d, n)), paths: names, sizes: [10, 50, 100] };
    let counted = 0;
    const r = await hashBatch(batch, { buffers: allocReadBuffers(chunk), count: (n: number) => (counted += n) });
    expect(r.errors).toBeUndefined();
    expect(r.deferred).toBeUndefined();
    expect(r.sha256).toEqual(names.map((n) => sha256sum(join(d, n))));
    expect(r.sizes).toEqual(names.map((n) => data[n]!.length));
    expect(counted).toBe(2 * chunk + 5 + 20 + 100);
    names.forEach((n, i) => {
      const leaf = createHash('sha256').update(Buffer.from([0])).update(`{"path":"${n}","sha256":"${sha256sum(join(d, n))}","size":${data[n]!.length}}`).digest();
      expect(Buffer.from(r.leaves.subarray(i * 32, i * 32 + 32))).toEqual(leaf);
    });
  });

  it('a file that vanished is read_failed (small or deferred), on the main thread and on threads', async () => {
    const d = join(tmp, 'gone');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a'), 'a');
    for (const threads of [1, 2]) {
      const files = [
        { path: 'a', absPath: join(d, 'a'), size: UNKNOWN_SIZE },
        { path: 'gone', absPath: join(d, 'gone'), size: UNKNOWN_SIZE },
      ];
      const err = await hashFiles(files, { threads }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetIoError);
      expect((err as DatasetIoError).code).toBe('read_failed');
      expect((err as DatasetIoError).path).toBe('gone');
    }
  });
});

describe('the tree hasher', () => {
  it('matches SHA-256 of 0x00 ‖ d and 0x01 ‖ l ‖ r, and hands out independent arrays', () => {
    const seen: { got: Uint8Array; want: Buffer }[] = [];
    for (let i = 0; i < 2100; i++) {
      const l = randomBytes(32);
      const r = randomBytes(32);
      seen.push({ got: treeHasher.hashChildren(l, r), want: createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest() });
    }
    // every digest handed out is still intact after more than two slabs' worth of others
    for (const { got, want } of seen) expect(Buffer.from(got)).toEqual(want);
    const first = createHash('sha256').update(Buffer.from([1])).update(Buffer.alloc(64)).digest();
    expect(Buffer.from(treeHasher.hashChildren(new Uint8Array(32), new Uint8Array(32)))).toEqual(first);
    expect(Buffer.from(treeHasher.hashLeaf(Buffer.from('x')))).toEqual(createHash('sha256').update(Buffer.from([0, 0x78])).digest());
    expect(Buffer.from(treeHasher.emptyRoot()).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
