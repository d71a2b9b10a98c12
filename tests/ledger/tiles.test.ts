import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  decodeEntryBundle,
  encodeEntryBundle,
  entriesPath,
  formatTileIndex,
  parseTileIndex,
  parseTilePath,
  tileNodes,
  tilePath,
  tileWidthFor,
  type TilePath,
} from '../../src/ledger/index.ts';
import { bytesEqual } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

interface TilesVector {
  indexEncodings: { index: number; path: string }[];
  paths: ({ path: string } & TilePath)[];
  malformedPaths: { path: string; why: string }[];
  widths: { cases: { treeSize: number; level: number; index: number; width: number }[] };
}
const v = loadVector<TilesVector>('tiles.json');
const MAX_INDEX = Math.floor(Number.MAX_SAFE_INTEGER / 256);

describe('tile index encoding (C2SP tlog-tiles)', () => {
  it('constants', () => {
    expect(TILE_HEIGHT).toBe(8);
    expect(TILE_WIDTH).toBe(256);
  });
  for (const c of v.indexEncodings) {
    it(`${c.index} ↔ ${c.path}`, () => {
      expect(formatTileIndex(c.index)).toBe(c.path);
      expect(parseTileIndex(c.path)).toBe(c.index);
    });
  }
  it('round-trips any index with index·256 a safe integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INDEX }), (n) => {
        expect(parseTileIndex(formatTileIndex(n))).toBe(n);
      }),
    );
    expect(parseTileIndex(formatTileIndex(MAX_INDEX))).toBe(MAX_INDEX);
    expectCode(() => formatTileIndex(MAX_INDEX + 1), 'malformed_tile_path');
    expectCode(() => formatTileIndex(-1), 'malformed_tile_path');
    expectCode(() => formatTileIndex(1.5), 'malformed_tile_path');
  });
});

describe('tile paths', () => {
  for (const c of v.paths) {
    it(`parses ${c.path}`, () => {
      const { path, ...want } = c;
      expect(parseTilePath(path)).toEqual(want);
      const formatted = want.kind === 'hash' ? tilePath(want) : entriesPath(want.index, want.width);
      expect(formatted).toBe(path);
    });
  }
  for (const c of v.malformedPaths) {
    it(`rejects ${JSON.stringify(c.path)} (${c.why})`, () => expectCode(() => parseTilePath(c.path), 'malformed_tile_path'));
  }
  it('round-trips random tile paths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: MAX_INDEX }), fc.integer({ min: 1, max: 256 }), (level, index, width) => {
        expect(parseTilePath(tilePath({ level, index, width }))).toEqual({ kind: 'hash', level, index, width });
        expect(parseTilePath(entriesPath(index, width))).toEqual({ kind: 'entries', index, width });
      }),
    );
  });
  it('refuses to format out-of-range tiles', () => {
    expectCode(() => tilePath({ level: 64, index: 0, width: 1 }), 'malformed_tile_path');
    expectCode(() => tilePath({ level: 0, index: 0, width: 0 }), 'malformed_tile_path');
    expectCode(() => tilePath({ level: 0, index: 0, width: 257 }), 'malformed_tile_path');
    expectCode(() => entriesPath(0, 0), 'malformed_tile_path');
    expectCode(() => entriesPath(MAX_INDEX + 1, 1), 'malformed_tile_path');
  });
});

describe('tile geometry', () => {
  it('tileNodes lists the nodes at tree level 8L', () => {
    expect(tileNodes({ level: 0, index: 0, width: 3 })).toEqual([
      { level: 0, index: 0 },
      { level: 0, index: 1 },
      { level: 0, index: 2 },
    ]);
    const t = tileNodes({ level: 2, index: 5, width: 256 });
    expect(t).toHaveLength(256);
    expect(t[0]).toEqual({ level: 16, index: 1280 });
    expect(t[255]).toEqual({ level: 16, index: 1535 });
  });
  for (const c of v.widths.cases) {
    it(`tileWidthFor(level ${c.level}, index ${c.index}, size ${c.treeSize}) = ${c.width}`, () =>
      expect(tileWidthFor(c.level, c.index, c.treeSize)).toBe(c.width));
  }
  it('widths agree with floor(s / 256^l) mod 256 for the rightmost tile, across boundaries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 6 }), (size, level) => {
        const count = Math.floor(size / 256 ** level);
        const last = Math.floor(count / 256);
        expect(tileWidthFor(level, last, size)).toBe(count % 256);
        if (last > 0) expect(tileWidthFor(level, last - 1, size)).toBe(256);
        expect(tileWidthFor(level, last + 1, size)).toBe(0);
      }),
    );
    for (const size of [255, 256, 257, 511, 512, 65535, 65536, 65537]) {
      for (let level = 0; level < 3; level++) {
        let total = 0;
        for (let index = 0; tileWidthFor(level, index, size) > 0; index++) total += tileWidthFor(level, index, size);
        expect(total).toBe(Math.floor(size / 256 ** level));
      }
    }
    expectCode(() => tileWidthFor(0, 0, -1), 'invalid_tree_size');
    expectCode(() => tileWidthFor(64, 0, 1), 'malformed_tile_path');
  });
});

describe('entry bundles', () => {
  it('encodes each entry as a big-endian uint16 length and its bytes', () => {
    const bundle = encodeEntryBundle([Uint8Array.of(0xaa), new Uint8Array(0), new Uint8Array(300).fill(1)]);
    expect([...bundle.slice(0, 5)]).toEqual([0x00, 0x01, 0xaa, 0x00, 0x00]);
    expect([...bundle.slice(5, 7)]).toEqual([0x01, 0x2c]);
    expect(bundle).toHaveLength(3 + 2 + 302);
  });
  it('round-trips', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 256 }), (entries) => {
        expect(decodeEntryBundle(encodeEntryBundle(entries))).toEqual(entries);
      }),
      { numRuns: 30 },
    );
  });
  it('accepts entries up to 65,535 bytes and no larger', () => {
    const max = new Uint8Array(65535).fill(9);
    const decoded = decodeEntryBundle(encodeEntryBundle([max]));
    expect(decoded).toHaveLength(1);
    expect(bytesEqual(decoded[0]!, max)).toBe(true);
    expectCode(() => encodeEntryBundle([new Uint8Array(65536)]), 'entry_too_large');
  });
  it('rejects malformed bundles', () => {
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(0x00),
      Uint8Array.of(0x00, 0x02, 0x01),
      Uint8Array.of(0x00, 0x01, 0x01, 0x00),
      Uint8Array.of(0xff, 0xff, 0x00),
      encodeEntryBundle(Array.from({ length: 256 }, () => Uint8Array.of(1))).slice(0, -1),
    ];
    for (const b of bad) expectCode(() => decodeEntryBundle(b), 'malformed_entry_bundle');
    const tooMany = new Uint8Array(257 * 2); // 257 empty entries
    expectCode(() => decodeEntryBundle(tooMany), 'malformed_entry_bundle');
    expectCode(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(0))), 'malformed_entry_bundle');
  });
});
