import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex } from '../../src/ledger/index.ts';
import {
  ed25519Signer,
  ed25519Verifier,
  formatSignerKey,
  formatVerifierKey,
  keyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteSigner,
  type NoteVerifier,
} from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector } from './vectors.ts';

const { expectCode, expectCodeAsync } = assertCodes(LedgerError);

interface NoteVector {
  verifierKey: string;
  signerKey: string;
  name: string;
  keyId: string;
  text: string;
  note: string;
}
const kat = loadVector<NoteVector>('signed-note.json');
const peter = (): NoteVerifier => ed25519Verifier(kat.verifierKey);
const seedA = new Uint8Array(32).fill(1);
const seedB = new Uint8Array(32).fill(2);

describe('signed-note known answers (Go sumdb/note example)', () => {
  it('computes the key ID c74f20a3', () => {
    const { publicKey } = parseVerifierKey(kat.verifierKey);
    expect(keyId(kat.name, publicKey).toString(16).padStart(8, '0')).toBe(kat.keyId);
    expect(formatVerifierKey(kat.name, publicKey)).toBe(kat.verifierKey);
  });

  it('parses the signer key to the same public key and formats it back', () => {
    const sk = parseSignerKey(kat.signerKey);
    const vk = parseVerifierKey(kat.verifierKey);
    expect(sk.name).toBe(kat.name);
    expect(sk.keyId).toBe(vk.keyId);
    expect(toHex(sk.publicKey)).toBe(toHex(vk.publicKey));
    expect(formatSignerKey(sk.name, sk.seed)).toBe(kat.signerKey);
  });

  it('opens the example note', async () => {
    const opened = await openNote(kat.note, [peter()]);
    expect(opened.text).toBe(kat.text);
    expect(opened.verified).toEqual([{ name: kat.name, keyId: 0xc74f20a3 }]);
    expect(opened.unverified).toEqual([]);
  });

  it('reproduces the example signature (Ed25519 is deterministic)', async () => {
    const sk = parseSignerKey(kat.signerKey);
    expect(await signNote(kat.text, [ed25519Signer(sk.name, sk.seed)])).toBe(kat.note);
  });

  it('signatures are byte-identical to node:crypto Ed25519', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
    const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
    const signer = ed25519Signer('datadeed.example/log', seed);
    const msg = new TextEncoder().encode('hello\n');
    expect(await signer.sign(msg)).toEqual(new Uint8Array(nodeSign(null, msg, privateKey)));
    expect(signer.keyId).toBe(keyId('datadeed.example/log', pub));
  });
});

describe('tampered notes', () => {
  const sigLine = kat.note.slice(kat.note.lastIndexOf('\n\n') + 2);
  it('altered text', async () => {
    await expectCodeAsync(() => openNote(kat.note.replace('cryptography', 'cryptographY'), [peter()]), 'note_unverified');
    await expectCodeAsync(() => openNote(kat.note.replace('problem,\n', 'problem.\n'), [peter()]), 'note_unverified');
  });
  it('altered signature', async () => {
    const b64 = sigLine.slice(sigLine.indexOf(' ', 2) + 1, -1);
    const raw = fromBase64(b64);
    raw[20]! ^= 0x01;
    await expectCodeAsync(() => openNote(kat.note.replace(b64, toBase64(raw)), [peter()]), 'note_unverified');
    const short = toBase64(fromBase64(b64).slice(0, 40));
    await expectCodeAsync(() => openNote(kat.note.replace(b64, short), [peter()]), 'note_unverified');
  });
  it('signed only by an unknown key', async () => {
    const other = ed25519Signer('other.example', seedA);
    const note = await signNote(kat.text, [other]);
    await expectCodeAsync(() => openNote(note, [peter()]), 'note_unverified');
    await expectCodeAsync(() => openNote(kat.note, []), 'note_unverified');
  });
  it('known name with a wrong key ID is an unknown key', async () => {
    const b64 = sigLine.slice(sigLine.indexOf(' ', 2) + 1, -1);
    const raw = fromBase64(b64);
    raw[0]! ^= 0xff;
    await expectCodeAsync(() => openNote(kat.note.replace(b64, toBase64(raw)), [peter()]), 'note_unverified');
    // ...and the unknown line is reported when another key verifies.
    const other = ed25519Signer('PeterNeumann', seedA);
    const note = (await signNote(kat.text, [other])) + sigLine.replace(b64, toBase64(raw));
    const opened = await openNote(note, [ed25519Verifier(formatVerifierKey('PeterNeumann', parseSignerKey(formatSignerKey('PeterNeumann', seedA)).publicKey))]);
    expect(opened.verified).toEqual([{ name: 'PeterNeumann', keyId: other.keyId }]);
    expect(opened.unverified).toEqual([{ name: 'PeterNeumann', keyId: 0x384f20a3 }]);
  });
  it('a known key signing twice is malformed; repeated unknown lines are listed once', async () => {
    await expectCodeAsync(() => openNote(kat.note + sigLine, [peter()]), 'malformed_note');
    const other = await signNote(kat.text, [ed25519Signer('other.example', seedA)]);
    const otherLine = other.slice(other.lastIndexOf('\n\n') + 2);
    const opened = await openNote(kat.note + otherLine + otherLine, [peter()]);
    expect(opened.unverified).toHaveLength(1);
    expect(opened.verified).toHaveLength(1);
  });
  it('missing blank line, missing final newline, stray lines', async () => {
    await expectCodeAsync(() => openNote(kat.note.replace('\n\n', '\n'), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.slice(0, -1), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(`${kat.note}not a signature\n`, [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('\u2014 ', '- '), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('\u2014 ', '\u2014'), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('PeterNeumann ', 'PeterNeumann  '), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('PeterNeumann ', 'Peter Neumann '), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('PeterNeumann ', 'Peter+Neumann '), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace(/=\n$/, '\n'), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(`${kat.note}\n`, [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('problem,', 'problem,\t'), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(kat.note.replace('problem,\n', 'problem,\r\n'), [peter()]), 'malformed_note');
    await expectCodeAsync(() => openNote(`${kat.text}\n\u2014 PeterNeumann AAAA\n`, [peter()]), 'malformed_note'); // signature < 5 bytes
  });
  it('bounds the size and the number of signatures', async () => {
    await expectCodeAsync(() => openNote('a'.repeat(1 << 20) + kat.note, [peter()]), 'malformed_note');
    const line = `\u2014 x.example ${toBase64(new Uint8Array(68))}\n`;
    await expectCodeAsync(() => openNote(kat.note + line.repeat(100), [peter()]), 'malformed_note');
    const many = kat.note + Array.from({ length: 99 }, (_, i) => `\u2014 x${i}.example ${toBase64(new Uint8Array(68))}\n`).join('');
    expect((await openNote(many, [peter()])).unverified).toHaveLength(99);
  });
  it('ambiguous verifiers are refused', async () => {
    await expectCodeAsync(() => openNote(kat.note, [peter(), peter()]), 'malformed_verifier_key');
  });
  it('a throwing or async verifier is handled', async () => {
    const v = peter();
    const asyncV: NoteVerifier = { name: v.name, keyId: v.keyId, verify: async (m, s) => v.verify(m, s) };
    expect((await openNote(kat.note, [asyncV])).verified).toHaveLength(1);
    const throwing: NoteVerifier = { name: v.name, keyId: v.keyId, verify: () => { throw new Error('boom'); } };
    await expectCodeAsync(() => openNote(kat.note, [throwing]), 'note_unverified');
  });
});

describe('signNote', () => {
  it('signs with several keys; each verifier sees its own and lists the rest as unverified', async () => {
    const a = ed25519Signer('a.example/log', seedA);
    const b = ed25519Signer('b.example/witness', seedB);
    const note = await signNote('origin\n5\nAAAA\n', [a, b]);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['origin', '5', 'AAAA', '']);
    expect(lines[4]!.startsWith('\u2014 a.example/log ')).toBe(true);
    expect(lines[5]!.startsWith('\u2014 b.example/witness ')).toBe(true);
    expect(lines[6]).toBe('');
    expect(lines).toHaveLength(7);
    const vkA = formatVerifierKey('a.example/log', parseSignerKey(formatSignerKey('a.example/log', seedA)).publicKey);
    const opened = await openNote(note, [ed25519Verifier(vkA)]);
    expect(opened.text).toBe('origin\n5\nAAAA\n');
    expect(opened.verified).toEqual([{ name: 'a.example/log', keyId: a.keyId }]);
    expect(opened.unverified).toEqual([{ name: 'b.example/witness', keyId: b.keyId }]);
  });
  it('accepts async signers and texts with blank lines', async () => {
    const a = ed25519Signer('a.example', seedA);
    const asyncSigner: NoteSigner = { name: a.name, keyId: a.keyId, sign: async (m) => a.sign(m) };
    const text = 'para one\n\npara two\n';
    const note = await signNote(text, [asyncSigner]);
    const vk = formatVerifierKey('a.example', parseSignerKey(formatSignerKey('a.example', seedA)).publicKey);
    expect((await openNote(note, [ed25519Verifier(vk)])).text).toBe(text);
  });
  it('rejects invalid texts and signers', async () => {
    const a = ed25519Signer('a.example', seedA);
    await expectCodeAsync(() => signNote('no newline', [a]), 'malformed_note');
    await expectCodeAsync(() => signNote('', [a]), 'malformed_note');
    await expectCodeAsync(() => signNote('tab\there\n', [a]), 'malformed_note');
    await expectCodeAsync(() => signNote('lone \ud800 surrogate\n', [a]), 'malformed_note');
    await expectCodeAsync(() => signNote('x\n', []), 'malformed_note');
    await expectCodeAsync(() => signNote('x\n', [a, a]), 'malformed_signer_key');
    await expectCodeAsync(() => signNote('x\n', [{ ...a, name: 'bad name' }]), 'malformed_signer_key');
    await expectCodeAsync(() => signNote('x\n', [{ ...a, keyId: -1 }]), 'malformed_signer_key');
    await expectCodeAsync(() => signNote('x\n', [{ ...a, keyId: 2 ** 32 }]), 'malformed_signer_key');
  });
});

describe('verifier and signer key encodings', () => {
  it('rejects every proper substring and every single-character change of the vkey', () => {
    const vkey = kat.verifierKey;
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if (i === 0 && j === vkey.length) continue;
        expectCode(() => parseVerifierKey(vkey.slice(i, j)), 'malformed_verifier_key');
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const changed = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expectCode(() => parseVerifierKey(changed), 'malformed_verifier_key');
    }
  });
  it('rejects bad names, key IDs, algorithms and key sizes', () => {
    const pub = parseVerifierKey(kat.verifierKey).publicKey;
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u2003b', 'a\u0085b', 'a\nb', 'a\u3000b']) {
      expectCode(() => formatVerifierKey(name, pub), 'malformed_verifier_key');
      expectCode(() => formatSignerKey(name, seedA), 'malformed_signer_key');
      expectCode(() => ed25519Signer(name, seedA), 'malformed_signer_key');
    }
    expectCode(() => formatVerifierKey('a', pub.slice(1)), 'malformed_verifier_key');
    expectCode(() => formatSignerKey('a', seedA.slice(1)), 'malformed_signer_key');
    expectCode(() => ed25519Signer('a', seedA.slice(1)), 'malformed_signer_key');
    const [name, , b64] = ['PeterNeumann', 'c74f20a3', kat.verifierKey.split('+').slice(2).join('+')];
    expectCode(() => parseVerifierKey(`${name}+C74F20A3+${b64}`), 'malformed_verifier_key'); // uppercase hex
    expectCode(() => parseVerifierKey(`${name}+c74f20a4+${b64}`), 'malformed_verifier_key');
    expectCode(() => parseVerifierKey(`${name}+c74f20a+${b64}`), 'malformed_verifier_key');
    const raw = fromBase64(b64);
    raw[0] = 0x02; // ECDSA type byte
    expectCode(() => parseVerifierKey(`${name}+c74f20a3+${toBase64(raw)}`), 'malformed_verifier_key');
    expectCode(() => parseVerifierKey(`Peter+c74f20a3+${b64}`), 'malformed_verifier_key'); // name not hashed into the id
  });
  it('rejects malformed signer keys', () => {
    const skey = kat.signerKey;
    expectCode(() => parseSignerKey(skey.replace('PRIVATE+KEY+', 'PRIVATE+KEYS+')), 'malformed_signer_key');
    expectCode(() => parseSignerKey(skey.replace('PRIVATE+KEY+', '')), 'malformed_signer_key');
    expectCode(() => parseSignerKey(skey.replace('c74f20a3', 'c74f20a4')), 'malformed_signer_key');
    expectCode(() => parseSignerKey(skey.replace('PeterNeumann', 'PeterNeumanm')), 'malformed_signer_key');
    expectCode(() => parseSignerKey(skey.slice(0, -1)), 'malformed_signer_key');
    expectCode(() => parseSignerKey(kat.verifierKey), 'malformed_signer_key');
    expectCode(() => parseVerifierKey(skey), 'malformed_verifier_key');
  });
  it('round-trips generated keys', () => {
    for (const seed of [seedA, seedB]) {
      const skey = formatSignerKey('datadeed.example/log', seed);
      const parsed = parseSignerKey(skey);
      expect(parsed.seed).toEqual(seed);
      const vkey = formatVerifierKey('datadeed.example/log', parsed.publicKey);
      expect(parseVerifierKey(vkey)).toEqual({ name: 'datadeed.example/log', keyId: parsed.keyId, publicKey: parsed.publicKey });
      expect(ed25519Verifier(vkey).keyId).toBe(ed25519Signer('datadeed.example/log', seed).keyId);
    }
  });
  it('a verifier rejects signatures of the wrong size and non-canonical S', async () => {
    const v = peter();
    const msg = new TextEncoder().encode(kat.text);
    const sig = fromBase64(kat.note.slice(kat.note.lastIndexOf(' ') + 1, -1)).slice(4);
    expect(await v.verify(msg, sig)).toBe(true);
    expect(await v.verify(msg, sig.slice(0, 63))).toBe(false);
    expect(await v.verify(msg, new Uint8Array(64))).toBe(false);
    // S + L (the group order) is the same scalar but not canonical: RFC 8032 §5.1.7 rejects it.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    const t = s + L;
    if (t < 2n ** 256n) {
      const bad = sig.slice();
      for (let i = 0; i < 32; i++) bad[32 + i] = Number((t >> BigInt(8 * i)) & 0xffn);
      expect(await v.verify(msg, bad)).toBe(false);
    }
  });
});
