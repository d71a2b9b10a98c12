/**
 * The witness decision function, status by status, against C2SP tlog-witness
 * §add-checkpoint (404 unknown origin, 403 no trusted signature, 400 malformed or old >
 * size, 409 `text/x.tlog.size`, 422 bad proof / same size with another root / bad empty
 * root, 200 with a cosignature line).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openNote, parseCheckpoint, signNote, toBase64, formatCheckpoint, ed25519Verifier } from '../../src/ledger/index.ts';
import { decide, parseCosignerKey, splitNote, verifyCosignature, type CosignedCheckpoint, type DecideDeps } from '../../src/witness/index.ts';
import { LOG, ORIGIN, TestLog, logKey, requestBody, verify, witnessKey } from './fixtures.ts';

const W1 = witnessKey('notary.test/w1', 'w1');
const NOW = 1_780_000_000;
const deps: DecideDeps = { cosigners: [W1.cosigner], now: NOW, verify };
const trusted = new Map([[ORIGIN, [LOG.vkey]]]);
const none = new Map<string, CosignedCheckpoint>();

async function cosignedAt(log: TestLog, size: number): Promise<Map<string, CosignedCheckpoint>> {
  const d = await decide(none, requestBody(0, [], await log.checkpoint(size)), trusted, { ...deps, now: NOW - 100 });
  expect(d.status).toBe(200);
  return new Map([[ORIGIN, d.newState!]]);
}

describe('200: cosigning', () => {
  it('cosigns a first checkpoint (old 0, no proof) with one timestamped cosignature line and records it', async () => {
    const log = new TestLog().append(10);
    const cp = await log.checkpoint();
    const d = await decide(none, requestBody(0, [], cp), trusted, deps);
    expect(d.status).toBe(200);
    expect(d.contentType).toMatch(/^text\/plain/);
    expect(d.body).toMatch(/^— notary\.test\/w1 [A-Za-z0-9+/]+=*\n$/);
    expect(d.evidence).toBeUndefined();
    const s = d.newState!;
    expect([s.origin, s.size, toBase64(s.rootHash), s.timestamp]).toEqual([ORIGIN, 10, toBase64(log.root()), NOW]);
    // the state's note: the body, the verified log signature, the cosignature — all valid
    expect(s.note).toBe(`${log.body()}\n${cp.slice(cp.lastIndexOf('\n\n') + 2)}${d.body}`);
    await expect(openNote(s.note, [ed25519Verifier(LOG.vkey)])).resolves.toMatchObject({ verified: [{ name: ORIGIN }] });
    expect(await verifyCosignature(s.note, parseCosignerKey(W1.vkey), verify)).toEqual({ status: 'valid', timestamp: NOW });
  });

  it('cosigns a larger checkpoint with a consistency proof from the latest cosigned size', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    log.append(13);
    for (const [old, size] of [[10, 23]]) {
      const d = await decide(state, requestBody(old!, log.consistencyProof(old!, size), await log.checkpoint(size)), trusted, deps);
      expect(d.status).toBe(200);
      expect(d.newState!.size).toBe(size);
    }
  });

  it('cosigns the same checkpoint again (old = size, same root, empty proof)', async () => {
    const log = new TestLog().append(7);
    const state = await cosignedAt(log, 7);
    const d = await decide(state, requestBody(7, [], await log.checkpoint()), trusted, deps);
    expect(d.status).toBe(200);
    expect(d.newState!.timestamp).toBe(NOW);
  });

  it('cosigns the empty tree (size 0, root SHA-256(""))', async () => {
    const d = await decide(none, requestBody(0, [], await new TestLog().checkpoint(0)), trusted, deps);
    expect(d.status).toBe(200);
    expect(d.newState!.size).toBe(0);
  });

  it('ignores signatures by unknown keys (another witness) and keeps only the verified log signature', async () => {
    const log = new TestLog().append(3);
    const other = logKey('someone.else/key', 'other');
    const cp = await signNote(log.body(), [other.signer, LOG.signer]);
    const d = await decide(none, requestBody(0, [], cp), trusted, deps);
    expect(d.status).toBe(200);
    const parts = splitNote(d.newState!.note)!;
    expect(parts.signatures.map((s) => s.name)).toEqual([ORIGIN, 'notary.test/w1']);
  });

  it('accepts any of several trusted keys of one origin (rotation)', async () => {
    const newer = logKey(ORIGIN, 'log 2');
    const log = new TestLog(ORIGIN, [newer.signer]).append(4);
    const d = await decide(none, requestBody(0, [], await log.checkpoint()), new Map([[ORIGIN, [LOG.vkey, newer.vkey]]]), deps);
    expect(d.status).toBe(200);
  });

  it('signs with every cosigner key of the witness, one line each', async () => {
    const W2 = witnessKey('notary.test/w1-b', 'w1-b');
    const d = await decide(none, requestBody(0, [], await new TestLog().append(2).checkpoint()), trusted, { ...deps, cosigners: [W1.cosigner, W2.cosigner] });
    expect(d.status).toBe(200);
    expect(d.body!.split('\n').filter(Boolean)).toHaveLength(2);
    expect(await verifyCosignature(d.newState!.note, W2.key, verify)).toEqual({ status: 'valid', timestamp: NOW });
  });
});

describe('400: malformed requests, and old size above the checkpoint size', () => {
  it('refuses bodies that do not follow the add-checkpoint format', async () => {
    const log = new TestLog().append(4);
    const cp = await log.checkpoint();
    const h = toBase64(new Uint8Array(32));
    const bad = [
      '',
      cp,
      `old 0\n${cp}`, // no blank line before the checkpoint
      `old 00\n\n${cp}`,
      `old -1\n\n${cp}`,
      `old 1.0\n\n${cp}`,
      `old  0\n\n${cp}`,
      `Old 0\n\n${cp}`,
      `old 9007199254740992\n\n${cp}`,
      `old 0\nnot base64!\n\n${cp}`,
      `old 0\n${toBase64(new Uint8Array(31))}\n\n${cp}`, // not a 32-byte hash
      `old 0\n${`${h}\n`.repeat(64)}\n${cp}`, // 64 proof lines
      `old 0\n\n`, // no checkpoint
      `old 0\n\n${log.body()}`, // a checkpoint without signatures
      `old 0\n\n${cp.slice(0, -1)}`, // no final newline
      `old 0\n\n${cp.replace('\n4\n', '\n04\n')}`, // checkpoint body does not parse
      `old 0\n\n${cp}— ${ORIGIN}\n`, // malformed signature line
      `old 0\n\n${cp}${'x'.repeat(70_000)}\n`, // too large
    ];
    for (const body of bad) {
      const d = await decide(none, body, trusted, deps);
      expect([body.slice(0, 40), d.status, d.code]).toEqual([body.slice(0, 40), 400, 'malformed_request']);
      expect(d.newState).toBeUndefined();
    }
  });

  it('refuses bytes that are not UTF-8', async () => {
    const bytes = new Uint8Array([...Buffer.from('old 0\n\n'), 0xff, 0xfe, 0x0a]);
    expect((await decide(none, bytes, trusted, deps)).status).toBe(400);
  });

  it('refuses old > checkpoint size with 400 (after checking the signature)', async () => {
    const log = new TestLog().append(5);
    const d = await decide(none, requestBody(6, [], await log.checkpoint()), trusted, deps);
    expect([d.status, d.code]).toEqual([400, 'old_size_too_large']);
  });
});

describe('404: unknown origin', () => {
  it('refuses a checkpoint of a log it does not know, even if validly signed', async () => {
    const other = logKey('other.log/v1', 'other log');
    const log = new TestLog('other.log/v1', [other.signer]).append(3);
    const d = await decide(none, requestBody(0, [], await log.checkpoint()), trusted, deps);
    expect([d.status, d.code]).toEqual([404, 'unknown_origin']);
  });

  it('answers 404 before 403: an unknown origin with a key the witness trusts for another origin', async () => {
    const log = new TestLog('renamed.log/v1', [LOG.signer]).append(3);
    expect((await decide(none, requestBody(0, [], await log.checkpoint()), trusted, deps)).status).toBe(404);
  });
});

describe('403: no valid signature by a trusted key of the origin', () => {
  it('refuses a checkpoint signed only by an unknown key with the right origin', async () => {
    const impostor = logKey(ORIGIN, 'impostor');
    const log = new TestLog(ORIGIN, [impostor.signer]).append(3);
    const d = await decide(none, requestBody(0, [], await log.checkpoint()), trusted, deps);
    expect([d.status, d.code]).toEqual([403, 'unverified_checkpoint']);
  });

  it('refuses a checkpoint whose trusted signature line does not verify', async () => {
    const log = new TestLog().append(3);
    const cp = await log.checkpoint();
    const parts = splitNote(cp)!;
    const sig = Buffer.from(parts.signatures[0]!.line.split(' ')[2]!, 'base64');
    sig[10]! ^= 1;
    const tampered = `${parts.text}\n— ${ORIGIN} ${sig.toString('base64')}\n`;
    expect((await decide(none, requestBody(0, [], tampered), trusted, deps)).status).toBe(403);
    // the signature of another body under the right key
    const moved = `${log.body(2)}\n${cp.slice(cp.lastIndexOf('\n\n') + 2)}`;
    expect((await decide(none, requestBody(0, [], moved), trusted, deps)).status).toBe(403);
  });
});

describe('409: old size is not the latest cosigned size', () => {
  it('answers the latest cosigned size as text/x.tlog.size', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    log.append(10);
    const d = await decide(state, requestBody(5, log.consistencyProof(5), await log.checkpoint()), trusted, deps);
    expect(d).toEqual({ status: 409, code: 'old_size_mismatch', contentType: 'text/x.tlog.size', body: '10\n' });
  });

  it('answers 0 when it never cosigned the log', async () => {
    const log = new TestLog().append(10);
    const d = await decide(none, requestBody(4, log.consistencyProof(4), await log.checkpoint()), trusted, deps);
    expect([d.status, d.body, d.contentType]).toEqual([409, '0\n', 'text/x.tlog.size']);
  });

  it('refuses a rollback: a smaller checkpoint is 409 (old = its size) or 400 (old = latest > size)', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    const smaller = await log.checkpoint(6);
    const a = await decide(state, requestBody(6, [], smaller), trusted, deps);
    expect([a.status, a.body]).toEqual([409, '10\n']);
    const b = await decide(state, requestBody(10, [], smaller), trusted, deps);
    expect([b.status, b.code]).toEqual([400, 'old_size_too_large']);
    expect(a.newState ?? b.newState).toBeUndefined();
  });
});

describe('422: inconsistent checkpoints, with the evidence to keep', () => {
  it('refuses the same size with another root (a fork) and returns both signed checkpoints', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    const fork = new TestLog(ORIGIN, [LOG.signer], 'fork').append(10);
    const body = requestBody(10, [], await fork.checkpoint());
    const d = await decide(state, body, trusted, deps);
    expect([d.status, d.code]).toEqual([422, 'fork']);
    expect(d.newState).toBeUndefined();
    expect(d.evidence).toEqual({ origin: ORIGIN, kind: 'fork', submitted: body, cosigned: state.get(ORIGIN)!.note });
    // both are checkpoints of size 10 signed by the log's key, with different roots
    const roots = [d.evidence!.cosigned!, body.slice(body.indexOf('\n\n') + 2)].map(async (n) => {
      const opened = await openNote(n, [ed25519Verifier(LOG.vkey)]);
      return parseCheckpoint(opened.text);
    });
    const [a, b] = await Promise.all(roots);
    expect(a!.size).toBe(b!.size);
    expect(toBase64(a!.rootHash)).not.toBe(toBase64(b!.rootHash));
  });

  it('refuses a larger checkpoint of a forked history (its proof does not lead from the cosigned root)', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    const fork = new TestLog(ORIGIN, [LOG.signer], 'fork').append(20);
    const d = await decide(state, requestBody(10, fork.consistencyProof(10), await fork.checkpoint()), trusted, deps);
    expect([d.status, d.code, d.evidence?.kind]).toEqual([422, 'inconsistent', 'inconsistent']);
  });

  it('refuses a proof with a flipped bit, a missing or an extra hash', async () => {
    const log = new TestLog().append(10);
    const state = await cosignedAt(log, 10);
    log.append(11);
    const proof = log.consistencyProof(10);
    const flipped = proof.map((h) => h.slice());
    flipped[1]![0]! ^= 0x80;
    for (const p of [flipped, proof.slice(1), [...proof, proof[0]!], []]) {
      const d = await decide(state, requestBody(10, p, await log.checkpoint()), trusted, deps);
      expect([d.status, d.code]).toEqual([422, 'inconsistent']);
    }
  });

  it('refuses a non-empty proof at old size 0 or when old = size', async () => {
    const log = new TestLog().append(8);
    const h = log.root(4);
    expect((await decide(none, requestBody(0, [h], await log.checkpoint()), trusted, deps)).status).toBe(422);
    const state = await cosignedAt(log, 8);
    expect((await decide(state, requestBody(8, [h], await log.checkpoint()), trusted, deps)).status).toBe(422);
  });

  it('refuses size 0 with a root other than the empty-tree hash', async () => {
    const cp = await signNote(formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32).fill(1), extensions: [] }), [LOG.signer]);
    const d = await decide(none, requestBody(0, [], cp), trusted, deps);
    expect([d.status, d.code]).toEqual([422, 'bad_empty_root']);
    expect(d.evidence).toMatchObject({ kind: 'bad_empty_root', origin: ORIGIN });
    expect(d.evidence!.cosigned).toBeUndefined();
  });
});

describe('the clock', () => {
  it('does not cosign with a timestamp before its latest cosignature of the log (503)', async () => {
    const log = new TestLog().append(3);
    const state = await cosignedAt(log, 3);
    const d = await decide(state, requestBody(3, [], await log.checkpoint()), trusted, { ...deps, now: NOW - 101 });
    expect([d.status, d.code]).toEqual([503, 'clock_behind']);
  });
});

describe('invariants under arbitrary request sequences', () => {
  it('never cosigns two roots at one size, never shrinks, and cosigns only one of two diverging histories', async () => {
    const honest = new TestLog().append(40);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.record({ fork: fc.boolean(), size: fc.integer({ min: 0, max: 40 }), old: fc.integer({ min: 0, max: 40 }), useLatest: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (forkPoint, actions) => {
          const fork = honest.forkAt(forkPoint).append(40 - forkPoint);
          const state = new Map<string, CosignedCheckpoint>();
          const cosignedRoots = new Map<number, string>();
          const histories = new Set<string>();
          let lastSize = 0;
          for (const a of actions) {
            const log = a.fork ? fork : honest;
            const latest = state.get(ORIGIN)?.size ?? 0;
            const old = a.useLatest ? Math.min(latest, a.size) : Math.min(a.old, a.size);
            const d = await decide(state, requestBody(old, log.consistencyProof(old, a.size), await log.checkpoint(a.size)), trusted, deps);
            if (d.status !== 200) {
              expect([400, 409, 422]).toContain(d.status);
              continue;
            }
            const s = d.newState!;
            expect(s.size).toBeGreaterThanOrEqual(lastSize);
            lastSize = s.size;
            const root = toBase64(s.rootHash);
            expect(cosignedRoots.get(s.size) ?? root).toBe(root);
            cosignedRoots.set(s.size, root);
            if (s.size > forkPoint) histories.add(a.fork ? 'fork' : 'honest');
            state.set(ORIGIN, s);
          }
          expect(histories.size).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });
});
