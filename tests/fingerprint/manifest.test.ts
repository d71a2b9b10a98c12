import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { merkleTreeHash } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { toHex } from '../../src/ledger/index.ts';
import {
  FingerprintError,
  ManifestBuilder,
  assertManifestMatches,
  buildManifest,
  encodeLeaf,
  manifestChunks,
  parseManifest,
  serializeManifest,
  verifyManifest,
  type ManifestEntry,
} from '../../src/fingerprint/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { FIXTURE_DIR } from './cli.ts';

const { expectCode } = assertCodes(FingerprintError);

const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as { root: string; files: number; bytes: number; entries: ManifestEntry[] };
const good = { v: 1, root: expected.root, files: expected.files, bytes: expected.bytes, entries: expected.entries };

interface BadManifest {
  name: string;
  description: string;
  wantError: string;
  manifest: unknown;
}
const badDir = join(FIXTURE_DIR, 'bad-manifests');
const bad = readdirSync(badDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(badDir, f), 'utf8')) as BadManifest);

const hexDigest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const segment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
  .map((s) => s.replace(/[/\u0000]/g, '_').normalize('NFC'))
  .filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/') && s.normalize('NFC') === s);
const entryArb = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
  size: fc.nat(),
  sha256: hexDigest,
});

describe('leaves', () => {
  it('are the JCS bytes {"path","sha256","size"}', () => {
    const e = { path: '数据/样本.csv', size: 65, sha256: 'cf'.repeat(32) };
    expect(Buffer.from(encodeLeaf(e)).toString('utf8')).toBe(`{"path":"数据/样本.csv","sha256":"${'cf'.repeat(32)}","size":65}`);
    const odd = { path: 'quote"back\\slash\u0001', size: 0, sha256: '00'.repeat(32) };
    expect(Buffer.from(encodeLeaf(odd)).toString('utf8')).toBe(`{"path":"quote\\"back\\\\slash\\u0001","sha256":"${'00'.repeat(32)}","size":0}`);
  });
});

describe('buildManifest / verifyManifest', () => {
  it('accepts the known-answer manifest with either hasher', () => {
    expect(verifyManifest(good).root).toBe(expected.root);
    expect(verifyManifest(good, nodeRfc6962).root).toBe(expected.root);
  });

  it('the empty dataset has root SHA-256("")', () => {
    const m = buildManifest([]);
    expect(m).toEqual({ v: 1, root: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', files: 0, bytes: 0, entries: [] });
    expect(verifyManifest(JSON.parse(serializeManifest(m)))).toEqual(m);
  });

  for (const c of bad) {
    it(`rejects ${c.name} (${c.description}) with ${c.wantError}`, () => {
      expectCode(() => verifyManifest(c.manifest), c.wantError as FingerprintError['code']);
    });
  }

  it('rejects duplicates and bad entries when building', () => {
    const e = expected.entries[0]!;
    expectCode(() => buildManifest([e, { ...e }]), 'duplicate_path');
    expectCode(() => buildManifest([{ ...e, path: 'a//b' }]), 'path_not_normalized');
    expectCode(() => buildManifest([{ ...e, size: -1 }]), 'malformed_manifest');
  });

  it('assertManifestMatches compares a manifest with declared root, files and bytes', () => {
    const m = verifyManifest(good);
    assertManifestMatches(m, { root: expected.root, files: expected.files, bytes: expected.bytes });
    expectCode(() => assertManifestMatches(m, { root: 'ab'.repeat(32), files: expected.files, bytes: expected.bytes }), 'manifest_root_mismatch');
    expectCode(() => assertManifestMatches(m, { root: expected.root, files: expected.files + 1, bytes: expected.bytes }), 'manifest_totals_mismatch');
  });

  it('parseManifest bounds the text and rejects non-JSON', () => {
    const text = serializeManifest(verifyManifest(good));
    expect(parseManifest(text).root).toBe(expected.root);
    expectCode(() => parseManifest(text, { maxChars: 100 }), 'malformed_manifest');
    expectCode(() => parseManifest('{"v":1,'), 'malformed_manifest');
    expectCode(() => parseManifest('[]'), 'malformed_manifest');
  });

  it('property: any set of entries builds a manifest that verifies, whose root is the MTH of its sorted leaves, and whose file form round-trips', () => {
    fc.assert(
      fc.property(fc.uniqueArray(entryArb, { selector: (e) => e.path, maxLength: 40 }), (entries) => {
        const m = buildManifest(entries);
        const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
        expect(m.entries).toEqual(sorted);
        expect(m.root).toBe(toHex(merkleTreeHash(rfc6962, sorted.map((e) => rfc6962.hashLeaf(encodeLeaf(e))))));
        expect(verifyManifest(JSON.parse([...manifestChunks(m)].join('')))).toEqual(m);
        expect(buildManifest(entries, nodeRfc6962).root).toBe(m.root);
      }),
      { numRuns: 200 },
    );
  });

  it('property: changing any one field of any entry changes or breaks the manifest', () => {
    fc.assert(
      fc.property(fc.uniqueArray(entryArb, { selector: (e) => e.path, minLength: 1, maxLength: 12 }), fc.nat(), (entries, pick) => {
        const m = buildManifest(entries);
        const i = pick % m.entries.length;
        const tampered = structuredClone(m);
        tampered.entries[i]!.sha256 = (tampered.entries[i]!.sha256[0] === 'a' ? 'b' : 'a') + tampered.entries[i]!.sha256.slice(1);
        expect(() => verifyManifest(tampered)).toThrow(FingerprintError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('ManifestBuilder.addHashed (the hashing lanes’ entries)', () => {
  const leafBytes = (entries: ManifestEntry[]) => {
    const all = new Uint8Array(entries.length * 32);
    entries.forEach((e, i) => all.set(rfc6962.hashLeaf(encodeLeaf(e)), i * 32));
    return all;
  };

  it('gives the root and entries of the fixture, from leaf hashes at offsets of one buffer', () => {
    const entries = expected.entries;
    const leaves = leafBytes(entries);
    const b = new ManifestBuilder(rfc6962);
    entries.forEach((e, i) => b.addHashed(e.path, e.size, e.sha256, leaves, i * 32));
    const m = b.finish();
    expect(m.root).toBe(expected.root);
    expect(m.entries).toEqual(entries);
    expect(m.bytes).toBe(expected.bytes);
  });

  it('refuses what add refuses: a path out of order, a duplicate, a path not canonical', () => {
    const e = [{ path: 'b', size: 1, sha256: 'ab'.repeat(32) }, { path: 'a', size: 1, sha256: 'cd'.repeat(32) }];
    const leaves = leafBytes(e);
    const b = new ManifestBuilder(rfc6962);
    b.addHashed('b', 1, e[0]!.sha256, leaves, 0);
    expectCode(() => b.addHashed('a', 1, e[1]!.sha256, leaves, 32), 'unsorted_entries');
    expectCode(() => b.addHashed('b', 1, e[1]!.sha256, leaves, 32), 'duplicate_path');
    expectCode(() => b.addHashed('c/../d', 1, e[1]!.sha256, leaves, 32), 'path_not_normalized');
    expectCode(() => b.addHashed('e\u0301', 1, e[1]!.sha256, leaves, 32), 'path_not_normalized'); // not NFC
  });
});
