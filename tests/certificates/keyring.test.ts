/** Certificate signing keys on disk: generation, listing, loading, permissions, and mix-ups refused. */
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import {
  certificateKeyFile,
  generateCertificateKey,
  listCertificateKeys,
  loadCertificateKey,
} from '../../src/keys/node/keyring.ts';
import { certificatePayload, encodeCertificatePayload } from '../../src/certificates/index.ts';
import { certificateSigningMessage, signCertificatePayload } from '../../src/certificates/index.ts';
import { parseVerifierKey } from '../../src/ledger/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { ORIGIN, sampleFields, seedFor } from './fixtures.ts';

const { expectCode } = assertCodes(CertificateError);

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

  // which key is active, and generating the first one on an empty log's first start, is
  // the keys module's rule (tests/keys/start.test.ts, tests/keys/check.test.ts)
  it('lists and loads keys by ID', () => {
    const dir = dataDir();
    expect(listCertificateKeys(dir, ORIGIN)).toEqual([]);
    const first = { key: generateCertificateKey(dir, ORIGIN) };
    const second = generateCertificateKey(dir, ORIGIN);
    writeFileSync(path.join(dir, 'keys', 'log.key'), 'not a certificate key file\n', { mode: 0o600 });
    expect(listCertificateKeys(dir, ORIGIN).map((k) => k.keyId)).toEqual([first.key.keyId, second.keyId].sort());
    const again = loadCertificateKey(dir, ORIGIN, second.keyId);
    expect(again).toMatchObject({ keyId: second.keyId, vkey: second.vkey });
    expect(loadCertificateKey(dir, ORIGIN, first.key.keyId).vkey).toBe(first.key.vkey);
  });

  it('never overwrites a key file', () => {
    const dir = dataDir();
    generateCertificateKey(dir, ORIGIN, { seed: seedFor('same') });
    expectCode(() => generateCertificateKey(dir, ORIGIN, { seed: seedFor('same') }), 'key_file_invalid');
  });

  it('refuses missing, group-readable, foreign, renamed or corrupt key files', () => {
    const dir = dataDir();
    expectCode(() => loadCertificateKey(dir, ORIGIN, '00000000'), 'key_not_found');
    expectCode(() => loadCertificateKey(dir, ORIGIN, '../../etc'), 'key_not_found');
    const key = generateCertificateKey(dir, ORIGIN);
    chmodSync(key.file, 0o644);
    expectCode(() => loadCertificateKey(dir, ORIGIN, key.keyId), 'key_file_permissions');
    chmodSync(key.file, 0o600);
    expectCode(() => loadCertificateKey(dir, 'other.example/log', key.keyId), 'key_file_invalid');
    const renamed = certificateKeyFile(dir, 'deadbeef');
    renameSync(key.file, renamed);
    expectCode(() => loadCertificateKey(dir, ORIGIN, 'deadbeef'), 'key_file_invalid');
    writeFileSync(renamed, 'PRIVATE+KEY+garbage\n', { mode: 0o600 });
    expectCode(() => loadCertificateKey(dir, ORIGIN, 'deadbeef'), 'key_file_invalid');
    expectCode(() => listCertificateKeys(dir, ORIGIN), 'key_file_invalid');
  });
});
