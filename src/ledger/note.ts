/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures (signature
 * type 0x01), and the verifier / signer key encodings of Go's
 * golang.org/x/mod/sumdb/note, so keys and notes interoperate with standard tlog
 * clients and witnesses.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, fromBase64, toBase64, utf8 } from './bytes.ts';
import { LedgerError } from './errors.ts';
import { sha256 } from './hasher.ts';
import { isWellFormedText } from './json.ts';

// @noble/ed25519 3 needs a synchronous SHA-512 for sign/verify/getPublicKey.
ed.hashes.sha512 = sha512;

/** Signature type identifier of Ed25519 (C2SP signed-note §Signature types). */
const ALG_ED25519 = 0x01;
/** Maximum accepted size of a note, in UTF-8 bytes (C2SP signed-note §Format: SHOULD limit). */
const MAX_NOTE_BYTES = 1 << 20;
/** Maximum signature lines in a note (the spec requires accepting at least 16). */
const MAX_SIGNATURES = 100;
/** "— " — em dash (U+2014) and space, the prefix of a signature line. */
const SIG_PREFIX = '\u2014 ';

// ASCII control characters other than newline (C2SP signed-note §Format).
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /\p{Cs}/u;
// Unicode spaces (JS \s plus U+0085, which Go's unicode.IsSpace also counts), and
// control characters, which a note may not contain anyway.
const NAME_FORBIDDEN = /[\s\u0085\p{Cc}+]/u;

/** A key able to sign notes: its name, key ID and a signing function over the note text. */
export interface NoteSigner {
  name: string;
  keyId: number;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** A trusted key: its name, key ID and a verification function over the note text. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** A signature line's identity: key name and key ID. */
export interface NoteSignatureId {
  name: string;
  keyId: number;
}

/** The result of {@link openNote}. */
export interface OpenedNote {
  /** The note text, including its final newline, excluding the separating blank line. */
  text: string;
  /** Signatures by known keys, each verified (one entry per key). */
  verified: NoteSignatureId[];
  /** Signatures by unknown keys, not checked (duplicate identical lines dropped). */
  unverified: NoteSignatureId[];
}

function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !NAME_FORBIDDEN.test(name) && !LONE_SURROGATE.test(name);
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/**
 * The key ID of an Ed25519 key (C2SP signed-note §Ed25519 signatures): the first four
 * bytes, big-endian, of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key).
 */
export function keyId(name: string, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ALG_ED25519), publicKey));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/**
 * Encodes a verifier key in the standard vkey form `<name>+<8 hex key ID>+<base64(0x01 ‖
 * public key)>` (Go sumdb/note; C2SP signed-note key IDs).
 * @throws LedgerError `malformed_verifier_key` for an invalid name or a key that is not 32 bytes.
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LedgerError('malformed_verifier_key', 'invalid key name');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new LedgerError('malformed_verifier_key', 'Ed25519 public key must be 32 bytes');
  }
  return `${name}+${hex8(keyId(name, publicKey))}+${toBase64(concatBytes(Uint8Array.of(ALG_ED25519), publicKey))}`;
}

/** Splits `<name>+<hex8>+<base64>`; the base64 part may itself contain '+'. */
function splitKey(text: string): [string, string, string] | undefined {
  const a = text.indexOf('+');
  if (a < 0) return undefined;
  const b = text.indexOf('+', a + 1);
  if (b < 0) return undefined;
  return [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
}

function decodeTypedKey(b64: string): Uint8Array | undefined {
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    return undefined;
  }
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) return undefined;
  return raw.slice(1);
}

const HEX8 = /^[0-9a-f]{8}$/;

/**
 * Parses a vkey `<name>+<hex key ID>+<base64(0x01 ‖ 32-byte public key)>`: a valid key
 * name (C2SP signed-note §Format: non-empty, no Unicode spaces, no '+'), 8 lowercase
 * hex digits, canonical base64 of an Ed25519 key, and a key ID that matches the name
 * and key.
 * @throws LedgerError `malformed_verifier_key`.
 */
export function parseVerifierKey(vkey: string): { name: string; keyId: number; publicKey: Uint8Array } {
  const parts = typeof vkey === 'string' ? splitKey(vkey) : undefined;
  if (parts === undefined) throw new LedgerError('malformed_verifier_key', 'malformed verifier key');
  const [name, idHex, b64] = parts;
  if (!isValidKeyName(name) || !HEX8.test(idHex)) throw new LedgerError('malformed_verifier_key', 'malformed verifier key');
  const publicKey = decodeTypedKey(b64);
  if (publicKey === undefined) throw new LedgerError('malformed_verifier_key', 'malformed verifier key');
  const id = Number.parseInt(idHex, 16);
  if (keyId(name, publicKey) !== id) throw new LedgerError('malformed_verifier_key', 'key ID does not match the key');
  return { name, keyId: id, publicKey };
}

const SIGNER_PREFIX = 'PRIVATE+KEY+';

/**
 * Encodes a signer key as Go's sumdb/note does:
 * `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 ‖ 32-byte Ed25519 seed)>`.
 * @throws LedgerError `malformed_signer_key` for an invalid name or a seed that is not 32 bytes.
 */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LedgerError('malformed_signer_key', 'invalid key name');
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new LedgerError('malformed_signer_key', 'Ed25519 seed must be 32 bytes');
  }
  const id = keyId(name, ed.getPublicKey(seed));
  return `${SIGNER_PREFIX}${name}+${hex8(id)}+${toBase64(concatBytes(Uint8Array.of(ALG_ED25519), seed))}`;
}

/**
 * Parses a signer key in Go's sumdb/note form (see {@link formatSignerKey}); checks the
 * key ID against the public key derived from the seed (RFC 8032 §5.1.5).
 * @throws LedgerError `malformed_signer_key`.
 */
export function parseSignerKey(skey: string): { name: string; keyId: number; seed: Uint8Array; publicKey: Uint8Array } {
  if (typeof skey !== 'string' || !skey.startsWith(SIGNER_PREFIX)) {
    throw new LedgerError('malformed_signer_key', 'malformed signer key');
  }
  const parts = splitKey(skey.slice(SIGNER_PREFIX.length));
  if (parts === undefined) throw new LedgerError('malformed_signer_key', 'malformed signer key');
  const [name, idHex, b64] = parts;
  if (!isValidKeyName(name) || !HEX8.test(idHex)) throw new LedgerError('malformed_signer_key', 'malformed signer key');
  const seed = decodeTypedKey(b64);
  if (seed === undefined) throw new LedgerError('malformed_signer_key', 'malformed signer key');
  const publicKey = ed.getPublicKey(seed);
  const id = Number.parseInt(idHex, 16);
  if (keyId(name, publicKey) !== id) throw new LedgerError('malformed_signer_key', 'key ID does not match the key');
  return { name, keyId: id, seed, publicKey };
}

/**
 * An Ed25519 note signer (RFC 8032 deterministic signatures over the note text) with
 * the C2SP signed-note key ID for `name` and the key derived from `seed`.
 * @throws LedgerError `malformed_signer_key` for an invalid name or seed size.
 */
export function ed25519Signer(name: string, seed: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new LedgerError('malformed_signer_key', 'invalid key name');
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new LedgerError('malformed_signer_key', 'Ed25519 seed must be 32 bytes');
  }
  const secret = seed.slice();
  const id = keyId(name, ed.getPublicKey(secret));
  return {
    name,
    keyId: id,
    sign: (message: Uint8Array): Uint8Array => ed.sign(message, secret),
  };
}

/**
 * An Ed25519 note verifier for a vkey (see {@link parseVerifierKey}). Verification
 * follows RFC 8032 §5.1.7 strictly (no ZIP-215 leniency), like Go's crypto/ed25519;
 * a signature that is not 64 bytes, or any decoding failure, is simply invalid.
 * @throws LedgerError `malformed_verifier_key`.
 */
export function ed25519Verifier(vkey: string): NoteVerifier {
  const { name, keyId: id, publicKey } = parseVerifierKey(vkey);
  return {
    name,
    keyId: id,
    verify(message: Uint8Array, signature: Uint8Array): boolean {
      if (signature.length !== 64) return false;
      try {
        return ed.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

function checkNoteCharacters(text: string): boolean {
  return !FORBIDDEN_CONTROL.test(text) && isWellFormedText(text);
}

function signatureLine(name: string, id: number, sig: Uint8Array): string {
  const idBytes = Uint8Array.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
  return `${SIG_PREFIX}${name} ${toBase64(concatBytes(idBytes, sig))}\n`;
}

/**
 * Signs a note (C2SP signed-note §Format): returns `text`, a blank line, and one line
 * `— <name> <base64(key ID, 4 bytes big-endian ‖ signature)>` per signer, in order.
 * Each signer signs the UTF-8 bytes of `text`.
 * @param text - the note text: ends with a newline, valid Unicode, no control
 *   characters other than newline, at most 1 MiB.
 * @throws LedgerError `malformed_note` (bad text or no signers) or
 *   `malformed_signer_key` (invalid name or key ID, or two signers with the same key).
 */
export async function signNote(text: string, signers: NoteSigner[]): Promise<string> {
  if (typeof text !== 'string' || !text.endsWith('\n') || !checkNoteCharacters(text)) {
    throw new LedgerError('malformed_note', 'note text must end with a newline and contain no control characters');
  }
  const message = utf8(text);
  if (message.length > MAX_NOTE_BYTES) throw new LedgerError('malformed_note', 'note is too large');
  if (signers.length === 0) throw new LedgerError('malformed_note', 'a signed note needs at least one signature');
  if (signers.length > MAX_SIGNATURES) throw new LedgerError('malformed_note', 'too many signatures');
  const seen = new Set<string>();
  let out = `${text}\n`;
  for (const signer of signers) {
    if (!isValidKeyName(signer.name) || !isUint32(signer.keyId)) {
      throw new LedgerError('malformed_signer_key', 'invalid signer name or key ID');
    }
    const key = `${signer.keyId}:${signer.name}`;
    if (seen.has(key)) throw new LedgerError('malformed_signer_key', 'the same key signs twice');
    seen.add(key);
    const sig = await signer.sign(message);
    if (!(sig instanceof Uint8Array) || sig.length === 0) {
      throw new LedgerError('malformed_signer_key', 'signer returned no signature');
    }
    out += signatureLine(signer.name, signer.keyId, sig);
  }
  return out;
}

/** A signed note split into its text and signature lines, nothing verified ({@link parseSignedNote}). */
export interface ParsedSignedNote {
  /** Everything up to and including the newline before the blank line. */
  text: string;
  signatures: { name: string; keyId: number; sig: Uint8Array; line: string }[];
}

/**
 * The form of a signed note, as {@link openNote} requires it, without verifying any
 * signature: a caller that only needs to know that a note is well formed (and which
 * keys signed it) pays no signature check and no exception.
 * @throws LedgerError `malformed_note`.
 */
export function parseSignedNote(note: string): ParsedSignedNote {
  if (typeof note !== 'string') throw new LedgerError('malformed_note', 'note must be a string');
  // Cheap bound before anything else: a UTF-16 code unit is at least one UTF-8 byte.
  if (note.length > MAX_NOTE_BYTES || utf8(note).length > MAX_NOTE_BYTES) {
    throw new LedgerError('malformed_note', 'note is too large');
  }
  if (!checkNoteCharacters(note)) throw new LedgerError('malformed_note', 'note contains control characters');

  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new LedgerError('malformed_note', 'note has no signature block');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new LedgerError('malformed_note', 'malformed signature block');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new LedgerError('malformed_note', 'too many signatures');

  // Parse every line before verifying anything.
  const parsed: { name: string; keyId: number; sig: Uint8Array; line: string }[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new LedgerError('malformed_note', 'malformed signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw new LedgerError('malformed_note', 'malformed signature line');
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64);
    } catch {
      throw new LedgerError('malformed_note', 'malformed signature line');
    }
    if (!isValidKeyName(name) || raw.length < 5) throw new LedgerError('malformed_note', 'malformed signature line');
    const id = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    parsed.push({ name, keyId: id, sig: raw.slice(4), line });
  }
  return { text, signatures: parsed };
}

/**
 * Opens a signed note (C2SP signed-note §Format and §Signatures):
 *
 * - the note must be at most 1 MiB of UTF-8 with no control characters but newline,
 *   and end with a blank line followed by 1–100 signature lines
 *   `— <name> <base64(4-byte key ID ‖ signature)>`; the text is everything up to and
 *   including the newline before the last blank line;
 * - signatures whose (name, key ID) matches no verifier are ignored and listed in
 *   `unverified` (identical repeated lines once);
 * - every signature by a known key is verified; if one fails, the whole note is
 *   rejected (`note_unverified`); a known key signing twice is `malformed_note`;
 * - if no known key signed, the note is rejected (`note_unverified`).
 * @throws LedgerError `malformed_note`, `note_unverified`, or `malformed_verifier_key`
 *   when two verifiers share both name and key ID.
 */
export async function openNote(note: string, verifiers: NoteVerifier[]): Promise<OpenedNote> {
  const { text, signatures: parsed } = parseSignedNote(note);
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const key = `${v.keyId}:${v.name}`;
    if (known.has(key)) throw new LedgerError('malformed_verifier_key', 'two verifiers share name and key ID');
    known.set(key, v);
  }

  const message = utf8(text);
  const verified: NoteSignatureId[] = [];
  const unverified: NoteSignatureId[] = [];
  const seenKnown = new Set<string>();
  const seenUnknownLines = new Set<string>();
  for (const p of parsed) {
    const key = `${p.keyId}:${p.name}`;
    const verifier = known.get(key);
    if (verifier === undefined) {
      if (!seenUnknownLines.has(p.line)) {
        seenUnknownLines.add(p.line);
        unverified.push({ name: p.name, keyId: p.keyId });
      }
      continue;
    }
    if (seenKnown.has(key)) throw new LedgerError('malformed_note', 'a known key signed twice');
    seenKnown.add(key);
    let ok: boolean;
    try {
      ok = (await verifier.verify(message, p.sig)) === true;
    } catch {
      ok = false;
    }
    if (!ok) throw new LedgerError('note_unverified', 'a signature by a known key does not verify');
    verified.push({ name: p.name, keyId: p.keyId });
  }
  if (verified.length === 0) throw new LedgerError('note_unverified', 'no signature by a known key');
  return { text, verified, unverified };
}
