/**
 * One trust anchor (issue 15, finding 8): a certificate bundle that carries the
 * `key.added` entry of its certificate key, with an inclusion proof in the same
 * checkpoint's tree, verifies with the log's verifier key alone; every way of
 * getting that key entry wrong leaves the certificate key unknown.
 */
import { describe, expect, it } from 'vitest';
import { buildBundle, nobleEd25519, verifyBundle, type Bundle, type TrustedKeys, type VerifyResult } from '../../src/certificates/index.ts';
import { encodeEntry, toHex, type LogEvent } from '../../src/ledger/index.ts';
import { CERT_KEY_NEW, CERT_KEY_OLD, LOG_KEY, TestLog, issue, sampleFields, type Issued, type TestKey } from './fixtures.ts';

const LOG_ONLY: TrustedKeys = { logKeys: [LOG_KEY.vkey], certificateKeys: [] };

function keyAdded(key: TestKey, time: string, overrides: Record<string, unknown> = {}): LogEvent {
  return { kind: 'key.added', time, purpose: 'certificate', keyId: key.keyId, vkey: key.vkey, publicKey: toHex(key.publicKey), ...overrides } as LogEvent;
}

async function bundleWithKey(log: TestLog, cert: Issued, keyIndex: number | undefined, opts: { proofFor?: number } = {}): Promise<Bundle> {
  return buildBundle({
    type: 'certificate',
    payload: cert.payloadBytes,
    signature: cert.signature,
    entry: { index: cert.index, data: cert.entry },
    inclusion: { treeSize: log.size, proof: log.inclusionProof(cert.index) },
    checkpoint: await log.checkpoint(),
    ...(keyIndex === undefined
      ? {}
      : { certificateKey: { index: keyIndex, data: log.entries[keyIndex]!, proof: log.inclusionProof(opts.proofFor ?? keyIndex) } }),
  });
}

function failed(result: VerifyResult): Record<string, string> {
  return Object.fromEntries(result.checks.filter((c) => !c.ok).map((c) => [c.name, c.code]));
}

async function setUp(event: LogEvent = keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z')) {
  const log = new TestLog();
  log.fill(3);
  const keyIndex = log.appendEvent(event);
  log.fill(2);
  const cert = await issue(log, sampleFields());
  log.fill(2);
  return { log, keyIndex, cert };
}

describe('a certificate verifies with the log key alone', () => {
  it('passes every check when the bundle carries its logged certificate key', async () => {
    const { log, keyIndex, cert } = await setUp();
    const result = await verifyBundle(await bundleWithKey(log, cert, keyIndex), LOG_ONLY, nobleEd25519);
    expect(failed(result)).toEqual({});
    expect(result.ok).toBe(true);
  });

  it('without the key entry the certificate key is unknown', async () => {
    const { log, cert } = await setUp();
    const result = await verifyBundle(await bundleWithKey(log, cert, undefined), LOG_ONLY, nobleEd25519);
    expect(failed(result)).toEqual({ certificate_signature: 'unknown_key', key_validity: 'unknown_key' });
  });

  it('a key entry whose proof does not lead to the checkpoint is not trusted', async () => {
    const { log, keyIndex, cert } = await setUp();
    const result = await verifyBundle(await bundleWithKey(log, cert, keyIndex, { proofFor: keyIndex + 1 }), LOG_ONLY, nobleEd25519);
    expect(failed(result)).toEqual({ certificate_signature: 'unknown_key', key_validity: 'unknown_key' });
  });

  it('the key of another key ID, a key logged after the certificate, or one of another origin is not trusted', async () => {
    const other = await setUp(keyAdded(CERT_KEY_OLD, '2025-06-01T00:00:00Z'));
    expect(failed(await verifyBundle(await bundleWithKey(other.log, other.cert, other.keyIndex), LOG_ONLY, nobleEd25519))).toEqual({
      certificate_signature: 'unknown_key',
      key_validity: 'unknown_key',
    });

    const log = new TestLog();
    log.fill(2);
    const cert = await issue(log, sampleFields());
    const late = log.appendEvent(keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z'));
    expect(failed(await verifyBundle(await bundleWithKey(log, cert, late), LOG_ONLY, nobleEd25519))).toEqual({
      certificate_signature: 'unknown_key',
      key_validity: 'unknown_key',
    });

    // same key material, listed with a vkey that names another log's certificate key
    const foreign = await setUp(keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z', { vkey: CERT_KEY_NEW.vkey.replace(/^[^+]+/, 'other.example/log/certificate') }));
    expect(failed(await verifyBundle(await bundleWithKey(foreign.log, foreign.cert, foreign.keyIndex), LOG_ONLY, nobleEd25519))).toEqual({
      certificate_signature: 'unknown_key',
      key_validity: 'unknown_key',
    });
  });

  it('a public key field that disagrees with the vkey is not trusted', async () => {
    const { log, keyIndex, cert } = await setUp(keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z', { publicKey: toHex(CERT_KEY_OLD.publicKey) }));
    expect(failed(await verifyBundle(await bundleWithKey(log, cert, keyIndex), LOG_ONLY, nobleEd25519))).toEqual({
      certificate_signature: 'unknown_key',
      key_validity: 'unknown_key',
    });
  });

  it('a certificate dated before its key was logged fails key_validity', async () => {
    const { log, keyIndex, cert } = await setUp(keyAdded(CERT_KEY_NEW, '2025-08-01T00:00:00Z'));
    expect(failed(await verifyBundle(await bundleWithKey(log, cert, keyIndex), LOG_ONLY, nobleEd25519))).toEqual({
      key_validity: 'key_not_valid_at_issue_date',
    });
  });

  it('the log key entry, or any other entry, in place of a certificate key entry is a format failure', async () => {
    const { log, keyIndex, cert } = await setUp(keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z', { purpose: 'log' }));
    const r = await verifyBundle(await bundleWithKey(log, cert, keyIndex), LOG_ONLY, nobleEd25519);
    expect(r.checks.find((c) => c.name === 'format')).toMatchObject({ ok: false, code: 'bad_format' });
    const filler = await bundleWithKey(log, cert, 0);
    expect((await verifyBundle(filler, LOG_ONLY, nobleEd25519)).checks[0]).toMatchObject({ name: 'format', ok: false });
  });

  it('a receipt cannot carry a certificate key', async () => {
    const { log, keyIndex } = await setUp();
    const receipt = {
      format: 'datadeed-bundle/1',
      type: 'evidence',
      entry: { index: 0, data: Buffer.from(log.entries[0]!).toString('base64') },
      inclusion: { treeSize: log.size, proof: log.inclusionProof(0).map(toHex) },
      checkpoint: await log.checkpoint(),
      certificateKey: { entry: { index: keyIndex, data: Buffer.from(encodeEntry(keyAdded(CERT_KEY_NEW, '2025-06-01T00:00:00Z'))).toString('base64') }, proof: [] },
    };
    const r = await verifyBundle(receipt, LOG_ONLY, nobleEd25519);
    expect(r.checks[0]).toMatchObject({ name: 'format', ok: false, code: 'bad_format' });
  });
});
