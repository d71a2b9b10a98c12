/** The log's side of C2SP tlog-witness: reading answers, merging cosignatures, resynchronising on 409. */
import { describe, expect, it } from 'vitest';
import { openNote, ed25519Verifier } from '../../src/ledger/index.ts';
import {
  cosignCheckpoint,
  decide,
  mergeCosignatures,
  parseAddCheckpointRequest,
  parseWitnessResponse,
  requestCosignature,
  splitNote,
  verifyCosignature,
  type CosignedCheckpoint,
} from '../../src/witness/index.ts';
import { LOG, ORIGIN, TestLog, verify, witnessKey } from './fixtures.ts';

const W = witnessKey('notary.test/w', 'client w');
const OTHER = witnessKey('notary.test/other', 'client other');

describe('parseWitnessResponse', () => {
  it('reads 200 signature lines, 409 sizes, and anything else as a refusal', () => {
    expect(parseWitnessResponse(200, 'text/plain', '— a/b AAAAAAE=\n— c CCCCCCCC\n')).toEqual({ kind: 'cosigned', lines: ['— a/b AAAAAAE=', '— c CCCCCCCC'] });
    expect(parseWitnessResponse(409, 'text/x.tlog.size', '1234\n')).toEqual({ kind: 'conflict', size: 1234 });
    expect(parseWitnessResponse(409, 'text/x.tlog.size; charset=utf-8', '0\n')).toEqual({ kind: 'conflict', size: 0 });
    for (const s of [400, 403, 404, 422, 500, 503]) expect(parseWitnessResponse(s, 'application/problem+json', '{}')).toEqual({ kind: 'refused', status: s });
  });

  it('refuses malformed 200 and 409 answers', () => {
    for (const [status, type, body] of [
      [200, 'text/plain', ''],
      [200, 'text/plain', '— a/b AAAAAAE='], // no newline
      [200, 'text/plain', 'a/b AAAAAAE=\n'],
      [200, 'text/plain', '— a/b AAAA\n'], // fewer than 5 bytes
      [409, 'text/plain', '12\n'],
      [409, null, '12\n'],
      [409, 'text/x.tlog.size', '12'],
      [409, 'text/x.tlog.size', '012\n'],
      [409, 'text/x.tlog.size', '-1\n'],
      [409, 'text/x.tlog.size', '99999999999999999999\n'],
    ] as const) {
      expect(() => parseWitnessResponse(status, type, body)).toThrow(expect.objectContaining({ code: 'malformed_response' }));
    }
  });
});

describe('mergeCosignatures', () => {
  it('adds valid lines of known cosigners, ignores unknown and invalid ones, replaces an older line of the same key', async () => {
    const log = new TestLog().append(6);
    const cp = await log.checkpoint();
    const old = await cosignCheckpoint(W.cosigner, log.body(), 100);
    const fresh = await cosignCheckpoint(W.cosigner, log.body(), 200);
    const stranger = await cosignCheckpoint(OTHER.cosigner, log.body(), 200);
    const wrongBody = await cosignCheckpoint(W.cosigner, new TestLog().append(7).body(), 300);
    const merged = await mergeCosignatures(cp + old, [stranger, wrongBody, fresh].map((l) => l.slice(0, -1)), [W.key], verify);
    expect(merged.added).toEqual([{ name: 'notary.test/w', timestamp: 200 }]);
    expect(merged.note).toBe(cp + fresh);
    await expect(openNote(merged.note, [ed25519Verifier(LOG.vkey)])).resolves.toBeTruthy();
    expect(await verifyCosignature(merged.note, W.key, verify)).toEqual({ status: 'valid', timestamp: 200 });
  });
});

/** A fake witness: the real decision function behind a fetch, recording requests. */
function fakeWitness(state: Map<string, CosignedCheckpoint>) {
  const requests: string[] = [];
  const fetch = async (url: string, init: { body: string }) => {
    expect(url).toBe('http://w.test/add-checkpoint');
    requests.push(init.body);
    const d = await decide(state, init.body, new Map([[ORIGIN, [LOG.vkey]]]), { cosigners: [W.cosigner], now: 1_780_000_000, verify });
    if (d.newState) state.set(ORIGIN, d.newState);
    return new Response(d.body ?? '', { status: d.status, headers: d.contentType ? { 'content-type': d.contentType } : {} });
  };
  return { fetch, requests };
}

describe('requestCosignature', () => {
  it('cosigns, and after a 409 resynchronises once with a consistency proof from the witness size', async () => {
    const state = new Map<string, CosignedCheckpoint>();
    const w = fakeWitness(state);
    const log = new TestLog().append(10);
    const base = { url: 'http://w.test/', consistencyProof: (a: number, b: number) => log.consistencyProof(a, b), cosigners: [W.key], verify, fetch: w.fetch };
    const first = await requestCosignature({ ...base, checkpoint: await log.checkpoint(), size: 10, oldSize: 0 });
    expect([first.resynchronised, first.added.length]).toEqual([false, 1]);

    // the log lost track of the witness (it believes 0): 409 "10", then old 10 with a proof
    log.append(15);
    const second = await requestCosignature({ ...base, checkpoint: await log.checkpoint(), size: 25, oldSize: 0 });
    expect(second.resynchronised).toBe(true);
    expect(w.requests).toHaveLength(3);
    const retry = parseAddCheckpointRequest(w.requests[2]!);
    expect(retry.oldSize).toBe(10);
    expect(retry.proof).toEqual(log.consistencyProof(10, 25));
    expect(splitNote(second.note)!.signatures.map((s) => s.name)).toEqual([ORIGIN, 'notary.test/w']);
    expect(state.get(ORIGIN)!.size).toBe(25);
  });

  it('reports a refusal with its status, and a witness ahead of the checkpoint as a conflict', async () => {
    const state = new Map<string, CosignedCheckpoint>();
    const w = fakeWitness(state);
    const log = new TestLog().append(10);
    const base = { url: 'http://w.test', consistencyProof: (a: number, b: number) => log.consistencyProof(a, b), cosigners: [W.key], verify, fetch: w.fetch };
    await requestCosignature({ ...base, checkpoint: await log.checkpoint(), size: 10, oldSize: 0 });
    // a checkpoint of size 6 when the witness holds 10: 409 "10", which is ahead
    await expect(requestCosignature({ ...base, checkpoint: await log.checkpoint(6), size: 6, oldSize: 0 })).rejects.toMatchObject({ code: 'witness_conflict' });
    const stranger = new TestLog('unknown.origin', [LOG.signer]).append(2);
    await expect(requestCosignature({ ...base, checkpoint: await stranger.checkpoint(), size: 2, oldSize: 0 })).rejects.toMatchObject({
      code: 'witness_refused',
      message: 'witness answered 404',
    });
  });

  it('refuses a 200 without a valid cosignature by the expected key', async () => {
    const log = new TestLog().append(3);
    const line = await cosignCheckpoint(OTHER.cosigner, log.body(), 5);
    const fetch = async () => new Response(line, { status: 200 });
    await expect(
      requestCosignature({ url: 'http://w.test', checkpoint: await log.checkpoint(), size: 3, oldSize: 0, consistencyProof: () => [], cosigners: [W.key], verify, fetch }),
    ).rejects.toMatchObject({ code: 'no_valid_cosignature' });
  });
});
