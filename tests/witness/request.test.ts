/** The add-checkpoint body (C2SP tlog-witness §add-checkpoint): format, parse, bounds. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/ledger/index.ts';
import { MAX_PROOF_LINES, MAX_REQUEST_BYTES, formatAddCheckpointRequest, parseAddCheckpointRequest } from '../../src/witness/index.ts';
import { TestLog } from './fixtures.ts';

describe('add-checkpoint request body', () => {
  it('formats the layout of the spec: old line, proof lines, blank line, checkpoint', async () => {
    const log = new TestLog().append(20);
    const cp = await log.checkpoint();
    const proof = log.consistencyProof(13);
    const body = formatAddCheckpointRequest({ oldSize: 13, proof, checkpoint: cp });
    expect(body).toBe(`old 13\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${cp}`);
    expect(parseAddCheckpointRequest(body)).toEqual({ oldSize: 13, proof, checkpoint: cp });
  });

  it('round-trips any old size and up to 63 proof hashes', async () => {
    const cp = await new TestLog().append(1).checkpoint();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: MAX_PROOF_LINES }), (oldSize, proof) => {
        const req = { oldSize, proof, checkpoint: cp };
        expect(parseAddCheckpointRequest(formatAddCheckpointRequest(req))).toEqual(req);
      }),
    );
  });

  it('refuses to format what would not parse', async () => {
    const cp = await new TestLog().append(1).checkpoint();
    const h = new Uint8Array(32);
    for (const bad of [
      { oldSize: -1, proof: [], checkpoint: cp },
      { oldSize: 0.5, proof: [], checkpoint: cp },
      { oldSize: 0, proof: Array(64).fill(h), checkpoint: cp },
      { oldSize: 0, proof: [new Uint8Array(33)], checkpoint: cp },
      { oldSize: 0, proof: [], checkpoint: '' },
      { oldSize: 0, proof: [], checkpoint: `${'x'.repeat(MAX_REQUEST_BYTES)}\n` },
    ]) {
      expect(() => formatAddCheckpointRequest(bad)).toThrow(expect.objectContaining({ code: 'malformed_request' }));
    }
  });

  it('accepts exactly 63 proof lines and exactly the size limit', async () => {
    const cp = await new TestLog().append(1).checkpoint();
    const h = toBase64(new Uint8Array(32));
    expect(parseAddCheckpointRequest(`old 0\n${`${h}\n`.repeat(63)}\n${cp}`).proof).toHaveLength(63);
    const head = 'old 0\n\n';
    const filler = MAX_REQUEST_BYTES - Buffer.byteLength(head + cp);
    const atLimit = `${head}${cp.slice(0, -1)}${'x'.repeat(filler)}\n`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_REQUEST_BYTES);
    expect(() => parseAddCheckpointRequest(atLimit)).not.toThrow();
    const multiByte = `${head}${cp.slice(0, -1)}${'é'.repeat(filler)}\n`; // fewer UTF-16 units than bytes
    expect(() => parseAddCheckpointRequest(multiByte)).toThrow(expect.objectContaining({ code: 'malformed_request' }));
  });
});
