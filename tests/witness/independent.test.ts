/**
 * Cosignature lines made by the witness, checked by an implementation written from the
 * C2SP tlog-cosignature text alone (tests/witness/c2sp_cosignature_check.py: hashlib for
 * the key ID, openssl pkeyutl for Ed25519): key ID, timestamp and signed message.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decide, type CosignedCheckpoint } from '../../src/witness/index.ts';
import { LOG, ORIGIN, TestLog, requestBody, verify, witnessKey } from './fixtures.ts';

const SCRIPT = fileURLToPath(new URL('./c2sp_cosignature_check.py', import.meta.url));
const W = witnessKey('notary.example.cn/witness', 'independent');
const NOW = 1_790_123_456;

interface Check {
  vkeyKeyIdMatches: boolean;
  keyId: string;
  lineFound: boolean;
  timestamp?: number;
  message?: string;
  verified: boolean;
}

function check(vkey: string, note: string): Check {
  const r = spawnSync('python3', [SCRIPT], { input: JSON.stringify({ vkey, note }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Check;
}

async function cosigned(log: TestLog): Promise<{ note: string; line: string }> {
  const d = await decide(new Map<string, CosignedCheckpoint>(), requestBody(0, [], await log.checkpoint()), new Map([[ORIGIN, [LOG.vkey]]]), {
    cosigners: [W.cosigner],
    now: NOW,
    verify,
  });
  expect(d.status).toBe(200);
  return { note: d.newState!.note, line: d.body! };
}

describe('cosignatures checked by an independent implementation (python3 hashlib + openssl pkeyutl)', () => {
  it('agrees on the key ID, the timestamp, the message, and the Ed25519 signature', async () => {
    const log = new TestLog().append(37);
    const { note } = await cosigned(log);
    const r = check(W.vkey, note);
    expect(r.vkeyKeyIdMatches).toBe(true);
    expect(r.keyId).toBe(W.key.keyId.toString(16).padStart(8, '0'));
    expect(r.lineFound).toBe(true);
    expect(r.timestamp).toBe(NOW);
    expect(r.message).toBe(`cosignature/v1\ntime ${NOW}\n${log.body()}`);
    expect(r.verified).toBe(true);
  });

  it('the 200 response line appended to the log-signed checkpoint verifies too', async () => {
    const log = new TestLog().append(1);
    const { line } = await cosigned(log);
    expect(check(W.vkey, (await log.checkpoint()) + line).verified).toBe(true);
  });

  it('fails when the timestamp or the checkpoint was changed', async () => {
    const log = new TestLog().append(5);
    const { note, line } = await cosigned(log);
    const prefix = line.slice(0, line.lastIndexOf(' ') + 1);
    const raw = Buffer.from(line.slice(prefix.length, -1), 'base64');
    raw[11]! ^= 1;
    const retimed = check(W.vkey, note.replace(line, `${prefix}${raw.toString('base64')}\n`));
    expect([retimed.lineFound, retimed.timestamp, retimed.verified]).toEqual([true, NOW ^ 1, false]);
    const moved = check(W.vkey, note.replace('\n5\n', '\n6\n'));
    expect([moved.lineFound, moved.verified]).toEqual([true, false]);
  });
});
