/**
 * The state-root check of audit and monitors (StateRootChecker, src/state/commit.ts): a
 * checker that follows the log from its first entry maps the whole state at its first
 * commitment (no key kept before it); a checker with a map of its own keeps the keys each
 * entry changes. Both must give every committed root — here computed independently, by
 * the content-addressed node-store map (applyMapUpdates) over every key of the replayed
 * state — and name a wrong one; a checker saved before its first commitment resumes.
 */
import { describe, expect, it } from 'vitest';
import { encodeEntry, toHex, type LogEvent } from '../../src/ledger/index.ts';
import { applyEntry, emptyState, isStateCommitment, replayChecked, StateRootChecker, allStateKeys, stateMapUpdates, type RegistryState } from '../../src/state/index.ts';
import { stateCommittedEntry } from '../../src/state/commit.ts';
import { applyMapUpdates, emptyMapRoot, MemoryMap, MemoryNodeStore } from '../../src/state/map/index.ts';
import { nodeSha256, WorkerMapEngine } from '../../src/state/map/node/index.ts';

const TIME = '2026-01-01T00:00:00.000Z';
const ORG = '3f0c6a52-5a57-4d2e-9f51-2b7c0c1f8e11';
const USCC = '91350100M000100Y43';
const KEY_ID = '1a2b3c4d';
const hex = (i: number) => toHex(nodeSha256(new TextEncoder().encode(String(i))));
const number = (i: number) => `DIP-2026-${String(i).padStart(6, '0')}`;
const ev = (e: Record<string, unknown>) => encodeEntry({ time: TIME, ...e } as LogEvent);

/** The root of every key of `s`, by the node-store map (independent of MemoryMap). */
async function independentRoot(s: RegistryState): Promise<string> {
  const c = await applyMapUpdates(new MemoryNodeStore(), emptyMapRoot(), stateMapUpdates(s, allStateKeys(s), nodeSha256), nodeSha256);
  return toHex(c.root);
}

/** A log of certificates issued and cancelled, with a `state.committed` (right, or with `wrongAt` wrong) after every `every` entries. */
async function makeLog(count: number, every: number, wrongAt = -1): Promise<Uint8Array[]> {
  const log: Uint8Array[] = [];
  const s = emptyState();
  const add = (data: Uint8Array) => {
    applyEntry(s, { index: log.length, data });
    log.push(data);
  };
  add(ev({ kind: 'organisation.registered', orgId: ORG, orgKind: 'enterprise', uscc: USCC, nameHash: hex(-1) }));
  add(ev({ kind: 'key.added', purpose: 'certificate', keyId: KEY_ID, vkey: `t/certificate+${KEY_ID}+AQ==`, publicKey: hex(-2) }));
  const issued: { index: number; leafHash: string }[] = [];
  let commits = 0;
  for (let i = 0; i < count; i++) {
    const data =
      i % 3 === 2
        ? ev({ kind: 'certificate.cancelled', number: number(i - 2), leafHash: issued[i - 2]!.leafHash, prev: issued[i - 2]!.index })
        : ev({ kind: 'certificate.issued', number: number(i), version: 1, holderUscc: USCC, manifestRoot: hex(i), files: 1, bytes: 1, validFrom: TIME, validUntil: '2029-01-01T00:00:00.000Z', keyId: KEY_ID, payloadDigest: hex(i + 0.5) });
    issued.push({ index: log.length, leafHash: toHex(nodeSha256(Uint8Array.of(0, ...data))) });
    add(data);
    if ((i + 1) % every === 0) {
      const root = commits++ === wrongAt ? 'ab'.repeat(32) : await independentRoot(s);
      add(stateCommittedEntry(log.length, Uint8Array.from(Buffer.from(root, 'hex')), TIME));
    }
  }
  expect(s.anomalies).toEqual([]);
  return log;
}

async function check(log: Uint8Array[], checker: StateRootChecker, from = 0, s: RegistryState = emptyState()): Promise<RegistryState> {
  for (let index = from; index < log.length; index++) {
    const data = log[index]!;
    if (checker.observe(data)) await checker.check(s, index, (JSON.parse(new TextDecoder().decode(data)) as { root: string }).root);
    applyEntry(s, { index, data });
  }
  return s;
}

describe('the state-root check', () => {
  it('a checker from the first entry and one keeping changed keys find every committed root right', async () => {
    const log = await makeLog(300, 40);
    const whole = new StateRootChecker(nodeSha256);
    await check(log, whole);
    const tracking = new StateRootChecker(nodeSha256, new MemoryMap(nodeSha256));
    await check(log, tracking);
    for (const c of [whole, tracking]) {
      expect(c.checked).toBe(7);
      expect(c.wrong).toEqual([]);
    }
    expect(toHex(whole.map.root)).toBe(toHex(tracking.map.root));
  });

  it('names a wrong root, first or later, and goes on with the replayed one', async () => {
    for (const wrongAt of [0, 3]) {
      const log = await makeLog(200, 50, wrongAt);
      for (const c of [new StateRootChecker(nodeSha256), new StateRootChecker(nodeSha256, new MemoryMap(nodeSha256))]) {
        await check(log, c);
        expect(c.checked).toBe(4);
        expect(c.wrong.map((w) => w.logged)).toEqual(['ab'.repeat(32)]);
      }
    }
  });

  it('before its first commitment every key counts as changed; saved then, it resumes and checks the same', async () => {
    const log = await makeLog(120, 60);
    const c = new StateRootChecker(nodeSha256);
    const s = await check(log.slice(0, 30), c);
    expect(c.isDirty('c:DIP-2026-000000')).toBe(true);
    const resumed = StateRootChecker.deserialize(JSON.parse(JSON.stringify(await c.serialize())), nodeSha256);
    await check(log, resumed, 30, s);
    expect(resumed.checked).toBe(2);
    expect(resumed.wrong).toEqual([]);
    expect(resumed.isDirty('c:DIP-2026-000000')).toBe(false);
  });
});

/** The audit's loop: checks not awaited one by one (their answers come later), keys sent ahead every `advanceEvery` entries. */
async function checkAhead(log: Uint8Array[], checker: StateRootChecker, advanceEvery: number, minKeys: number, from = 0, s: RegistryState = emptyState()): Promise<RegistryState> {
  const checks: Promise<boolean>[] = [];
  for (let at = from; at < log.length; at += advanceEvery) {
    expect(replayChecked(s, log.slice(at, at + advanceEvery).map((data, k) => ({ index: at + k, data })), checker, checks)).toBe(true);
    checker.advance(s, minKeys);
  }
  await Promise.all(checks);
  return s;
}

describe('the state-root check with the map on a worker thread (WorkerMapEngine, as audit runs it)', () => {
  it('finds every committed root right, keys sent ahead or not, and ends with the map of the final state', async () => {
    const log = await makeLog(300, 40);
    for (const [every, minKeys] of [
      [7, 1],
      [64, 20],
      [1000, 1],
    ] as const) {
      const c = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
      try {
        const s = await checkAhead(log, c, every, minKeys);
        expect(c.checked).toBe(7);
        expect(c.wrong).toEqual([]);
        // every key sent: the thread's map is the map of the whole final state
        c.advance(s, 1);
        const saved = (await c.serialize()) as { root: string; dirty: string[] };
        expect(saved.dirty).toEqual([]);
        expect(saved.root).toBe(await independentRoot(s));
      } finally {
        await c.close();
      }
    }
  });

  it('names a wrong root, first or later', async () => {
    for (const wrongAt of [0, 3]) {
      const log = await makeLog(200, 50, wrongAt);
      const c = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
      try {
        await checkAhead(log, c, 16, 8);
        expect(c.checked).toBe(4);
        expect(c.wrong.map((w) => w.logged)).toEqual(['ab'.repeat(32)]);
      } finally {
        await c.close();
      }
    }
  });

  it('saved midway (map nodes from the thread), resumes on a new thread and checks the rest the same', async () => {
    const log = await makeLog(240, 60);
    const c = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
    let s: RegistryState;
    let saved: unknown;
    try {
      s = await checkAhead(log.slice(0, 100), c, 10, 5);
      saved = JSON.parse(JSON.stringify(await c.serialize()));
    } finally {
      await c.close();
    }
    const resumed = StateRootChecker.deserialize(saved, nodeSha256, (root, nodes) => new WorkerMapEngine({ root, nodes }));
    try {
      await checkAhead(log, resumed, 10, 5, 100, s);
      expect(resumed.checked).toBe(4);
      expect(resumed.wrong).toEqual([]);
      // and a checker in memory resumes from what the thread saved
      const inMemory = StateRootChecker.deserialize(saved, nodeSha256);
      await check(log, inMemory, 100, await checkAhead(log.slice(0, 100), new StateRootChecker(nodeSha256), 100, 1));
      expect(inMemory.wrong).toEqual([]);
    } finally {
      await resumed.close();
    }
  });

  it('a closed engine rejects the checks still to come instead of answering them', async () => {
    const log = await makeLog(60, 30);
    const c = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
    await c.close();
    await expect(checkAhead(log, c, 100, 1)).rejects.toThrow(/closed/);
  });
});

describe('isStateCommitment (the byte pre-check before parsing)', () => {
  /** The definition, computed here by JSON.parse of the bytes (lenient UTF-8, as the key scan reads them). */
  const byParse = (data: Uint8Array): boolean => {
    try {
      const v = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
      return typeof v === 'object' && v !== null && v.kind === 'state.committed' && typeof v.size === 'number';
    } catch {
      return false;
    }
  };
  const enc = (text: string) => new TextEncoder().encode(text);
  const cases: [string, Uint8Array][] = [
    ['a commitment', stateCommittedEntry(7, new Uint8Array(32), TIME)],
    ['the kind written with a \\u escape', enc(`{"kind":"state\\u002ecommitted","root":"00","size":7,"time":"${TIME}","v":1}`)],
    ['every letter escaped', enc(`{"kind":"${[...'state.committed'].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}","size":1,"v":1}`)],
    ['the kind at the very end', enc(`{"size":3,"kind":"state.committed"}`)],
    ['the text cut short at the end', enc(`{"size":3,"kind":"state.committe`)],
    ['a commitment without a size', enc(`{"kind":"state.committed","v":1}`)],
    ['another kind naming the text in a field', ev({ kind: 'certificate.cancelled', number: 'state.committed', leafHash: hex(1), prev: 0 })],
    ['another kind', ev({ kind: 'certificate.cancelled', number: number(1), leafHash: hex(1), prev: 0 })],
    ['not UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d)],
    ['empty', new Uint8Array(0)],
    ['a near miss', enc(`{"kind":"state.commited","size":1}`)],
  ];
  for (const [name, data] of cases) {
    it(`${name}: the same answer as parsing`, () => {
      expect(isStateCommitment(data)).toBe(byParse(data));
    });
  }
  it('answers true for the commitments the definition accepts', () => {
    expect(cases.filter(([, d]) => byParse(d)).map(([n]) => n)).toEqual(['a commitment', 'the kind written with a \\u escape', 'every letter escaped', 'the kind at the very end']);
  });
});
