/** Certificate signing keys on disk: generation, listing, loading, permissions, and mix-ups refused. */
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEd25519 } from '../../src/certificates/crypto-node.ts';
import {
  certificateKeyFile,
  generateCertificateKey,
  listCertificateKeys,
  loadActiveCertificateKey,
  loadCertificateKey,
} from '../../src/certificates/keyring.ts';
import { certificatePayload, encodeCertificatePayload } from '../../src/certificates/payload.ts';
import { certificateSigningMessage, signCertificatePayload } from '../../src/certificates/signature.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { expectCertificateError } from './assert-code.ts';
import { ORIGIN, sampleFields, seedFor } from './fixtures.ts';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dd-keys-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('certificate keyring', () => {
  it('generates a 0600 key file in a 0700 directory, named by key ID, in the note private-key encoding', () => {
    const dir = dataDir();
    const key = generateCertificateKey(dir, ORIGIN);
    expect(key.name).toBe(`${ORIGIN}/certificate`);
    expect(key.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(key.file).toBe(path.join(dir, 'keys', `certificate-${key.keyId}.key`));
    expect(statSync(key.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(readFileSync(key.file, 'utf8')).toMatch(new RegExp(`^PRIVATE\\+KEY\\+${ORIGIN.replace(/\./g, '\\.')}/certificate\\+${key.keyId}\\+[A-Za-z0-9+/=]+\\n$`));
    expect(parseVerifierKey(key.vkey)).toMatchObject({ name: key.name, keyId: Number.parseInt(key.keyId, 16) });
  });

  it('signs payloads that verify under its vkey', async () => {
    const key = generateCertificateKey(dataDir(), ORIGIN, { seed: seedFor('keyring') });
    const bytes = encodeCertificatePayload(certificatePayload(sampleFields({ keyId: key.keyId }), { index: 1, leafHash: '00'.repeat(32) }));
    const { sig } = await signCertificatePayload(bytes, key.signer);
    expect(nodeEd25519.verifyEd25519(key.publicKey, certificateSigningMessage(bytes), sig)).toBe(true);
  });

  it('lists and loads keys; the active one by ID, a new one on first start', () => {
    const dir = dataDir();
    expect(listCertificateKeys(dir, ORIGIN)).toEqual([]);
    const first = loadActiveCertificateKey(dir, ORIGIN, null);
    expect(first.created).toBe(true);
    const second = generateCertificateKey(dir, ORIGIN);
    writeFileSync(path.join(dir, 'keys', 'log.key'), 'not a certificate key file\n', { mode: 0o600 });
    expect(listCertificateKeys(dir, ORIGIN).map((k) => k.keyId)).toEqual([first.key.keyId, second.keyId].sort());
    const again = loadActiveCertificateKey(dir, ORIGIN, second.keyId);
    expect(again).toMatchObject({ created: false, key: { keyId: second.keyId, vkey: second.vkey } });
    expect(loadCertificateKey(dir, ORIGIN, first.key.keyId).vkey).toBe(first.key.vkey);
  });

  it('never overwrites a key file', () => {
    const dir = dataDir();
    generateCertificateKey(dir, ORIGIN, { seed: seedFor('same') });
    expectCertificateError(() => generateCertificateKey(dir, ORIGIN, { seed: seedFor('same') }), 'key_file_invalid');
  });

  it('refuses missing, group-readable, foreign, renamed or corrupt key files', () => {
    const dir = dataDir();
    expectCertificateError(() => loadCertificateKey(dir, ORIGIN, '00000000'), 'key_not_found');
    expectCertificateError(() => loadCertificateKey(dir, ORIGIN, '../../etc'), 'key_not_found');
    const key = generateCertificateKey(dir, ORIGIN);
    chmodSync(key.file, 0o644);
    expectCertificateError(() => loadCertificateKey(dir, ORIGIN, key.keyId), 'key_file_permissions');
    chmodSync(key.file, 0o600);
    expectCertificateError(() => loadCertificateKey(dir, 'other.example/log', key.keyId), 'key_file_invalid');
    const renamed = certificateKeyFile(dir, 'deadbeef');
    renameSync(key.file, renamed);
    expectCertificateError(() => loadCertificateKey(dir, ORIGIN, 'deadbeef'), 'key_file_invalid');
    writeFileSync(renamed, 'PRIVATE+KEY+garbage\n', { mode: 0o600 });
    expectCertificateError(() => loadCertificateKey(dir, ORIGIN, 'deadbeef'), 'key_file_invalid');
    expectCertificateError(() => listCertificateKeys(dir, ORIGIN), 'key_file_invalid');
  });
});
