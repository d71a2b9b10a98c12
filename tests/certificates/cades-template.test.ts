/**
 * cadesDetachedSignature lays each signer's CMS out once and puts the digest and the
 * signature into a copy: the result must be, byte for byte, what the field-by-field
 * @peculiar/asn1-schema encoding gives for the same digest and signature, for every
 * signature length an ECDSA DER signature takes, and for two signers in turn.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cadesDetachedSignature, encodeCades, parseCades } from '../../src/certificates/cades.ts';
import { testDocumentKey } from './fixtures.ts';

describe('CAdES templates', () => {
  it('equal the schema encoding for any digest and signature length, signer after signer', async () => {
    const keys = [await testDocumentKey(), await testDocumentKey('other.datadeed.localhost/log')];
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        for (const length of [72, 71, 70, 69, 8]) {
          const digest = new Uint8Array(randomBytes(32));
          const signature = new Uint8Array(randomBytes(length));
          const signer = { certificates: [key.certificate, key.caCertificate], sign: async () => signature };
          const fast = await cadesDetachedSignature(digest, signer);
          const reference = await encodeCades(digest, signer);
          expect(Buffer.from(fast).equals(Buffer.from(reference))).toBe(true);
          expect(parseCades(fast).signedAttributes.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('signs exactly the signed attributes it embeds, with the real key', async () => {
    const key = await testDocumentKey();
    const signer = { certificates: [key.certificate, key.caCertificate], sign: (data: Uint8Array) => key.sign(data) };
    let signed: Uint8Array | undefined;
    const digest = new Uint8Array(randomBytes(32));
    const cms = await cadesDetachedSignature(digest, { ...signer, sign: async (d) => ((signed = d), signer.sign(d)) });
    expect(Buffer.from(parseCades(cms).signedAttributes).equals(Buffer.from(signed!))).toBe(true);
  });
});
