/** The datadeed-bundle/1 format: building, serialising and strict, bounded parsing. */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/ledger/index.ts';
import { BUNDLE_FORMAT, buildBundle, bundleFileName, parseBundle, serializeBundle, type Bundle } from '../../src/certificates/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { bundleFor, standardLog } from './fixtures.ts';

const { expectCode } = assertCodes(CertificateError);

const { log, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);

function mutate(f: (b: Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(bundle)) as Record<string, any>;
  f(copy);
  return copy;
}

describe('verification bundle format', () => {
  it('serialises in the documented member order and parses back (text, bytes, value)', () => {
    const text = serializeBundle(bundle);
    expect(Object.keys(JSON.parse(text))).toEqual(['format', 'type', 'payload', 'signature', 'entry', 'inclusion', 'checkpoint']);
    expect(JSON.parse(text).format).toBe(BUNDLE_FORMAT);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseBundle(text)).toEqual(bundle);
    expect(parseBundle(utf8(text))).toEqual(bundle);
    expect(parseBundle(JSON.parse(text))).toEqual(bundle);
    expect(serializeBundle(parseBundle(text))).toBe(text);
    expect(bundleFileName('DIP-2025-000123')).toBe('DIP-2025-000123.datadeed.json');
  });

  it('builds receipts without payload or signature', () => {
    const receipt = buildBundle({
      type: 'evidence',
      entry: { index: 0, data: log.entries[0]! },
      inclusion: { treeSize: 1, proof: [] },
      checkpoint: bundle.checkpoint,
    });
    expect(receipt).not.toHaveProperty('payload');
    expect(Object.keys(JSON.parse(serializeBundle(receipt)))).toEqual(['format', 'type', 'entry', 'inclusion', 'checkpoint']);
  });

  const bad: [string, unknown, string][] = [
    ['not JSON', '{"format":', ''],
    ['not an object', '[]', ''],
    ['another format', mutate((b) => (b.format = 'datadeed-bundle/2')), 'format'],
    ['unknown type', mutate((b) => (b.type = 'license')), 'type'],
    ['unknown member', mutate((b) => (b.extra = 1)), ''],
    ['unknown member in entry', mutate((b) => (b.entry.extra = 1)), 'entry'],
    ['certificate without signature', mutate((b) => delete b.signature), 'payload'],
    ['receipt with payload', mutate((b) => (b.type = 'evidence')), 'payload'],
    ['key ID not hex', mutate((b) => (b.signature.keyId = 'ZZZZZZZZ')), 'signature.keyId'],
    ['signature of 63 bytes', mutate((b) => (b.signature.sig = Buffer.alloc(63).toString('base64'))), 'signature.sig'],
    ['non-canonical base64', mutate((b) => (b.signature.sig = b.signature.sig.replace(/==$/, 'B='))), 'signature.sig'],
    ['empty entry', mutate((b) => (b.entry.data = '')), 'entry.data'],
    ['entry over 65,535 bytes', mutate((b) => (b.entry.data = Buffer.alloc(65536).toString('base64'))), 'entry.data'],
    ['negative index', mutate((b) => (b.entry.index = -1)), 'entry.index'],
    ['unsafe index', mutate((b) => (b.entry.index = 2 ** 53)), 'entry.index'],
    ['tree size 0', mutate((b) => (b.inclusion.treeSize = 0)), 'inclusion.treeSize'],
    ['65 proof hashes', mutate((b) => (b.inclusion.proof = Array(65).fill('00'.repeat(32)))), 'inclusion.proof'],
    ['uppercase proof hash', mutate((b) => (b.inclusion.proof[0] = b.inclusion.proof[0].toUpperCase())), 'inclusion.proof.0'],
    ['checkpoint over 64 KiB', mutate((b) => (b.checkpoint = 'x'.repeat(65537))), 'checkpoint'],
    ['lone surrogate in payload', mutate((b) => (b.payload = `${b.payload.slice(0, -1)}\ud800}`)), 'payload'],
  ];
  for (const [name, input, path] of bad) {
    it(`refuses ${name}`, () => {
      let thrown: unknown;
      try {
        parseBundle(typeof input === 'string' ? input : (input as Bundle));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CertificateError);
      expect((thrown as CertificateError).code).toBe('invalid_bundle');
      if (path) expect((thrown as CertificateError).details.map((d) => d.path)).toContain(path);
    });
  }

  it('refuses oversized or non-UTF-8 input before JSON parsing', () => {
    expectCode(() => parseBundle(' '.repeat(256 * 1024 + 1)), 'invalid_bundle');
    expectCode(() => parseBundle(new Uint8Array(256 * 1024 + 1)), 'invalid_bundle');
    expectCode(() => parseBundle('é'.repeat(140 * 1024)), 'invalid_bundle');
    expectCode(() => parseBundle(Uint8Array.of(0x7b, 0xc3, 0x28, 0x7d)), 'invalid_bundle');
  });
});
