/**
 * The pure replay (src/state/replay.ts) on hand-written logs: a known history replays to
 * the state docs/log-format.md says it means (records written out here by hand, leaf and
 * record hashes recomputed with node:crypto); every rule a log can break is an anomaly
 * named with its index; replay continues from a prior state without changing it; unknown
 * kinds are ignored; strict replay asks for the members new entries must carry.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeEntry, type LogEvent } from '../../src/ledger/index.ts';
import {
  applyEntry,
  certificateStatusRecord,
  earliestDepositRecord,
  emptyState,
  recordHash,
  replay,
  StateError,
  type ReplayEntry,
} from '../../src/state/index.ts';
import { makeUscc } from '../helpers/registry.ts';

const T0 = Date.parse('2026-01-15T08:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const hex = (c: string) => c.repeat(64);
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const KEY = '1a2b3c4d';
const A = uuid(1); // enterprise, the applicant
const B = uuid(2); // bank
const C = uuid(3); // enterprise, the buyer
const R = uuid(4); // the reviewer (user id)
const INS = uuid(5); // insurer
const APP = uuid(10);
const OBJ = uuid(11);
const P1 = uuid(12);
const LIC = uuid(13);
const USCC_A = makeUscc(101);
const USCC_C = makeUscc(303);
const D = sha('the dataset manifest');

/** A log being written by hand: events in, entries (index, bytes) out. */
class HandLog {
  readonly entries: ReplayEntry[] = [];
  add(event: Omit<LogEvent, 'time'> & { time?: string }, time?: number): number {
    const index = this.entries.length;
    this.entries.push({ index, data: encodeEntry({ time: at(time ?? index * 60_000), ...event } as LogEvent) });
    return index;
  }
  raw(data: Uint8Array): number {
    this.entries.push({ index: this.entries.length, data });
    return this.entries.length - 1;
  }
}

const issuedFields = (number: string, over: Record<string, unknown> = {}) => ({
  kind: 'certificate.issued',
  number,
  version: 1,
  holderUscc: USCC_A,
  manifestRoot: D,
  files: 3,
  bytes: 1048576,
  validFrom: at(12 * DAY),
  validUntil: at(12 * DAY + 3 * 365 * DAY),
  keyId: KEY,
  payloadDigest: hex('d'),
  ...over,
});

/** The story of the module comment: organisations, deposits, an application through notice and objection, issuance, pledge, licence, release, transfer, revocation. */
function story(): { log: HandLog; n: Record<string, number> } {
  const log = new HandLog();
  const n: Record<string, number> = {};
  n.key = log.add({ kind: 'key.added', purpose: 'certificate', keyId: KEY, vkey: 'example/certificate+1a2b3c4d+AQ==', publicKey: hex('e') });
  n.orgA = log.add({ kind: 'organisation.registered', orgId: A, orgKind: 'enterprise', uscc: USCC_A, nameHash: sha('A Co.') });
  n.orgB = log.add({ kind: 'organisation.registered', orgId: B, orgKind: 'bank', nameHash: sha('B Bank') });
  n.orgC = log.add({ kind: 'organisation.registered', orgId: C, orgKind: 'enterprise', uscc: USCC_C, nameHash: sha('C Co.') });
  n.orgI = log.add({ kind: 'organisation.registered', orgId: INS, orgKind: 'insurer', nameHash: sha('I Ins.') });
  n.dep1 = log.add({ kind: 'evidence.deposited', depositId: 'EV-2026-00000001', depositor: A, digest: D, evidenceKind: 'manifest' });
  n.dep2 = log.add({ kind: 'evidence.deposited', depositId: 'EV-2026-00000002', depositor: C, digest: D, evidenceKind: 'file' });
  n.sub = log.add({ kind: 'application.submitted', applicationId: APP, applicant: A, applicationKind: 'initial', version: 1, digest: hex('1') });
  n.claim = log.add({ kind: 'review.claimed', applicationId: APP, version: 1, reviewer: R });
  n.notice = log.add({ kind: 'notice.opened', applicationId: APP, version: 1, reviewer: R, noticeEndsAt: at(10 * DAY) });
  n.obj = log.add({ kind: 'objection.filed', applicationId: APP, objectionId: OBJ, groundsHash: hex('2') }, 2 * DAY);
  n.dismiss = log.add({ kind: 'objection.dismissed', applicationId: APP, objectionId: OBJ, reasonHash: hex('3'), reviewer: R, noticeEndsAt: at(12 * DAY) }, 2 * DAY);
  n.approve = log.add({ kind: 'application.approved', applicationId: APP, version: 1, digest: hex('1') }, 12 * DAY);
  n.issue = log.add(
    { ...issuedFields('DIP-2026-000001', { depositId: 'EV-2026-00000001' }), basis: 'initial', applicationId: APP, approval: n.approve, deposits: [n.dep1] },
    12 * DAY,
  );
  n.request = log.add(
    { kind: 'pledge.requested', pledgeId: P1, number: 'DIP-2026-000001', pledgee: B, amountCommitment: hex('4'), currency: 'CNY', termStart: '2026-02-01', termEnd: '2027-02-01' },
    13 * DAY,
  );
  n.pledge = log.add(
    {
      kind: 'pledge.recorded',
      pledgeNumber: 'PLG-2026-000001',
      pledgeId: P1,
      number: 'DIP-2026-000001',
      leafHash: 'LEAF',
      pledgee: B,
      amountCommitment: hex('4'),
      currency: 'CNY',
      termStart: '2026-02-01',
      termEnd: '2027-02-01',
      prev: n.issue,
    },
    14 * DAY,
  );
  n.licence = log.add(
    { kind: 'licence.recorded', number: 'DIP-2026-000001', leafHash: 'LEAF', licenceId: LIC, exclusive: true, termStart: '2026-03-01', termEnd: '2026-12-31', scopeHash: hex('5'), prev: n.pledge },
    15 * DAY,
  );
  n.release = log.add({ kind: 'pledge.released', pledgeNumber: 'PLG-2026-000001', number: 'DIP-2026-000001', pledgee: B, prev: n.licence }, 16 * DAY);
  n.transfer = log.add(
    {
      ...issuedFields('DIP-2026-000002', { version: 2, holderUscc: USCC_C, supersedes: 'DIP-2026-000001', validFrom: at(17 * DAY) }),
      basis: 'transfer',
      deposits: [],
      prev: n.release,
    },
    17 * DAY,
  );
  n.revoke = log.add({ kind: 'certificate.revoked', number: 'DIP-2026-000002', leafHash: 'LEAF2', reasonHash: hex('6'), reviewer: R, prev: n.transfer }, 18 * DAY);
  return { log, n };
}

/** The story with the leaf hashes filled in (they depend on the issued entries' bytes). */
function storyLog(): { log: HandLog; n: Record<string, number>; leaf1: string; leaf2: string } {
  const first = story();
  const leafOf = (i: number) => sha(Buffer.concat([Buffer.from([0]), first.log.entries[i]!.data]));
  const leaf1 = leafOf(first.n.issue!);
  const leaf2 = leafOf(first.n.transfer!);
  const log = new HandLog();
  for (const e of first.log.entries) {
    const text = Buffer.from(e.data).toString('utf8').replace('"LEAF"', `"${leaf1}"`).replace('"LEAF2"', `"${leaf2}"`);
    log.raw(new TextEncoder().encode(text));
  }
  return { log, n: first.n, leaf1, leaf2 };
}

describe('replay: a known history', () => {
  const { log, n, leaf1, leaf2 } = storyLog();
  const s = replay(log.entries);

  it('has no anomaly and ignores nothing', () => {
    expect(s.anomalies).toEqual([]);
    expect(s.ignored).toBe(0);
    expect(s.size).toBe(log.entries.length);
    expect(s.lastTime).toBe(at(18 * DAY));
  });

  it('organisations, keys and deposits; the earliest deposit of a digest is the first', () => {
    expect(s.organisations.get(A)).toEqual({ id: A, kind: 'enterprise', uscc: USCC_A, nameHash: sha('A Co.'), index: n.orgA });
    expect(s.organisations.get(B)).toEqual({ id: B, kind: 'bank', uscc: null, nameHash: sha('B Bank'), index: n.orgB });
    expect(s.orgByUscc.get(USCC_C)).toBe(C);
    expect(s.keys.get(KEY)).toMatchObject({ purpose: 'certificate', addedIndex: 0, validFrom: at(0), retiredIndex: null });
    expect(s.deposits.get('EV-2026-00000002')).toEqual({ id: 'EV-2026-00000002', depositor: C, digest: D, kind: 'file', previous: null, index: n.dep2, time: at(n.dep2! * 60_000) });
    expect(s.earliest.get(D)).toBe('EV-2026-00000001');
    expect(earliestDepositRecord(s, D)).toEqual({ digest: D, depositId: 'EV-2026-00000001', depositor: A, index: n.dep1, time: at(n.dep1! * 60_000) });
    expect(earliestDepositRecord(s, hex('0'))).toBeUndefined();
  });

  it('the application: approved, issued, its last entry the issuance', () => {
    expect(s.applications.get(APP)).toEqual({
      id: APP,
      kind: 'initial',
      applicant: A,
      state: 'approved',
      version: 1,
      digest: hex('1'),
      certificate: null,
      issued: 'DIP-2026-000001',
      claimedBy: R,
      noticeEndsAt: at(12 * DAY),
      openObjections: 0,
      approval: n.approve,
      lastEvent: n.issue,
      industry: null, // not logged by this (older) submission
      submittedAt: at(n.sub! * 60_000),
    });
    expect(s.objections.get(OBJ)).toMatchObject({ state: 'dismissed', index: n.obj, decidedIndex: n.dismiss });
  });

  it('the certificates: superseded by the transfer, the successor revoked, each with its last event', () => {
    expect(s.certificates.get('DIP-2026-000001')).toMatchObject({
      status: 'superseded',
      holder: A,
      holderUscc: USCC_A,
      supersededBy: 'DIP-2026-000002',
      leafHash: leaf1,
      issuedIndex: n.issue,
      basis: 'initial',
      applicationId: APP,
      depositId: 'EV-2026-00000001',
      pledges: [],
      licences: [LIC],
      policies: [],
      lastEvent: n.transfer,
      statusIndex: n.transfer,
    });
    expect(s.certificates.get('DIP-2026-000002')).toMatchObject({
      version: 2,
      status: 'revoked',
      holder: C,
      holderUscc: USCC_C,
      supersedes: 'DIP-2026-000001',
      leafHash: leaf2,
      basis: 'transfer',
      applicationId: null,
      lastEvent: n.revoke,
      statusIndex: n.revoke,
      reasonHash: hex('6'),
    });
    expect(s.pledges.get('PLG-2026-000001')).toMatchObject({ state: 'released', certificate: 'DIP-2026-000001', pledgee: B, pledgeId: P1, recordedIndex: n.pledge, releasedIndex: n.release });
    expect(s.pledgeRequests.get(P1)).toMatchObject({ state: 'released', pledgeNumber: 'PLG-2026-000001' });
    expect(s.licences.get(LIC)).toMatchObject({ certificate: 'DIP-2026-000001', exclusive: true, index: n.licence });
  });

  it('status records and their hashes (canonical JSON written out by hand)', () => {
    const record = certificateStatusRecord(s, 'DIP-2026-000002')!;
    expect(record).toEqual({
      number: 'DIP-2026-000002',
      status: 'revoked',
      version: 2,
      holderUscc: USCC_C,
      validUntil: at(12 * DAY + 3 * 365 * DAY),
      supersededBy: null,
      pledges: [],
      licences: 0,
      policies: 0,
      lastEvent: n.revoke,
    });
    const text =
      `{"holderUscc":"${USCC_C}","lastEvent":${n.revoke},"licences":0,"number":"DIP-2026-000002","pledges":[],"policies":0,` +
      `"status":"revoked","supersededBy":null,"validUntil":"${at(12 * DAY + 3 * 365 * DAY)}","version":2}`;
    expect(recordHash(record)).toBe(sha(text));
    expect(certificateStatusRecord(s, 'DIP-2026-000009')).toBeUndefined();
  });

  it('the state while pledged (replayed up to the licence)', () => {
    const mid = replay(log.entries.slice(0, n.licence! + 1));
    expect(certificateStatusRecord(mid, 'DIP-2026-000001')).toEqual({
      number: 'DIP-2026-000001',
      status: 'pledged',
      version: 1,
      holderUscc: USCC_A,
      validUntil: at(12 * DAY + 3 * 365 * DAY),
      supersededBy: null,
      pledges: [{ pledgeNumber: 'PLG-2026-000001', pledgee: B, termStart: '2026-02-01', termEnd: '2027-02-01' }],
      licences: 1,
      policies: 0,
      lastEvent: n.licence,
    });
  });

  it('continues from a prior state without changing it; the same state either way', () => {
    const cut = n.pledge! + 1;
    const first = replay(log.entries.slice(0, cut));
    const before = JSON.stringify([...first.certificates.entries()]);
    const rest = replay(log.entries.slice(cut), first);
    expect(JSON.stringify([...first.certificates.entries()])).toBe(before);
    expect(first.size).toBe(cut);
    expect(first.certificates.get('DIP-2026-000001')!.status).toBe('pledged');
    const sorted = (t: { entries(): IterableIterator<[string, unknown]> }) => [...t.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const t of ['organisations', 'applications', 'certificates', 'pledges', 'pledgeRequests', 'licences', 'deposits', 'earliest', 'keys'] as const)
      expect(sorted(rest[t] as never), t).toEqual(sorted(s[t] as never));
    // many small steps (layers flatten as they deepen)
    let step = replay([]);
    for (const e of log.entries) step = replay([e], step);
    expect(sorted(step.certificates as never)).toEqual(sorted(s.certificates as never));
    expect(step.anomalies).toEqual([]);
  });

  it('refuses entries out of order', () => {
    const st = emptyState();
    expect(() => applyEntry(st, log.entries[1]!)).toThrow(StateError);
    try {
      applyEntry(st, log.entries[1]!);
    } catch (e) {
      expect((e as StateError).code).toBe('replay_out_of_order');
    }
  });
});

describe('replay: anomalies', () => {
  /** The story up to (and including) entry `upTo`, then `extra` events. */
  function variant(upTo: string, extra: (log: HandLog, n: Record<string, number>, leaf1: string) => void) {
    const { log: full, n, leaf1 } = storyLog();
    const log = new HandLog();
    for (const e of full.entries.slice(0, n[upTo]! + 1)) log.raw(e.data);
    extra(log, n, leaf1);
    return { s: replay(log.entries), last: log.entries.length - 1, n };
  }

  it('a transfer of a pledged certificate', () => {
    const { s, last } = variant('pledge', (log, n) =>
      log.add({ ...issuedFields('DIP-2026-000002', { version: 2, holderUscc: USCC_C, supersedes: 'DIP-2026-000001', validFrom: at(17 * DAY) }), basis: 'transfer', deposits: [], prev: n.pledge }, 17 * DAY),
    );
    expect(s.anomalies).toEqual([{ index: last, code: 'illegal_transition', message: expect.stringMatching(/DIP-2026-000001 is pledged .*cannot be transferred/) }]);
  });

  it('a prev that is not the last event, and a wrong leafHash', () => {
    const { s, last } = variant('pledge', (log, n, leaf1) =>
      log.add({ kind: 'certificate.cancelled', number: 'DIP-2026-000001', leafHash: hex('0'), prev: n.issue }, 20 * DAY),
    );
    expect(s.anomalies.map((a) => [a.index, a.code])).toEqual([
      [last, 'chain_broken'],
      [last, 'chain_broken'],
      [last, 'illegal_transition'], // and a pledged certificate cannot be cancelled
    ]);
  });

  it('a second pledge without the first pledgee’s consent', () => {
    const { s, last } = variant('pledge', (log, _n, leaf1) =>
      log.add(
        { kind: 'pledge.recorded', pledgeNumber: 'PLG-2026-000002', number: 'DIP-2026-000001', leafHash: leaf1, pledgee: B, amountCommitment: hex('7'), currency: 'CNY', termStart: '2026-02-01', termEnd: '2027-02-01', prev: 15 },
        20 * DAY,
      ),
    );
    expect(s.anomalies).toEqual([{ index: last, code: 'illegal_transition', message: expect.stringMatching(/already pledged/) }]);
  });

  it('an approval before the notice ended, and an issuance whose deposit is of another digest', () => {
    const { s, n } = variant('dismiss', (log, n) => {
      log.add({ kind: 'application.approved', applicationId: APP, version: 1, digest: hex('1') }, 11 * DAY);
      log.add({ ...issuedFields('DIP-2026-000001', { manifestRoot: hex('9') }), basis: 'initial', applicationId: APP, approval: n.dismiss! + 1, deposits: [n.dep1] }, 11 * DAY);
    });
    expect(s.anomalies.map((a) => [a.index - n.dismiss!, a.code])).toEqual([
      [1, 'illegal_transition'],
      [2, 'link_mismatch'],
    ]);
  });

  it('a time before the previous entry’s', () => {
    const { s, last } = variant('dep2', (log) => log.add({ kind: 'test.other', x: 1 }, 0));
    expect(s.anomalies).toEqual([{ index: last, code: 'time_went_back', message: expect.stringContaining('before the previous entry') }]);
    expect(s.ignored).toBe(1);
    expect(s.lastTime).toBe(at(6 * 60_000)); // the clamp stays at the newest time
  });

  it('references to what the log does not have; duplicates', () => {
    const { s, last } = variant('dep2', (log) => {
      log.add({ kind: 'evidence.deposited', depositId: 'EV-2026-00000003', depositor: uuid(99), digest: D, evidenceKind: 'file' });
      log.add({ kind: 'evidence.deposited', depositId: 'EV-2026-00000001', depositor: A, digest: D, evidenceKind: 'file' });
      log.add({ kind: 'certificate.expired', number: 'DIP-2026-000077', leafHash: hex('0') });
    });
    expect(s.anomalies.map((a) => [last - a.index, a.code])).toEqual([
      [2, 'unknown_reference'],
      [1, 'duplicate'],
      [0, 'unknown_reference'],
    ]);
    expect(s.deposits.get('EV-2026-00000001')!.depositor).toBe(A); // the duplicate was skipped
  });

  it('malformed and non-canonical entries; wrongly typed members', () => {
    const { s, last } = variant('dep2', (log) => {
      log.raw(new TextEncoder().encode('{"v":1, "kind":"test.x","time":"2026-01-15T09:00:00.000Z"}'));
      log.raw(new TextEncoder().encode('not json'));
      log.add({ kind: 'evidence.deposited', depositId: 'EV-2026-00000004', depositor: A, digest: 'ABC', evidenceKind: 'file' });
    });
    expect(s.anomalies.map((a) => [last - a.index, a.code])).toEqual([
      [2, 'malformed_entry'],
      [1, 'malformed_entry'],
      [0, 'invalid_entry'],
    ]);
    expect(s.deposits.has('EV-2026-00000004')).toBe(false);
  });

  it('strict replay asks for the members new entries carry; lenient replay accepts older entries without them', () => {
    const { log, n } = storyLog();
    const old = new HandLog();
    for (const e of log.entries.slice(0, n.issue!)) old.raw(e.data);
    old.add(issuedFields('DIP-2026-000001', { depositId: 'EV-2026-00000001' }), 12 * DAY); // no links
    expect(replay(old.entries).anomalies).toEqual([]);
    expect(replay(old.entries).certificates.get('DIP-2026-000001')!.basis).toBe('initial');
    const strict = replay(old.entries, undefined, { strict: true });
    expect(strict.anomalies.filter((a) => a.code === 'missing_link').map((a) => a.message)).toEqual([
      'certificate.issued without basis',
      'certificate.issued without applicationId',
      'certificate.issued without deposits',
    ]);
  });
});

describe('replay runs in a browser', () => {
  it('bundles for the browser platform with no Node built-in', async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [new URL('../../src/state/index.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(out.errors).toEqual([]);
    expect(out.outputFiles[0]!.text).not.toMatch(/from\s*["']node:/);
  });
});
