/**
 * The Node side in-process: chunked overlapped hashing, the thread pool, and the walker
 * (symbolic links, special files, loops, names, exclusions).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FingerprintError } from '../../src/fingerprint/index.ts';
import { allocReadBuffers, hashFile, hashFileSync } from '../../src/fingerprint/node/digest.ts';
import { DatasetIoError } from '../../src/fingerprint/node/index.ts';
import { fingerprintPath } from '../../src/fingerprint/node/index.ts';
import { hashFiles } from '../../src/fingerprint/node/pool.ts';
import { entryLeafHash, leafInput } from '../../src/fingerprint/node/batch.ts';
import { encodeLeaf, normalizePath } from '../../src/fingerprint/index.ts';
import fc from 'fast-check';
import { ProgressReporter, formatBytes, formatDuration } from '../../src/fingerprint/node/progress.ts';
import { walkDataset } from '../../src/fingerprint/node/walk.ts';
import { writeManifest } from '../../src/fingerprint/node/index.ts';
import { buildManifest } from '../../src/fingerprint/index.ts';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dd-fp-node-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function dir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FingerprintError || e instanceof DatasetIoError) return e.code;
    throw e;
  }
  return undefined;
}

describe('hashing', () => {
  it('hashFile with overlapped reads agrees with a one-shot digest at every chunk boundary', async () => {
    const data = randomBytes(3 * 4096 + 17);
    const file = join(dir('chunks'), 'data.bin');
    writeFileSync(file, data);
    for (const chunk of [1, 7, 4096, 4097, data.length - 1, data.length, data.length + 1, 1 << 20]) {
      let counted = 0;
      const d = await hashFile(file, { buffers: allocReadBuffers(chunk), onBytes: (n) => (counted += n) });
      expect(d).toEqual({ sha256: sha(data), size: data.length });
      expect(counted).toBe(data.length);
      expect(hashFileSync(file, Buffer.alloc(chunk))).toEqual({ sha256: sha(data), size: data.length });
    }
  });

  it('the pool hashes many files on 1–3 threads, small and large (streamed) alike, in order', async () => {
    const d = dir('pool');
    const files = Array.from({ length: 300 }, (_, i) => {
      const data = randomBytes(i % 10 === 0 ? 70_000 + i : i * 13);
      const absPath = join(d, `f${i}`);
      writeFileSync(absPath, data);
      return { path: `f${i}`, absPath, size: data.length, sha256: sha(data) };
    });
    for (const threads of [1, 2, 3]) {
      let bytes = 0;
      let done = 0;
      const digests = await hashFiles(files, { threads, chunkSize: 16 * 1024, onBytes: (n) => (bytes += n), onFiles: (n) => (done += n) });
      expect(digests.map((x) => x.sha256)).toEqual(files.map((f) => f.sha256));
      expect(bytes).toBe(files.reduce((s, f) => s + f.size, 0));
      expect(done).toBe(files.length);
    }
  });

  it("the hashing threads' leaf text is the JCS bytes of the canonicalize package, for any canonical path", () => {
    const canonical = fc
      .array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 })
      .map((segments) => {
        try {
          return normalizePath(segments.join('/'));
        } catch {
          return 'fallback/\u00e9"\\\u0001.csv';
        }
      });
    fc.assert(
      fc.property(canonical, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (path, size, digest) => {
        const sha256 = Buffer.from(digest).toString('hex');
        const jcs = encodeLeaf({ path, size, sha256 });
        expect(Buffer.from(leafInput(path, sha256, size), 'utf8')).toEqual(Buffer.concat([Buffer.of(0), jcs]));
        expect(entryLeafHash(path, sha256, size)).toEqual(createHash('sha256').update(Buffer.of(0)).update(jcs).digest());
      }),
      { numRuns: 500 },
    );
  });

  it('a size that differs from the listing is file_changed; an unreadable file is read_failed', async () => {
    const d = dir('changed');
    writeFileSync(join(d, 'a'), 'abc');
    expect(await codeOf(hashFiles([{ path: 'a', absPath: join(d, 'a'), size: 2 }]))).toBe('file_changed');
    expect(await codeOf(hashFiles([{ path: 'gone', absPath: join(d, 'gone'), size: 0 }]))).toBe('read_failed');
  });

  it('an aborted run rejects with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new DatasetIoError('interrupted', 'stop');
    controller.abort(reason);
    await expect(hashFiles([{ path: 'x', absPath: '/dev/null', size: 0 }], { signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('walking a dataset', () => {
  it('reports symbolic links and FIFOs without following them; follows links on request and stops at loops', async () => {
    const d = dir('links');
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'real.txt'), 'real');
    symlinkSync('sub/real.txt', join(d, 'link.txt'));
    symlinkSync('..', join(d, 'sub', 'up')); // a loop when followed
    symlinkSync('nowhere', join(d, 'broken'));
    execFileSync('mkfifo', [join(d, 'pipe')]);
    const plain = await walkDataset(d);
    expect(plain.files.map((f) => f.path).sort()).toEqual(['sub/real.txt']);
    expect(plain.skipped.map((s) => `${s.path}:${s.reason}`).sort()).toEqual(['broken:symlink', 'link.txt:symlink', 'pipe:fifo', 'sub/up:symlink']);
    const followed = await walkDataset(d, { followSymlinks: true });
    expect(followed.files.map((f) => f.path).sort()).toEqual(['link.txt', 'sub/real.txt']);
    expect(followed.skipped.map((s) => `${s.path}:${s.reason}`).sort()).toEqual(['broken:broken_symlink', 'pipe:fifo', 'sub/up:symlink_loop']);
  });

  it('normalises names to NFC, and two names equal after NFC are duplicate_path', async () => {
    const d = dir('nfd');
    writeFileSync(join(d, 'cafe\u0301.txt'), 'x');
    const r = await fingerprintPath(d);
    expect(r.manifest.entries.map((e) => e.path)).toEqual(['caf\u00e9.txt']);
    const nfc = dir('nfc');
    writeFileSync(join(nfc, 'caf\u00e9.txt'), 'x');
    expect((await fingerprintPath(nfc)).manifest.root).toBe(r.manifest.root);
    writeFileSync(join(d, 'caf\u00e9.txt'), 'y');
    expect(await codeOf(fingerprintPath(d))).toBe('duplicate_path');
  });

  it('a name that is not valid UTF-8 is path_unrepresentable', async () => {
    const d = dir('latin1');
    // Node cannot create it from a string; the shell can (printf with an octal escape).
    execFileSync('sh', ['-c', `printf x > "$1/$(printf 'caf\\351.txt')"`, 'sh', d]);
    expect(await codeOf(walkDataset(d))).toBe('path_unrepresentable');
  });

  it('--exclude prunes files and whole directories; the manifest being written is never listed', async () => {
    const d = dir('exclude');
    mkdirSync(join(d, '.git', 'objects'), { recursive: true });
    mkdirSync(join(d, 'data'));
    writeFileSync(join(d, '.git', 'objects', 'x'), 'x');
    writeFileSync(join(d, 'data', 'a.csv'), 'a');
    writeFileSync(join(d, 'data', 'a.tmp'), 'a');
    writeFileSync(join(d, 'manifest.json'), '{}');
    const r = await fingerprintPath(d, { exclude: ['.git', '*.tmp'], ignoreAbsolute: new Set([join(d, 'manifest.json')]) });
    expect(r.manifest.entries.map((e) => e.path)).toEqual(['data/a.csv']);
    expect(r.excluded).toBe(2);
  });

  it('a single file is a one-entry dataset named by its base name; a missing path is dataset_not_found', async () => {
    const d = dir('single');
    writeFileSync(join(d, 'one.csv'), 'one');
    const r = await fingerprintPath(join(d, 'one.csv'));
    expect(r.kind).toBe('file');
    expect(r.manifest).toEqual(buildManifest([{ path: 'one.csv', size: 3, sha256: sha(Buffer.from('one')) }]));
    expect(await codeOf(fingerprintPath(join(d, 'nope')))).toBe('dataset_not_found');
    expect(await codeOf(fingerprintPath('/dev/null'))).toBe('not_file_or_directory');
  });

  it('writeManifest replaces the target atomically and leaves no temporary file', async () => {
    const d = dir('write');
    const target = join(d, 'm.json');
    writeFileSync(target, 'old');
    const m = buildManifest([{ path: 'a', size: 0, sha256: sha(Buffer.alloc(0)) }]);
    const controller = new AbortController();
    controller.abort(new DatasetIoError('interrupted', 'stop'));
    await expect(writeManifest(target, m, controller.signal)).rejects.toBeInstanceOf(DatasetIoError);
    expect(execFileSync('ls', ['-A', d], { encoding: 'utf8' }).trim()).toBe('m.json');
    await writeManifest(target, m);
    expect(JSON.parse(execFileSync('cat', [target], { encoding: 'utf8' }))).toEqual(m);
    expect(execFileSync('ls', ['-A', d], { encoding: 'utf8' }).trim()).toBe('m.json');
  });
});

describe('progress display', () => {
  it('draws a bar on a terminal and plain lines elsewhere', () => {
    let t = 0;
    const tty: string[] = [];
    const bar = new ProgressReporter({ write: (s: string) => tty.push(s) }, { tty: true, now: () => t, columns: 100 });
    t = 1000;
    bar.update({ phase: 'hashing', files: 5, bytes: 512 << 20, totalFiles: 10, totalBytes: 1024 << 20 });
    expect(tty.join('')).toMatch(/\[#+-+\]  50\.0% 512\.0 MiB\/1\.0 GiB · 5\/10 files · 512\.0 MiB\/s · ETA 0:01/);
    const plain: string[] = [];
    t = 0;
    const lines = new ProgressReporter({ write: (s: string) => plain.push(s) }, { tty: false, now: () => t });
    lines.update({ phase: 'hashing', files: 1, bytes: 1, totalFiles: 2, totalBytes: 2 });
    expect(plain).toEqual([]); // nothing in the first seconds
    t = 6000;
    lines.update({ phase: 'hashing', files: 1, bytes: 1, totalFiles: 2, totalBytes: 2 });
    expect(plain[0]).toMatch(/^fingerprint:  50\.0% 1 B\/2 B · 1\/2 files/);
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});
