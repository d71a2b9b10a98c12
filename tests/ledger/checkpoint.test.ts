import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/ledger/index.ts';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

interface CheckpointVector {
  body: string;
  origin: string;
  size: number;
  rootHashBase64: string;
}
const kat = loadVector<CheckpointVector>('checkpoint.json');
const root = new Uint8Array(32).fill(7);

describe('checkpoint body (C2SP tlog-checkpoint)', () => {
  it('parses the example of the spec and formats it back byte for byte', () => {
    const cp = parseCheckpoint(kat.body);
    expect(cp.origin).toBe(kat.origin);
    expect(cp.size).toBe(kat.size);
    expect(toBase64(cp.rootHash)).toBe(kat.rootHashBase64);
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(kat.body);
  });

  it('round-trips with extension lines', () => {
    const cp: Checkpoint = { origin: 'datadeed.example/log', size: 0, rootHash: root, extensions: ['ext one', '— ext two'] };
    const body = formatCheckpoint(cp);
    expect(body).toBe(`datadeed.example/log\n0\n${toBase64(root)}\next one\n— ext two\n`);
    expect(parseCheckpoint(body)).toEqual(cp);
  });

  it('round-trips random checkpoints', () => {
    const line = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s) && !/\p{Cs}/u.test(s));
    fc.assert(
      fc.property(line, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(line, { maxLength: 3 }), (origin, size, rootHash, extensions) => {
        const cp = { origin, size, rootHash, extensions };
        expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
      }),
    );
  });

  it('rejects malformed bodies', () => {
    const r = toBase64(root);
    const bad = [
      `o\n1\n${r}`, // no final newline
      `o\n1\n`, // no root
      `\n1\n${r}\n`, // empty origin
      `o\n01\n${r}\n`, // leading zero
      `o\n00\n${r}\n`,
      `o\n-1\n${r}\n`,
      `o\n+1\n${r}\n`,
      `o\n 1\n${r}\n`,
      `o\n1.0\n${r}\n`,
      `o\n1e3\n${r}\n`,
      `o\n0x10\n${r}\n`,
      `o\n9007199254740992\n${r}\n`, // 2^53
      `o\n١\n${r}\n`, // non-ASCII digit
      `o\n1\n${toBase64(new Uint8Array(31))}\n`,
      `o\n1\n${toBase64(new Uint8Array(33))}\n`,
      `o\n1\n${r.slice(0, -1)}\n`,
      `o\n1\n${r.replace('=', '')}\n`,
      `o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwd=\n`, // non-canonical trailing bits
      `o\n1\n${r}\n\n`, // empty extension line
      `o\n1\n${r}\next\n\n`,
      `o\r\n1\n${r}\n`, // CR
      `o\t\n1\n${r}\n`, // control character
      `o\n1\n${r}\r\n`,
    ];
    for (const body of bad) expectCode(() => parseCheckpoint(body), 'malformed_checkpoint');
    expect(parseCheckpoint(`o\n9007199254740991\n${r}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
    expect(fromBase64(r)).toEqual(root);
  });

  it('refuses to format what would not parse back', () => {
    const ok: Checkpoint = { origin: 'o', size: 1, rootHash: root, extensions: [] };
    expectCode(() => formatCheckpoint({ ...ok, origin: '' }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, origin: 'a\nb' }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, size: -1 }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, size: 1.5 }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, size: 2 ** 53 }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, rootHash: new Uint8Array(31) }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, extensions: [''] }), 'malformed_checkpoint');
    expectCode(() => formatCheckpoint({ ...ok, extensions: ['a\nb'] }), 'malformed_checkpoint');
  });
});
