/**
 * C2SP tlog-cosignature (Ed25519): key IDs, vkeys, the signed message, the
 * timestamped signature, and verification failures by name.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/ledger/index.ts';
import {
  WitnessError,
  cosignCheckpoint,
  cosignatureMessage,
  cosignerKeyId,
  decodeCosignature,
  formatCosignerKey,
  parseCosignerKey,
  parseSignatureLine,
  verifyCosignature,
} from '../../src/witness/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { LOG, TestLog, verify, witnessKey } from './fixtures.ts';

const W = witnessKey('witness.example.com/w1', 'spec witness');

const { expectCode } = assertCodes(WitnessError);

describe('cosignature key ID and verifier key', () => {
  it('key ID = SHA-256(name ‖ "\\n" ‖ 0x04 ‖ public key)[:4], computed a second way with node:crypto', () => {
    const want = createHash('sha256').update('witness.example.com/w1').update(Buffer.from([0x0a, 0x04])).update(W.key.publicKey).digest().readUInt32BE(0);
    expect(cosignerKeyId('witness.example.com/w1', W.key.publicKey)).toBe(want);
    // not the signed-note (0x01) key ID of the same key
    const noteId = createHash('sha256').update('witness.example.com/w1').update(Buffer.from([0x0a, 0x01])).update(W.key.publicKey).digest().readUInt32BE(0);
    expect(want).not.toBe(noteId);
  });

  it('formats and parses the vkey <name>+<hex id>+<base64(0x04 ‖ key)>', () => {
    const vkey = formatCosignerKey(W.key.name, W.key.publicKey);
    const [name, id, b64] = vkey.split('+');
    expect(name).toBe('witness.example.com/w1');
    expect(id).toBe(W.key.keyId.toString(16).padStart(8, '0'));
    expect(Buffer.from(vkey.slice(name!.length + id!.length + 2), 'base64')[0]).toBe(0x04);
    expect(b64).toBeDefined();
    expect(parseCosignerKey(vkey)).toEqual(W.key);
  });

  it('refuses log keys (0x01), a wrong key ID, bad names and bad encodings', () => {
    expectCode(() => parseCosignerKey(LOG.vkey), 'malformed_cosigner_key');
    const vkey = W.vkey;
    const wrongId = vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    for (const bad of [wrongId, `x${vkey}`.replace(/^x[^+]*/, 'other.name'), vkey.replace('+', '++'), vkey.slice(0, -2), `a b${vkey}`, 'nothing']) {
      expectCode(() => parseCosignerKey(bad), 'malformed_cosigner_key');
    }
    expectCode(() => formatCosignerKey('has space', W.key.publicKey), 'malformed_cosigner_key');
    expectCode(() => formatCosignerKey('ok', new Uint8Array(31)), 'malformed_cosigner_key');
  });
});

describe('the signed message and the signature line', () => {
  it('is the message of the spec example: cosignature/v1, time, then the checkpoint body', () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const msg = Buffer.from(cosignatureMessage(body, 1679315147)).toString('utf8');
    expect(msg).toBe('cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  });

  it('decodes the key ID and timestamp of the spec example line', () => {
    const line = parseSignatureLine(
      '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
    )!;
    const c = decodeCosignature(line);
    expect(c.name).toBe('witness.example.com/w1');
    expect(c.keyId).toBe(0x8d66cf3f);
    expect(c.timestamp).toBe(1679315147); // the time of the spec's example message
    expect(c.signature).toHaveLength(64);
  });

  it('line = — <name> base64(key ID ‖ u64 big-endian timestamp ‖ 64-byte signature)', async () => {
    const log = new TestLog().append(5);
    const line = await cosignCheckpoint(W.cosigner, log.body(), 0x1_0203_0405);
    expect(line.startsWith('— witness.example.com/w1 ')).toBe(true);
    expect(line.endsWith('\n')).toBe(true);
    const raw = fromBase64(line.slice('— witness.example.com/w1 '.length, -1));
    expect(raw).toHaveLength(4 + 8 + 64);
    expect(Buffer.from(raw.subarray(0, 4)).readUInt32BE(0)).toBe(W.key.keyId);
    expect(Buffer.from(raw.subarray(4, 12)).toString('hex')).toBe('0000000102030405');
  });

  it('refuses to cosign what is not a checkpoint, or with a bad timestamp', async () => {
    await expect(cosignCheckpoint(W.cosigner, 'not a checkpoint\n', 1)).rejects.toMatchObject({ code: 'malformed_cosignature' });
    await expect(cosignCheckpoint(W.cosigner, new TestLog().body(), -1)).rejects.toMatchObject({ code: 'malformed_cosignature' });
    await expect(cosignCheckpoint(W.cosigner, new TestLog().body(), 1.5)).rejects.toMatchObject({ code: 'malformed_cosignature' });
  });
});

describe('verifying a cosignature on a note', () => {
  async function cosignedNote(timestamp = 1_780_000_000): Promise<{ note: string; line: string; body: string }> {
    const log = new TestLog().append(9);
    const cp = await log.checkpoint();
    const line = await cosignCheckpoint(W.cosigner, log.body(), timestamp);
    return { note: cp + line, line, body: log.body() };
  }

  it('accepts a valid cosignature and reports its timestamp', async () => {
    const { note } = await cosignedNote();
    expect(await verifyCosignature(note, W.key, verify)).toEqual({ status: 'valid', timestamp: 1_780_000_000 });
  });

  it('names what is wrong: missing, bad signature (timestamp or body changed), duplicate, malformed, from the future', async () => {
    const { note, line, body } = await cosignedNote();
    const other = witnessKey('witness.example.com/w2', 'w2');
    expect(await verifyCosignature(note, other.key, verify)).toEqual({ status: 'missing' });

    const raw = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
    const withTime = Buffer.from(raw);
    withTime[11]! ^= 1; // timestamp + 1
    const prefix = line.slice(0, line.lastIndexOf(' ') + 1);
    const retimed = note.replace(line, `${prefix}${withTime.toString('base64')}\n`);
    expect(await verifyCosignature(retimed, W.key, verify)).toEqual({ status: 'invalid', reason: 'bad_signature' });

    const otherBody = note.replace(body, body.replace('\n9\n', '\n8\n'));
    expect(await verifyCosignature(otherBody, W.key, verify)).toEqual({ status: 'invalid', reason: 'bad_signature' });

    expect(await verifyCosignature(note + line, W.key, verify)).toEqual({ status: 'invalid', reason: 'duplicate' });

    const short = note.replace(line, `${prefix}${toBase64(raw.subarray(0, 70))}\n`);
    expect(await verifyCosignature(short, W.key, verify)).toEqual({ status: 'invalid', reason: 'malformed' });

    const huge = Buffer.from(raw);
    huge[4] = 0x80; // ≥ 2^63
    expect(await verifyCosignature(note.replace(line, `${prefix}${huge.toString('base64')}\n`), W.key, verify)).toEqual({ status: 'invalid', reason: 'malformed' });

    const future = await cosignedNote(2_000_000_000);
    expect(await verifyCosignature(future.note, W.key, verify, { now: 1_780_000_000 })).toEqual({ status: 'invalid', reason: 'future_timestamp' });
    expect(await verifyCosignature(future.note, W.key, verify)).toMatchObject({ status: 'valid' });

    expect(await verifyCosignature('no signature block\n', W.key, verify)).toEqual({ status: 'invalid', reason: 'malformed' });
  });
});
