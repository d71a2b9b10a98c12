/** Certificate payload schema, canonical encoding, and its binding to the certificate.issued entry. */
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificatePayloadDigestOfText } from '../../src/certificates/payload.ts';

const canonicalize = ((canonicalizeModule as unknown as { default?: unknown }).default ?? canonicalizeModule) as (v: unknown) => string;
import { fromUtf8, toHex, utf8 } from '../../src/ledger/index.ts';
import { decodeEntry, encodeEntry } from '../../src/ledger/index.ts';
import { sha256 } from '../../src/ledger/index.ts';
import {
  canonicalJson,
  certificateIssuedEvent,
  certificatePayload,
  certificatePayloadDigest,
  encodeCertificatePayload,
  parseCertificateFields,
  parseCertificatePayload,
  type CertificatePayload,
} from '../../src/certificates/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { sampleFields } from './fixtures.ts';

const { expectCode } = assertCodes(CertificateError);

const LEAF = 'ab'.repeat(32);

function payload(overrides: Partial<CertificatePayload> = {}): CertificatePayload {
  return { ...certificatePayload(sampleFields(), { index: 7, leafHash: LEAF }), ...overrides };
}

describe('certificate payload', () => {
  it('encodes to RFC 8785 bytes that parse back', () => {
    const p = payload();
    const bytes = encodeCertificatePayload(p);
    const text = fromUtf8(bytes);
    expect(text.startsWith('{"dataset":{"bytes":73014444032,"files":1284,')).toBe(true);
    expect(text).toBe(canonicalJson(JSON.parse(text)));
    expect(parseCertificatePayload(bytes)).toEqual(p);
  });

  it('refuses non-canonical bytes of a valid payload', () => {
    const text = fromUtf8(encodeCertificatePayload(payload()));
    const variants = [
      JSON.stringify(JSON.parse(text), null, 1), // whitespace
      `{"v":1,${text.slice(1).replace(',"v":1', '')}`, // member order
      text.replace('"number":"DIP', '"number":"\\u0044IP'), // escaped character
      `${text.slice(0, -1)},"v":1}`, // duplicate member
      `\ufeff${text}`, // byte-order mark
    ];
    for (const v of variants) {
      let code: string | undefined;
      try {
        parseCertificatePayload(utf8(v));
      } catch (e) {
        code = (e as CertificateError).code;
      }
      expect(['non_canonical_payload', 'invalid_payload'], v.slice(0, 40)).toContain(code);
    }
    expectCode(() => parseCertificatePayload(utf8(JSON.stringify(JSON.parse(text), null, 1))), 'non_canonical_payload');
  });

  it('refuses payloads outside the schema, naming the failing path', () => {
    const cases: [Partial<CertificatePayload> | Record<string, unknown>, string][] = [
      [{ v: 2 as 1 }, 'v'],
      [{ number: 'dip-2025-000123' }, 'number'],
      [{ version: 0 }, 'version'],
      [{ holder: { name: '福建数据科技有限公司', uscc: '91350100M000100Y44' } }, 'holder.uscc'],
      [{ holder: { name: ' leading space', uscc: '91350100M000100Y43' } }, 'holder.name'],
      [{ holder: { name: 'x'.repeat(201), uscc: '91350100M000100Y43' } }, 'holder.name'],
      [{ holder: { name: 'tab\tname', uscc: '91350100M000100Y43' } }, 'holder.name'],
      [{ holder: { name: 'e\u0301', uscc: '91350100M000100Y43' } }, 'holder.name'], // not NFC
      [{ dataset: { ...sampleFields().dataset, manifestRoot: 'AB'.repeat(32) } }, 'dataset.manifestRoot'],
      [{ dataset: { ...sampleFields().dataset, files: 0 } }, 'dataset.files'],
      [{ dataset: { ...sampleFields().dataset, bytes: 2 ** 53 } }, 'dataset.bytes'],
      [{ dataset: { ...sampleFields().dataset, bytes: 1.5 } }, 'dataset.bytes'],
      [{ dataset: { ...sampleFields().dataset, extra: 1 } as never }, 'dataset'],
      [{ issuedAt: '2025-07-01T08:00:00+08:00' }, 'issuedAt'],
      [{ issuedAt: '2025-02-30T08:00:00Z' }, 'issuedAt'],
      [{ validUntil: '2025-06-30T00:00:00Z' }, 'validUntil'],
      [{ origin: 'has space' }, 'origin'],
      [{ keyId: 'ABCDEF01' }, 'keyId'],
      [{ log: { index: -1, leafHash: LEAF } }, 'log.index'],
      [{ supersedes: 'DIP-2024-000001' }, 'supersedes'], // version 1 supersedes nothing
      [{ version: 2 }, 'supersedes'], // version 2 must name what it supersedes
      [{ extra: true } as never, ''],
    ];
    for (const [override, path] of cases) {
      let thrown: unknown;
      try {
        encodeCertificatePayload(payload(override as Partial<CertificatePayload>));
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(override)).toBeInstanceOf(CertificateError);
      expect((thrown as CertificateError).code).toBe('invalid_payload');
      expect((thrown as CertificateError).details.map((d) => d.path), JSON.stringify(override)).toContain(path);
    }
  });

  it('accepts a later version that supersedes an earlier certificate, and an evidence deposit reference', () => {
    const p = payload({ version: 2, supersedes: 'DIP-2024-000001', dataset: { ...sampleFields().dataset, depositId: 'dep_01J9ZK3' } });
    expect(parseCertificatePayload(encodeCertificatePayload(p))).toEqual(p);
  });

  it('refuses oversized and non-UTF-8 input before parsing', () => {
    expectCode(() => parseCertificatePayload(new Uint8Array(16 * 1024 + 1)), 'invalid_payload');
    expectCode(() => parseCertificatePayload(Uint8Array.of(0x7b, 0xff, 0x7d)), 'invalid_payload');
    expectCode(() => parseCertificatePayload(utf8('[]')), 'invalid_payload');
  });
});

describe('certificate.issued entry', () => {
  it('holds identifiers and hashes, not names, and is a canonical log entry', () => {
    const event = certificateIssuedEvent(sampleFields());
    const entry = decodeEntry(encodeEntry(event));
    expect(entry).toMatchObject({
      v: 1,
      kind: 'certificate.issued',
      time: '2025-07-01T08:00:00Z',
      number: 'DIP-2025-000123',
      version: 1,
      holderUscc: '91350100M000100Y43',
      manifestRoot: sampleFields().dataset.manifestRoot,
      files: 1284,
      bytes: 73_014_444_032,
      validFrom: '2025-07-01T00:00:00Z',
      validUntil: '2028-06-30T23:59:59Z',
      keyId: sampleFields().keyId,
    });
    expect(JSON.stringify(entry)).not.toContain('福建');
    expect(JSON.stringify(entry)).not.toContain('城市交通');
    expect(entry).not.toHaveProperty('supersedes');
  });

  it('payloadDigest is SHA-256 of the canonical payload without its log member', () => {
    const p = payload();
    const { log: _log, ...withoutLog } = p;
    const expected = toHex(sha256(utf8(canonicalJson(withoutLog))));
    expect(certificatePayloadDigest(sampleFields())).toBe(expected);
    expect(certificateIssuedEvent(p).payloadDigest).toBe(expected);
    // Every field is bound: a different holder name changes the digest.
    expect(certificatePayloadDigest(sampleFields({ holder: { name: '另一家公司', uscc: '91350100M000100Y43' } }))).not.toBe(expected);
  });

  it('payloadDigest from the payload text (the verifier) is the digest of the fields, whatever the names hold', () => {
    const tricky = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constantFrom(',"log":{"index":777,"leafHash":"' + 'cd'.repeat(32) + '"}', '\\",\\"log\\":{', '名"字\\', '福建数据科技有限公司'),
    );
    fc.assert(
      fc.property(tricky, tricky, fc.boolean(), fc.nat(2 ** 40), (holderName, datasetName, second, index) => {
        const fields = sampleFields({
          holder: { name: holderName.trim() || 'x', uscc: '91350100M000100Y43' },
          dataset: { ...sampleFields().dataset, name: datasetName.trim() || 'y', ...(second ? { depositId: 'dep-1' } : {}) },
          ...(second ? { version: 2, supersedes: 'DIP-2024-000001' } : {}),
        });
        let p: CertificatePayload;
        try {
          p = certificatePayload(fields, { index, leafHash: 'cd'.repeat(32) });
        } catch {
          return; // a name the schema refuses (control characters, not NFC …)
        }
        const text = fromUtf8(encodeCertificatePayload(p));
        const { log: _log, ...withoutLog } = p;
        // the definition, computed independently: SHA-256 of the JCS text of the payload without log
        const expected = createHash('sha256').update(canonicalize(withoutLog), 'utf8').digest('hex');
        expect(certificatePayloadDigestOfText(text, p)).toBe(expected);
        expect(certificatePayloadDigest(fields)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('is the same whether built from the fields or from the payload', () => {
    expect(encodeEntry(certificateIssuedEvent(payload()))).toEqual(encodeEntry(certificateIssuedEvent(sampleFields())));
    const v2 = sampleFields({ version: 2, supersedes: 'DIP-2024-000001' });
    expect(certificateIssuedEvent(v2).supersedes).toBe('DIP-2024-000001');
  });

  it('refuses invalid fields', () => {
    expectCode(() => certificateIssuedEvent(sampleFields({ keyId: 'xyz' })), 'invalid_payload');
    expectCode(() => parseCertificateFields({ ...sampleFields(), log: { index: 1, leafHash: LEAF } }), 'invalid_payload');
  });
});
