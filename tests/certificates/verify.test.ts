/**
 * The bundle verifier: every check passes for genuine bundles (with three Ed25519
 * implementations), and each kind of tampering fails and names the check it breaks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../../src/ledger/index.ts';
import { encodeEntry } from '../../src/ledger/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { nobleEd25519 } from '../../src/certificates/index.ts';
import { webCryptoEd25519 } from '../../src/certificates/index.ts';
import { buildBundle, serializeBundle, type Bundle } from '../../src/certificates/index.ts';
import { openCheckpoint, verifyBundle, type TrustedKeys, type VerifyCheckName, type VerifyResult } from '../../src/certificates/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import {
  CERT_KEY_NEW,
  CERT_KEY_NEW_WINDOW,
  CERT_KEY_OLD,
  CERT_KEY_OLD_WINDOW,
  LOG_KEY,
  ORIGIN,
  TestLog,
  bundleFor,
  issue,
  sampleFields,
  standardLog,
  testKey,
  trust,
} from './fixtures.ts';

const { expectCodeAsync } = assertCodes(CertificateError);

const { log, oldCert, newCert } = await standardLog();
const good = await bundleFor(log, newCert);

function clone(b: Bundle): Bundle {
  return JSON.parse(JSON.stringify(b)) as Bundle;
}

function failed(result: VerifyResult): Record<string, string> {
  return Object.fromEntries(result.checks.filter((c) => !c.ok).map((c) => [c.name, c.code]));
}

/** Replaces the character at `i` of `s` by another character of the same class. */
function flipChar(s: string, i: number): string {
  const c = s[i]!;
  const r = /[0-9]/.test(c) ? String.fromCharCode(48 + ((c.charCodeAt(0) - 47) % 10)) : /[a-y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : c === 'z' ? 'a' : /[A-Y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : 'A';
  return s.slice(0, i) + r + s.slice(i + 1);
}

const ALL: VerifyCheckName[] = ['format', 'checkpoint_signature', 'inclusion_proof', 'entry_matches_payload', 'certificate_signature', 'key_validity'];

describe('verifyBundle: genuine bundles', () => {
  for (const [name, crypto] of [
    ['node:crypto', nodeEd25519],
    ['@noble/ed25519', nobleEd25519],
    ['WebCrypto', webCryptoEd25519],
  ] as const) {
    it(`passes every check (${name})`, async () => {
      const result = await verifyBundle(serializeBundle(good), trust(), crypto);
      expect(result.checks.map((c) => [c.name, c.code])).toEqual(ALL.map((n) => [n, 'ok']));
      expect(result.ok).toBe(true);
      expect(result.type).toBe('certificate');
      expect(result.payload?.number).toBe('DIP-2025-000123');
      expect(result.entry?.kind).toBe('certificate.issued');
      expect(result.checkpoint).toEqual({ origin: ORIGIN, size: log.size, rootHash: Buffer.from(log.root()).toString('hex') });
    });
  }

  it('accepts the bundle as text, bytes or parsed value', async () => {
    for (const input of [serializeBundle(good), utf8(serializeBundle(good)), good]) expect((await verifyBundle(input, trust(), nodeEd25519)).ok).toBe(true);
  });

  it('verifies against any later checkpoint, and a checkpoint with an extra (unknown) cosignature', async () => {
    for (let size = newCert.index + 1; size <= log.size; size++) expect((await verifyBundle(await bundleFor(log, newCert, size), trust(), nodeEd25519)).ok).toBe(true);
    const witness = testKey('witness.example/w1', 'witness');
    const b = clone(good);
    const { signNote } = await import('../../src/ledger/note.ts');
    b.checkpoint = await signNote(b.checkpoint.slice(0, b.checkpoint.lastIndexOf('\n\n') + 1), [LOG_KEY.signer, witness.signer]);
    expect((await verifyBundle(b, trust(), nodeEd25519)).ok).toBe(true);
  });

  it('a retired key still verifies what it signed within its window', async () => {
    const result = await verifyBundle(await bundleFor(log, oldCert), trust(), nodeEd25519);
    expect(result.payload?.keyId).toBe(CERT_KEY_OLD.keyId);
    expect(failed(result)).toEqual({});
  });
});

describe('verifyBundle: tampering names the failed check', () => {
  it('one character of the payload (still canonical) → entry_matches_payload and certificate_signature', async () => {
    const b = clone(good);
    b.payload = b.payload!.replace('福建数据科技', '福建数据料技');
    const r = await verifyBundle(b, trust(), nodeEd25519);
    expect(failed(r)).toEqual({ entry_matches_payload: 'entry_mismatch', certificate_signature: 'bad_signature' });
    expect(r.checks.find((c) => c.name === 'entry_matches_payload')?.detail).toBe('entry field payloadDigest differs from the payload');
  });

  it('a field the entry repeats (files) → entry_matches_payload names it', async () => {
    const b = clone(good);
    b.payload = b.payload!.replace('"files":1284', '"files":1285');
    const r = await verifyBundle(b, trust(), nodeEd25519);
    expect(failed(r)).toEqual({ entry_matches_payload: 'entry_mismatch', certificate_signature: 'bad_signature' });
    expect(r.checks.find((c) => c.name === 'entry_matches_payload')?.detail).toBe('entry field files differs from the payload');
  });

  it('every single character of the payload → not ok, never a throw', async () => {
    const payload = good.payload!;
    for (let i = 0; i < payload.length; i++) {
      const b = clone(good);
      b.payload = flipChar(payload, i);
      if (b.payload === payload) continue;
      const r = await verifyBundle(b, trust(), nodeEd25519);
      expect(r.ok, `payload char ${i}`).toBe(false);
    }
  });

  it('the payload made non-canonical → format', async () => {
    const b = clone(good);
    b.payload = b.payload!.replace('{"dataset"', '{ "dataset"');
    const r = await verifyBundle(b, trust(), nodeEd25519);
    expect(failed(r)).toEqual({
      format: 'bad_format',
      checkpoint_signature: 'not_checked',
      inclusion_proof: 'not_checked',
      entry_matches_payload: 'not_checked',
      certificate_signature: 'not_checked',
      key_validity: 'not_checked',
    });
    expect(r.checks[0]!.detail).toBe('payload is not in RFC 8785 canonical form');
  });

  it('one bit of the signature → certificate_signature', async () => {
    for (const byte of [0, 31, 32, 63]) {
      const b = clone(good);
      const sig = fromBase64(b.signature!.sig);
      sig[byte]! ^= 0x01;
      b.signature!.sig = toBase64(sig);
      expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ certificate_signature: 'bad_signature' });
    }
  });

  it('one character of a proof hash → inclusion_proof', async () => {
    for (let h = 0; h < good.inclusion.proof.length; h++) {
      const b = clone(good);
      b.inclusion.proof[h] = flipChar(b.inclusion.proof[h]!, 17);
      expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ inclusion_proof: 'inclusion_mismatch' });
    }
  });

  it('a proof hash dropped, added or swapped → inclusion_proof', async () => {
    const variants: ((p: string[]) => string[])[] = [(p) => p.slice(1), (p) => [...p, p[0]!], (p) => [p[1]!, p[0]!, ...p.slice(2)], () => []];
    for (const v of variants) {
      const b = clone(good);
      b.inclusion.proof = v(b.inclusion.proof);
      expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ inclusion_proof: 'inclusion_mismatch' });
    }
  });

  it('the wrong leaf index → inclusion_proof and entry_matches_payload', async () => {
    const b = clone(good);
    b.entry.index += 1;
    expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ inclusion_proof: 'inclusion_mismatch', entry_matches_payload: 'entry_mismatch' });
  });

  it('the checkpoint: its root, its size, its signature, its origin', async () => {
    const split = good.checkpoint.lastIndexOf('\n\n');
    const [origin, size, root] = good.checkpoint.slice(0, split).split('\n') as [string, string, string];
    const sigLine = good.checkpoint.slice(split + 2);

    const rootFlipped = clone(good);
    rootFlipped.checkpoint = `${origin}\n${size}\n${flipChar(root, 5)}\n\n${sigLine}`;
    expect(failed(await verifyBundle(rootFlipped, trust(), nodeEd25519))).toEqual({ checkpoint_signature: 'bad_signature', inclusion_proof: 'inclusion_mismatch' });

    const sizeChanged = clone(good);
    sizeChanged.checkpoint = `${origin}\n${Number(size) + 1}\n${root}\n\n${sigLine}`;
    expect(failed(await verifyBundle(sizeChanged, trust(), nodeEd25519))).toEqual({ checkpoint_signature: 'bad_signature', inclusion_proof: 'inclusion_mismatch' });

    const sigFlipped = clone(good);
    const at = sigLine.length - 10;
    sigFlipped.checkpoint = `${origin}\n${size}\n${root}\n\n${flipChar(sigLine, at)}`;
    expect(failed(await verifyBundle(sigFlipped, trust(), nodeEd25519))).toEqual({ checkpoint_signature: 'bad_signature' });

    // Another log's checkpoint over the same tree: no trusted key is named by its origin.
    const other = new TestLog('other.example/log', testKey('other.example/log', 'other').signer);
    for (const e of log.entries) other.append(e);
    const foreign = clone(good);
    foreign.checkpoint = await other.checkpoint();
    expect(failed(await verifyBundle(foreign, trust(), nodeEd25519))).toEqual({ checkpoint_signature: 'unknown_key', entry_matches_payload: 'origin_mismatch' });
  });

  it('a checkpoint signed by an impostor key of the same name → checkpoint_signature unknown_key', async () => {
    const impostor = new TestLog(ORIGIN, testKey(ORIGIN, 'impostor').signer);
    for (const e of log.entries) impostor.append(e);
    const b = clone(good);
    b.checkpoint = await impostor.checkpoint();
    expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ checkpoint_signature: 'unknown_key' });
  });

  it('a malformed checkpoint → format', async () => {
    for (const cp of ['', 'no signature\n', good.checkpoint.replace('\u2014', '-'), good.checkpoint.replace(/\n\n/, '\n\n\n')]) {
      const b = clone(good);
      b.checkpoint = cp || 'x';
      expect(failed(await verifyBundle(b, trust(), nodeEd25519)).format).toBe('bad_format');
    }
  });

  it('the log entry: one character (still canonical) → inclusion_proof and entry_matches_payload', async () => {
    const b = clone(good);
    b.entry.data = toBase64(utf8(fromUtf8(fromBase64(b.entry.data)).replace('"files":1284', '"files":1285')));
    expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ inclusion_proof: 'inclusion_mismatch', entry_matches_payload: 'entry_mismatch' });
  });

  it('another certificate’s entry and proof under this payload → entry_matches_payload', async () => {
    const other = await bundleFor(log, oldCert);
    const b = clone(good);
    b.entry = other.entry;
    b.inclusion = other.inclusion;
    expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ entry_matches_payload: 'entry_mismatch' });
  });

  it('the signature’s key ID changed → certificate_signature', async () => {
    const b = clone(good);
    b.signature!.keyId = CERT_KEY_OLD.keyId;
    expect(failed(await verifyBundle(b, trust(), nodeEd25519))).toEqual({ certificate_signature: 'unknown_key' });
  });

  it('random single-character edits of the bundle text never throw and verify only if the JSON value is unchanged', async () => {
    const text = serializeBundle(good);
    const original = JSON.parse(text);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: text.length - 1 }), fc.constantFrom(...' ",:{}[]0aA+/=\\\n\u2014é'), async (i, c) => {
        const mutated = text.slice(0, i) + c + text.slice(i + 1);
        const r = await verifyBundle(mutated, trust(), nodeEd25519);
        let same = false;
        try {
          same = JSON.stringify(JSON.parse(mutated)) === JSON.stringify(original);
        } catch {
          same = false;
        }
        expect(r.ok).toBe(same);
      }),
      { numRuns: 400 },
    );
  });
});

describe('verifyBundle: keys and validity windows', () => {
  it('a certificate dated after its key was retired → key_validity', async () => {
    const l = new TestLog();
    const late = await issue(l, sampleFields({ keyId: CERT_KEY_OLD.keyId }, CERT_KEY_OLD), CERT_KEY_OLD); // issued 2025-07-01
    const r = await verifyBundle(await bundleFor(l, late), trust(), nodeEd25519);
    expect(failed(r)).toEqual({ key_validity: 'key_not_valid_at_issue_date' });
  });

  it('a certificate dated before its key existed → key_validity', async () => {
    const l = new TestLog();
    const early = await issue(l, sampleFields({ issuedAt: '2025-05-31T23:59:59Z', validFrom: '2025-05-31T00:00:00Z' }));
    expect(failed(await verifyBundle(await bundleFor(l, early), trust(), nodeEd25519))).toEqual({ key_validity: 'key_not_valid_at_issue_date' });
    // …and at the first instant of its window it is valid; the old key's window is half-open.
    const onTime = await issue(l, sampleFields({ number: 'DIP-2025-000124', issuedAt: '2025-06-01T00:00:00Z', validFrom: '2025-06-01T00:00:00Z' }));
    expect((await verifyBundle(await bundleFor(l, onTime), trust(), nodeEd25519)).ok).toBe(true);
    const atRetirement = await issue(
      l,
      sampleFields({ number: 'DIP-2025-000125', issuedAt: CERT_KEY_OLD_WINDOW.validUntil.replace('.000', ''), keyId: CERT_KEY_OLD.keyId }, CERT_KEY_OLD),
      CERT_KEY_OLD,
    );
    expect(failed(await verifyBundle(await bundleFor(l, atRetirement), trust(), nodeEd25519))).toEqual({ key_validity: 'key_not_valid_at_issue_date' });
  });

  it('an untrusted certificate key → certificate_signature and key_validity unknown_key', async () => {
    const t: TrustedKeys = { logKeys: [LOG_KEY.vkey], certificateKeys: [{ vkey: CERT_KEY_OLD.vkey, ...CERT_KEY_OLD_WINDOW }] };
    expect(failed(await verifyBundle(good, t, nodeEd25519))).toEqual({ certificate_signature: 'unknown_key', key_validity: 'unknown_key' });
  });

  it('a certificate key of another origin is not accepted, even with the same key material', async () => {
    const foreign = testKey('other.example/log/certificate', 'certificate 2025');
    const t: TrustedKeys = { logKeys: [LOG_KEY.vkey], certificateKeys: [{ vkey: foreign.vkey, ...CERT_KEY_NEW_WINDOW }] };
    expect(failed(await verifyBundle(good, t, nodeEd25519))).toEqual({ certificate_signature: 'unknown_key', key_validity: 'unknown_key' });
  });

  it('the log key used as a certificate key, or a certificate key as log key → unknown_key', async () => {
    const t: TrustedKeys = { logKeys: [CERT_KEY_NEW.vkey], certificateKeys: [{ vkey: LOG_KEY.vkey, ...CERT_KEY_NEW_WINDOW }] };
    expect(failed(await verifyBundle(good, t, nodeEd25519))).toEqual({ checkpoint_signature: 'unknown_key', certificate_signature: 'unknown_key', key_validity: 'unknown_key' });
  });

  it('a malformed trust set is a caller error', async () => {
    await expectCodeAsync(() => verifyBundle(good, { logKeys: ['nope'], certificateKeys: [] }, nodeEd25519), 'invalid_trusted_key');
    await expectCodeAsync(
      () => verifyBundle(good, { logKeys: [], certificateKeys: [{ vkey: CERT_KEY_NEW.vkey, validFrom: 'yesterday', validUntil: null }] }, nodeEd25519),
      'invalid_trusted_key',
    );
  });

  it('a crypto function that throws or answers oddly counts as a bad signature', async () => {
    const throwing = { verifyEd25519: () => { throw new Error('boom'); } };
    expect(failed(await verifyBundle(good, trust(), throwing))).toEqual({ checkpoint_signature: 'bad_signature', certificate_signature: 'bad_signature' });
    const truthy = { verifyEd25519: () => 1 as unknown as boolean };
    expect((await verifyBundle(good, trust(), truthy)).ok).toBe(false);
  });

  it('openCheckpoint verifies a checkpoint note on its own', async () => {
    const note = await log.checkpoint();
    const opened = await openCheckpoint(note, [LOG_KEY.vkey], nodeEd25519);
    expect(opened.ok && opened.checkpoint.size).toBe(log.size);
    expect(await openCheckpoint(note, [CERT_KEY_NEW.vkey], nodeEd25519)).toMatchObject({ ok: false, code: 'unknown_key' });
    expect(await openCheckpoint('junk', [LOG_KEY.vkey], nodeEd25519)).toMatchObject({ ok: false, code: 'bad_format' });
  });
});

describe('verifyBundle: receipts and garbage', () => {
  it('verifies an evidence receipt (entry + proof + checkpoint) with three checks', async () => {
    const l = new TestLog();
    l.fill(3);
    const entry = encodeEntry({ kind: 'evidence.deposited', time: '2025-08-01T00:00:00Z', depositId: 'dep_01', digest: 'ef'.repeat(32) });
    const index = l.append(entry);
    l.fill(2);
    const receipt = buildBundle({ type: 'evidence', entry: { index, data: entry }, inclusion: { treeSize: l.size, proof: l.inclusionProof(index) }, checkpoint: await l.checkpoint() });
    const r = await verifyBundle(receipt, trust(), nodeEd25519);
    expect(r.checks.map((c) => [c.name, c.code])).toEqual([
      ['format', 'ok'],
      ['checkpoint_signature', 'ok'],
      ['inclusion_proof', 'ok'],
    ]);
    expect(r.ok).toBe(true);
    // The same entry presented as a pledge receipt does not fit the type.
    expect(failed(await verifyBundle({ ...receipt, type: 'pledge' }, trust(), nodeEd25519)).format).toBe('bad_format');
    // A certificate entry is not an evidence receipt either.
    const asReceipt = { ...good, type: 'evidence' as const, payload: undefined, signature: undefined };
    expect(failed(await verifyBundle(JSON.parse(JSON.stringify(asReceipt)), trust(), nodeEd25519)).format).toBe('bad_format');
  });

  it('never throws on garbage input', async () => {
    for (const input of [undefined, null, 42, 'x', '{}', [], { format: 'datadeed-bundle/1', type: 'certificate' }, new Uint8Array(3), '\u0000']) {
      const r = await verifyBundle(input, trust(), nodeEd25519);
      expect(r.ok).toBe(false);
      expect(r.checks[0]).toMatchObject({ name: 'format', ok: false, code: 'bad_format' });
    }
  });
});
