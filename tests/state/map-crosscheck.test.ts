/**
 * Cross-check with the python3 reference (tests/state/state_map_ref.py, written from
 * docs/state-map.md alone) on random maps: the TypeScript map builds each map through a
 * random history of batches; the reference recomputes each root from the final contents
 * by the recursive definition of §4.1, derives every proof itself and compares bytes,
 * and verifies ours. Random tamperings of our proofs must get the same verdict (the same
 * error code) from both verifiers. Runs when python3 is present.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/ledger/index.ts';
import { MapError, MemoryNodeStore, assertMapProof, emptyMapRoot, encodeMapProof, proveMapKeys, type MapUpdate } from '../../src/state/map/index.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { REFERENCE, commit, hasPython } from './helpers.ts';

const arbKey = fc.uint8Array({ minLength: 1, maxLength: 40 });
const arbValue = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe.runIf(hasPython)('state map against the python3 reference (python3 present)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'dd-state-xcheck-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('random maps: same roots, same proof bytes, same verdicts on tampered proofs', async () => {
    const samples = fc.sample(
      fc.record({
        keys: fc.uniqueArray(arbKey, { minLength: 0, maxLength: 250, size: 'max', comparator: (a, b) => toHex(a) === toHex(b) }),
        absent: fc.array(arbKey, { maxLength: 20, size: 'max' }),
        values: fc.array(arbValue, { minLength: 300, maxLength: 300 }),
        cuts: fc.array(fc.nat({ max: 300 }), { maxLength: 4 }),
        tamper: fc.array(fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), { minLength: 8, maxLength: 8 }),
      }),
      { numRuns: 30, seed: 20250716 },
    );
    const maps = [];
    const verify = [];
    for (const s of samples) {
      // history: insert all in chunks, then delete every third and update every fifth
      const store = new MemoryNodeStore();
      let root = emptyMapRoot();
      const cuts = [0, ...s.cuts.filter((c) => c < s.keys.length).sort((a, b) => a - b), s.keys.length];
      for (let i = 1; i < cuts.length; i++) {
        const part = s.keys.slice(cuts[i - 1], cuts[i]).map((key, j) => ({ key, value: s.values[(cuts[i - 1]! + j) % 300]! }));
        root = (await commit(store, root, part, nodeSha256)).root;
      }
      const model = new Map<string, { key: Uint8Array; value: Uint8Array }>(s.keys.map((k, i) => [toHex(k), { key: k, value: s.values[i]! }]));
      const changes: MapUpdate[] = s.keys.flatMap((key, i): MapUpdate[] => (i % 3 === 0 ? [{ key, value: null }] : i % 5 === 0 ? [{ key, value: s.values[299 - i]! }] : []));
      root = (await commit(store, root, changes, nodeSha256)).root;
      for (const c of changes) {
        if (c.value === null) model.delete(toHex(c.key));
        else model.set(toHex(c.key), { key: c.key, value: c.value });
      }
      const lookupKeys = [...s.keys, ...s.absent.filter((k) => !model.has(toHex(k)))];
      const proven = await proveMapKeys(store, root, lookupKeys, nodeSha256);
      const lookups = lookupKeys.map((key, i) => ({
        key: toHex(key),
        value: proven[i]!.value === null ? null : toHex(proven[i]!.value!),
        proof: toHex(encodeMapProof(proven[i]!.proof)),
      }));
      maps.push({ entries: [...model.values()].map((e) => ({ key: toHex(e.key), value: toHex(e.value) })), root: toHex(root), lookups });
      // tampered proofs and their verdicts (our codes)
      for (let t = 0; t < s.tamper.length && lookupKeys.length > 0; t++) {
        const { at, mask } = s.tamper[t]!;
        const i = at % lookupKeys.length;
        const bytes = encodeMapProof(proven[i]!.proof);
        bytes[(at >> 3) % bytes.length]! ^= mask;
        let code: string | null = null;
        try {
          assertMapProof(root, lookupKeys[i]!, proven[i]!.value, bytes, nodeSha256);
        } catch (e) {
          if (!(e instanceof MapError)) throw e;
          code = e.code;
        }
        expect(code).not.toBeNull();
        verify.push({ root: toHex(root), key: toHex(lookupKeys[i]!), value: lookups[i]!.value, proof: toHex(bytes), wantError: code });
      }
    }
    const file = join(tmp, 'cases.json');
    writeFileSync(file, JSON.stringify({ maps, verify }));
    const run = spawnSync('python3', [REFERENCE, 'check', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { checked: number; failures: unknown[] };
    expect(report.failures).toEqual([]);
    const total = maps.reduce((n, m) => n + m.lookups.length, 0) + verify.length;
    expect(report.checked).toBe(total);
    expect(total).toBeGreaterThan(3000);
  }, 300_000); // python3 derives each proof from the whole key set: minutes on a loaded machine
});
