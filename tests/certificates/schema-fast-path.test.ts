/**
 * The hand-written schema checks of the verifier's hot path (bundle.ts
 * `bundleOfCheckedFields`, payload.ts `payloadOfCheckedFields`) against zod, the
 * independent implementation of the same schemas: on valid inputs and on inputs with
 * one or more members removed, retyped or added, whatever the fast check accepts zod
 * accepts, with the same value (members in the same order). A rejection by the fast
 * check only means zod decides (and reports).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleOfCheckedFields, bundleSchema, parseBundle, parseBundleWithBytes } from '../../src/certificates/bundle.ts';
import { certificatePayloadSchema, ISSUANCE_LINK_MEMBERS, issuanceLinksSchema, parseCertificatePayload, parseIssuanceLinks, payloadOfCheckedFields } from '../../src/certificates/payload.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { fromBase64, fromHex, utf8 } from '../../src/ledger/index.ts';
import { bundleFor, issue, sampleFields, standardLog } from './fixtures.ts';

const { log, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);
const superseding = await issue(log, sampleFields({ number: 'DIP-2025-000124', version: 2, supersedes: 'DIP-2025-000123', dataset: { ...sampleFields().dataset, depositId: 'dep-1' } }));
const withKey = { ...(await bundleFor(log, superseding)), certificateKey: { entry: bundle.entry, proof: bundle.inclusion.proof } };
const receipt = (() => {
  const { payload: _p, signature: _s, ...rest } = bundle;
  return { ...rest, type: 'evidence' as const, timestamp: 'AAEC' };
})();

/** Values a member may be replaced by: each JSON type, edge numbers, near-miss strings. */
const oddValue = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    0,
    -0,
    1,
    -1,
    1.5,
    9999,
    10000,
    2 ** 53 - 1,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    ' ',
    'a',
    'ab'.repeat(32),
    'AB'.repeat(32),
    'ab'.repeat(4),
    'AAEC',
    'AAE=',
    'AA==',
    'A'.repeat(88),
    '2025-07-01T08:00:00Z',
    '2025-02-30T08:00:00Z',
    '2030-01-01T00:00:00Z',
    'DIP-2025-000123',
    'DIP-2025-000124',
    '91350100M000100Y43',
    '91350100M000100Y44',
    ' 名字',
    '名\u0000字',
    '\ud800',
    'e\u0301',
    'datadeed-bundle/1',
    'certificate',
    'evidence',
    'pledge',
    [],
    ['ab'.repeat(32)],
    ['AB'.repeat(32)],
    {},
  ),
  fc.string(),
  fc.integer(),
  fc.double(),
);

type Path = string[];

/** Every member path of a JSON value (objects only, arrays as wholes). */
function paths(v: unknown, prefix: Path = []): Path[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
  return Object.keys(v).flatMap((k) => [[...prefix, k], ...paths((v as Record<string, unknown>)[k], [...prefix, k])]);
}

type Edit = { path: Path; op: 'delete' | 'set' | 'add'; value?: unknown; key?: string };

function applyEdit(root: unknown, e: Edit): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const k of e.path.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return copy; // an earlier edit replaced it
    node = next as Record<string, unknown>;
  }
  const last = e.path[e.path.length - 1]!;
  if (e.op === 'delete') delete node[last];
  else if (e.op === 'set') node[last] = e.value;
  else if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last])) (node[last] as Record<string, unknown>)[e.key!] = e.value;
  else node[last] = e.value;
  return copy;
}

function edits(base: unknown): fc.Arbitrary<Edit[]> {
  const all = paths(base);
  const edit = fc.record({
    path: fc.constantFrom(...all),
    op: fc.constantFrom('delete', 'set', 'set', 'add') as fc.Arbitrary<Edit['op']>,
    value: oddValue,
    key: fc.constantFrom('extra', 'supersedes', 'depositId', 'timestamp', 'certificateKey', 'attestations', 'payload', 'signature', '__proto__'),
  });
  return fc.array(edit, { minLength: 0, maxLength: 3 });
}

/** The property: the fast check accepts only what zod accepts, giving zod's value. */
function agrees(fast: (v: unknown) => unknown, schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, value: unknown): void {
  const quick = fast(value);
  if (quick === undefined) return;
  const slow = schema.safeParse(value);
  expect(slow.success).toBe(true);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(slow.data));
  expect(quick).toStrictEqual(slow.data);
}

describe('bundle schema: hand-written check against zod', () => {
  it('takes the fast path for ordinary certificate and receipt bundles, with zod’s value', () => {
    for (const b of [bundle, withKey, receipt]) {
      const value = JSON.parse(JSON.stringify(b));
      expect(bundleOfCheckedFields(value)).toBeDefined();
      agrees(bundleOfCheckedFields, bundleSchema, value);
      expect(parseBundle(JSON.stringify(b))).toStrictEqual(bundleSchema.parse(value));
    }
  });

  it('hands the verifier the bytes of the members it checked: their decoding, nothing else', () => {
    for (const b of [bundle, withKey, receipt]) {
      const { bundle: parsed, bytes } = parseBundleWithBytes(JSON.stringify(b));
      expect(bytes).toBeDefined();
      expect(bytes!.entry).toEqual(fromBase64(parsed.entry.data));
      expect(bytes!.proof).toEqual(parsed.inclusion.proof.map((h) => fromHex(h)));
      expect(bytes!.sig).toEqual(parsed.signature ? fromBase64(parsed.signature.sig) : undefined);
      expect(bytes!.keyEntry).toEqual(parsed.certificateKey ? fromBase64(parsed.certificateKey.entry.data) : undefined);
      expect(bytes!.keyProof).toEqual(parsed.certificateKey ? parsed.certificateKey.proof.map((h) => fromHex(h)) : undefined);
    }
  });

  it('never accepts what zod refuses, nor differs from zod’s value, on edited bundles', () => {
    for (const base of [bundle, withKey, receipt]) {
      const json = JSON.parse(JSON.stringify(base));
      fc.assert(
        fc.property(edits(json), (es) => {
          agrees(bundleOfCheckedFields, bundleSchema, es.reduce(applyEdit, json));
        }),
        { numRuns: 1500 },
      );
    }
  });

  it('errors still come from zod, with their paths', () => {
    const bad = { ...JSON.parse(JSON.stringify(bundle)), signature: { keyId: 'XYZ', sig: bundle.signature!.sig } };
    try {
      parseBundle(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CertificateError);
      expect((e as CertificateError).code).toBe('invalid_bundle');
      expect((e as CertificateError).details).toEqual([{ path: 'signature.keyId', message: 'invalid_format' }]);
    }
  });
});

describe('payload schema: hand-written check against zod', () => {
  it('takes the fast path for issued payloads (with and without the optional members), with zod’s value', () => {
    for (const p of [newCert.payload, superseding.payload]) {
      const value = JSON.parse(JSON.stringify(p));
      expect(payloadOfCheckedFields(value)).toBeDefined();
      agrees(payloadOfCheckedFields, certificatePayloadSchema, value);
    }
    expect(parseCertificatePayload(newCert.payloadBytes)).toStrictEqual(certificatePayloadSchema.parse(JSON.parse(new TextDecoder().decode(newCert.payloadBytes))));
  });

  it('never accepts what zod refuses, nor differs from zod’s value, on edited payloads', () => {
    for (const p of [newCert.payload, superseding.payload]) {
      const json = JSON.parse(JSON.stringify(p));
      fc.assert(
        fc.property(edits(json), (es) => {
          agrees(payloadOfCheckedFields, certificatePayloadSchema, es.reduce(applyEdit, json));
        }),
        { numRuns: 1500 },
      );
    }
  });

  it('refusals keep their codes (schema, then canonical form)', () => {
    const p = JSON.parse(JSON.stringify(newCert.payload));
    expect(() => parseCertificatePayload(utf8(JSON.stringify({ ...p, version: 0 })))).toThrowError(expect.objectContaining({ code: 'invalid_payload' }));
    expect(() => parseCertificatePayload(utf8(JSON.stringify(p, null, 1)))).toThrowError(expect.objectContaining({ code: 'non_canonical_payload' }));
  });
});

describe('issuance links: hand-written check against zod', () => {
  const valid = { basis: 'change', applicationId: '0190a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b', approval: 17, deposits: [3, 5], prev: 12, registrationNumber: '202507001000010X' };
  const linkValue = fc.oneof(oddValue, fc.constantFrom('initial', 'renewal', 'transfer', 'change', valid.applicationId, valid.registrationNumber, [], [1, 2], [-1], [1.5], [2 ** 53], Array.from({ length: 65 }, (_, i) => i), [1, , 2]));
  const member = fc.constantFrom('basis', 'applicationId', 'approval', 'deposits', 'prev', 'registrationNumber', 'extra');
  it('takes every valid set of links, with the value parseIssuanceLinks made of zod’s', () => {
    const slow = (v: unknown) => {
      const r = issuanceLinksSchema.safeParse(v);
      if (!r.success) return undefined;
      const out: Record<string, unknown> = {};
      for (const k of ISSUANCE_LINK_MEMBERS) if (r.data[k] !== undefined) out[k] = r.data[k];
      return out;
    };
    fc.assert(
      fc.property(fc.dictionary(member, linkValue, { maxKeys: 7 }), fc.subarray(Object.keys(valid)), (edits, keep) => {
        const v = { ...Object.fromEntries(keep.map((k) => [k, valid[k as keyof typeof valid]])), ...edits };
        const want = slow(v);
        if (want === undefined) {
          expect(() => parseIssuanceLinks(v)).toThrow(CertificateError);
        } else {
          const got = parseIssuanceLinks(v);
          expect(JSON.stringify(got)).toBe(JSON.stringify(want));
          expect(got).toStrictEqual(want);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
