/**
 * Certificate signatures: the signed message, key names and IDs, a sign/verify round
 * trip, and verification by independent Ed25519 implementations (node:crypto,
 * @noble/ed25519, WebCrypto, and `openssl pkeyutl -verify -rawin` when openssl exists).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/ledger/index.ts';
import { ed25519Signer, keyId as noteKeyId } from '../../src/ledger/index.ts';
import { nodeNoteSigner } from '../../src/keys/node/log-key.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { nobleEd25519 } from '../../src/certificates/index.ts';
import { webCryptoEd25519 } from '../../src/certificates/index.ts';
import { certificatePayload, encodeCertificatePayload } from '../../src/certificates/index.ts';
import {
  CERTIFICATE_SIGNATURE_CONTEXT,
  certificateKeyName,
  certificateSigningMessage,
  formatKeyId,
  signCertificatePayload,
} from '../../src/certificates/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { CERT_KEY_NEW, CERT_KEY_OLD, LOG_KEY, ORIGIN, sampleFields } from './fixtures.ts';

const { expectCodeAsync } = assertCodes(CertificateError);

const payloadBytes = encodeCertificatePayload(certificatePayload(sampleFields(), { index: 9, leafHash: 'cd'.repeat(32) }));

function spki(publicKey: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]);
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('\n*** SKIPPED: openssl cross-check — openssl is not installed (Debian package: openssl) ***\n');
if (process.env.DATADEED_REQUIRE_TOOLS === '1' && !hasOpenssl)
  describe('required tools', () => {
    it('openssl is installed', () => expect(hasOpenssl).toBe(true));
  });

describe('certificate signatures', () => {
  it('signs "datadeed certificate v1\\n" ‖ payload', () => {
    const message = certificateSigningMessage(payloadBytes);
    expect(fromUtf8(message.subarray(0, 24))).toBe('datadeed certificate v1\n');
    expect(CERTIFICATE_SIGNATURE_CONTEXT).toBe('datadeed certificate v1\n');
    expect(message.subarray(24)).toEqual(payloadBytes);
  });

  it('names certificate keys <origin>/certificate with C2SP key IDs', () => {
    expect(certificateKeyName(ORIGIN)).toBe('test.datadeed.localhost/log/certificate');
    expect(CERT_KEY_NEW.keyId).toBe(formatKeyId(noteKeyId(certificateKeyName(ORIGIN), CERT_KEY_NEW.publicKey)));
    expect(CERT_KEY_NEW.vkey.startsWith(`test.datadeed.localhost/log/certificate+${CERT_KEY_NEW.keyId}+`)).toBe(true);
    // The same key material under the log's name has another ID: no confusion between the two uses.
    expect(formatKeyId(noteKeyId(ORIGIN, CERT_KEY_NEW.publicKey))).not.toBe(CERT_KEY_NEW.keyId);
    expect(formatKeyId(0x0a0b)).toBe('00000a0b');
  });

  it('round-trips, and node:crypto signatures equal @noble/ed25519 ones', async () => {
    const noble = await signCertificatePayload(payloadBytes, CERT_KEY_NEW.signer);
    const node = await signCertificatePayload(
      payloadBytes,
      nodeNoteSigner(CERT_KEY_NEW.name, Number.parseInt(CERT_KEY_NEW.keyId, 16), CERT_KEY_NEW.seed),
    );
    expect(noble.keyId).toBe(CERT_KEY_NEW.keyId);
    expect(noble.sig).toHaveLength(64);
    expect(Buffer.from(node.sig).equals(Buffer.from(noble.sig))).toBe(true);
    const message = certificateSigningMessage(payloadBytes);
    for (const adapter of [nodeEd25519, nobleEd25519, webCryptoEd25519]) {
      expect(await adapter.verifyEd25519(CERT_KEY_NEW.publicKey, message, noble.sig)).toBe(true);
      const bad = noble.sig.slice();
      bad[10]! ^= 1;
      expect(await adapter.verifyEd25519(CERT_KEY_NEW.publicKey, message, bad)).toBe(false);
      expect(await adapter.verifyEd25519(CERT_KEY_OLD.publicKey, message, noble.sig)).toBe(false);
      expect(await adapter.verifyEd25519(CERT_KEY_NEW.publicKey, message, noble.sig.subarray(0, 63))).toBe(false);
    }
  });

  it('verifies with node:crypto directly (independent of our adapters)', async () => {
    const { sig } = await signCertificatePayload(payloadBytes, CERT_KEY_NEW.signer);
    const key = createPublicKey({ key: spki(CERT_KEY_NEW.publicKey), format: 'der', type: 'spki' });
    expect(nodeVerify(null, certificateSigningMessage(payloadBytes), key, sig)).toBe(true);
    expect(ed.verify(sig, certificateSigningMessage(payloadBytes), CERT_KEY_NEW.publicKey)).toBe(true);
  });

  it.skipIf(!hasOpenssl)('verifies with openssl pkeyutl -verify -rawin', async () => {
    const { sig } = await signCertificatePayload(payloadBytes, CERT_KEY_NEW.signer);
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-openssl-'));
    try {
      const pem = `-----BEGIN PUBLIC KEY-----\n${spki(CERT_KEY_NEW.publicKey).toString('base64')}\n-----END PUBLIC KEY-----\n`;
      writeFileSync(path.join(dir, 'pub.pem'), pem);
      writeFileSync(path.join(dir, 'msg.bin'), certificateSigningMessage(payloadBytes));
      writeFileSync(path.join(dir, 'sig.bin'), sig);
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg.bin', '-sigfile', 'sig.bin'];
      expect(execFileSync('openssl', args, { cwd: dir }).toString()).toContain('Signature Verified Successfully');
      const bad = Buffer.from(sig);
      bad[0]! ^= 0x80;
      writeFileSync(path.join(dir, 'sig.bin'), bad);
      expect(spawnSync('openssl', args, { cwd: dir }).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a signer that is not the key the payload names', async () => {
    await expectCodeAsync(() => signCertificatePayload(payloadBytes, CERT_KEY_OLD.signer), 'signer_mismatch');
    await expectCodeAsync(() => signCertificatePayload(payloadBytes, LOG_KEY.signer), 'signer_mismatch');
    const renamed = ed25519Signer('other.example/log/certificate', CERT_KEY_NEW.seed);
    await expectCodeAsync(() => signCertificatePayload(payloadBytes, renamed), 'signer_mismatch');
    const short = { ...CERT_KEY_NEW.signer, sign: () => new Uint8Array(10) };
    await expectCodeAsync(() => signCertificatePayload(payloadBytes, short), 'signer_mismatch');
  });

  it('refuses to sign bytes that are not a canonical payload', async () => {
    await expectCodeAsync(() => signCertificatePayload(utf8(' '), CERT_KEY_NEW.signer), 'invalid_payload');
    const spaced = utf8(JSON.stringify(JSON.parse(fromUtf8(payloadBytes)), null, 2));
    await expectCodeAsync(() => signCertificatePayload(spaced, CERT_KEY_NEW.signer), 'non_canonical_payload');
  });
});
