/**
 * The signature block of a C2SP signed note, read line by line (C2SP signed-note
 * §Format): the note text ends at the last blank line; each following line is
 * `— <key name> <base64(4-byte key ID ‖ signature)>`. Cryptographic checks are done
 * elsewhere (`openNote` for log keys, `cosignature.ts` for cosigners); this file only
 * splits and decodes, strictly.
 */
import { fromBase64 } from '../ledger/index.ts';

/** "— " — em dash (U+2014) and space, the prefix of a signature line. */
export const SIGNATURE_PREFIX = '\u2014 ';

// Unicode spaces (JS \s plus U+0085), control characters and '+' may not appear in a
// key name (C2SP signed-note §Format).
const NAME_FORBIDDEN = /[\s\u0085\p{Cc}+]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `name` is a valid signed-note key name (non-empty, no spaces, no '+'). */
export function isKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !NAME_FORBIDDEN.test(name) && !LONE_SURROGATE.test(name);
}

/** A decoded signature line. */
export interface SignatureLine {
  /** The whole line without its final newline. */
  line: string;
  name: string;
  /** The key ID, big-endian, as an unsigned 32-bit number. */
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

/**
 * Decodes one signature line (without its newline): the prefix `— `, a valid key
 * name, one space, and canonical base64 of at least five bytes.
 * @returns the decoded line, or undefined when it is not a signature line.
 */
export function parseSignatureLine(line: string): SignatureLine | undefined {
  if (typeof line !== 'string' || !line.startsWith(SIGNATURE_PREFIX)) return undefined;
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return undefined;
  const name = rest.slice(0, space);
  if (!isKeyName(name)) return undefined;
  let raw: Uint8Array;
  try {
    raw = fromBase64(rest.slice(space + 1));
  } catch {
    return undefined;
  }
  if (raw.length < 5) return undefined;
  const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
  return { line, name, keyId, signature: raw.slice(4) };
}

/** A signed note split into its text and signature lines. */
export interface NoteParts {
  /** The note text including its final newline (the signed message). */
  text: string;
  /** The signature lines, each decoded. */
  signatures: SignatureLine[];
}

/**
 * Splits a signed note at its last blank line (C2SP signed-note §Format) and decodes
 * every signature line.
 * @returns undefined when there is no signature block or a line is not a signature line.
 */
export function splitNote(note: string): NoteParts | undefined {
  if (typeof note !== 'string') return undefined;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) return undefined;
  const signatures: SignatureLine[] = [];
  for (const line of block.slice(0, -1).split('\n')) {
    const parsed = parseSignatureLine(line);
    if (parsed === undefined) return undefined;
    signatures.push(parsed);
  }
  return { text, signatures };
}

/** Formats a key ID as 8 lowercase hex digits. */
export function hexKeyId(id: number): string {
  return (id >>> 0).toString(16).padStart(8, '0');
}
