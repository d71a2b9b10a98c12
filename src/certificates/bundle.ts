/**
 * The verification bundle (`<id>.datadeed.json`, DESIGN §5): one JSON format for
 * certificates, evidence receipts and pledge receipts.
 *
 *     {
 *       "format": "datadeed-bundle/1",
 *       "type": "certificate" | "evidence" | "pledge",
 *       "payload": "<RFC 8785 payload text>",          // certificates only
 *       "signature": { "keyId": "<8 hex>", "sig": "<base64, 64 bytes>" },  // certificates only
 *       "entry": { "index": <log index>, "data": "<base64 entry bytes>" },
 *       "inclusion": { "treeSize": <n>, "proof": ["<64 hex>", …] },      // RFC 9162 §2.1.3
 *       "checkpoint": "<C2SP signed note: the checkpoint of tree size n>",   // with witness cosignature lines
 *       "timestamp": "<base64 RFC 3161 TimeStampToken over the checkpoint body>", // optional
 *       "certificateKey": {                                               // certificates, optional
 *         "entry": { "index": <log index>, "data": "<base64 key.added entry>" },
 *         "proof": ["<64 hex>", …]                                        // in the same tree of size n
 *       },
 *       "attestations": [                                                 // certificates and evidence, optional
 *         { "entry": { "index": <log index>, "data": "<base64 notary.attested entry>" }, "proof": ["<64 hex>", …] }
 *       ]
 *     }
 *
 * `certificateKey` carries the `key.added` entry of the key that signed the payload,
 * with its inclusion proof in the same checkpoint's tree: with it, the log's verifier
 * key alone verifies a certificate (one trust anchor).
 *
 * Everything a verifier needs offline besides the trusted keys. Pure; runs in browsers.
 */
import * as z from 'zod/mini';
import { fromBase64, fromUtf8, isWellFormedText, toBase64, toHex } from '../ledger/index.ts';
import { MAX_ENTRY_BYTES } from '../ledger/index.ts';
import { CertificateError } from './errors.ts';
import { MAX_PAYLOAD_BYTES } from './payload.ts';
import { formatKeyId } from './signature.ts';

/** The value of the `format` member. */
export const BUNDLE_FORMAT = 'datadeed-bundle/1';
/** Largest accepted bundle text, in UTF-8 bytes (payload + entry + proof + note, with room). */
export const MAX_BUNDLE_BYTES = 256 * 1024;
/** Most hashes in an inclusion proof: one per level of a tree of up to 2^64 leaves. */
export const MAX_PROOF_HASHES = 64;
/** Largest accepted RFC 3161 time-stamp token, in bytes. */
export const MAX_TIMESTAMP_BYTES = 32 * 1024;
/** Most notarial attestations a bundle carries. */
export const MAX_ATTESTATIONS = 16;
/** Largest accepted checkpoint note, in UTF-8 bytes. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;

/** What a bundle proves: an issued certificate, an evidence deposit, or a pledge record. */
export type BundleType = 'certificate' | 'evidence' | 'pledge';

const wellFormed = isWellFormedText;
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
/**
 * `utf8Length(s) <= maxBytes`, without encoding `s` when its length settles it: a UTF-16
 * code unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4).
 */
const fitsUtf8 = (s: string, maxBytes: number) => s.length * 3 <= maxBytes || utf8Length(s) <= maxBytes;

function canonicalBase64(maxBytes: number, exactBytes?: number) {
  return z.string().check(
    z.maxLength(Math.ceil(maxBytes / 3) * 4),
    z.refine(
      (s: string) => {
        try {
          const n = fromBase64(s).length;
          return n > 0 && (exactBytes === undefined ? n <= maxBytes : n === exactBytes);
        } catch {
          return false;
        }
      },
      { message: 'must be canonical, non-empty base64 of the right length' },
    ),
  );
}

const safeIndex = (min: number) => z.int().check(z.minimum(min));
const boundedText = (maxBytes: number, message: string) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(maxBytes),
    z.refine((s: string) => wellFormed(s) && fitsUtf8(s, maxBytes), { message }),
  );

/** The zod schema of a bundle: strict members, every size bounded. */
export const bundleSchema = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT),
    type: z.enum(['certificate', 'evidence', 'pledge']),
    payload: z.optional(boundedText(MAX_PAYLOAD_BYTES, 'must be well-formed and at most 16 KiB')),
    signature: z.optional(
      z.strictObject({
        keyId: z.string().check(z.regex(/^[0-9a-f]{8}$/)),
        sig: canonicalBase64(64, 64),
      }),
    ),
    entry: z.strictObject({
      index: safeIndex(0),
      data: canonicalBase64(MAX_ENTRY_BYTES),
    }),
    inclusion: z.strictObject({
      treeSize: safeIndex(1),
      proof: z.array(z.string().check(z.regex(/^[0-9a-f]{64}$/))).check(z.maxLength(MAX_PROOF_HASHES)),
    }),
    checkpoint: boundedText(MAX_CHECKPOINT_BYTES, 'must be well-formed and at most 64 KiB'),
    timestamp: z.optional(canonicalBase64(MAX_TIMESTAMP_BYTES)),
    certificateKey: z.optional(
      z.strictObject({
        entry: z.strictObject({ index: safeIndex(0), data: canonicalBase64(MAX_ENTRY_BYTES) }),
        proof: z.array(z.string().check(z.regex(/^[0-9a-f]{64}$/))).check(z.maxLength(MAX_PROOF_HASHES)),
      }),
    ),
    attestations: z.optional(
      z
        .array(
          z.strictObject({
            entry: z.strictObject({ index: safeIndex(0), data: canonicalBase64(MAX_ENTRY_BYTES) }),
            proof: z.array(z.string().check(z.regex(/^[0-9a-f]{64}$/))).check(z.maxLength(MAX_PROOF_HASHES)),
          }),
        )
        .check(z.minLength(1), z.maxLength(MAX_ATTESTATIONS)),
    ),
  })
  .check(
    z.superRefine((b: { type: BundleType; payload?: string | undefined; signature?: unknown; certificateKey?: unknown; attestations?: unknown }, ctx) => {
      const signed = b.type === 'certificate';
      if (b.type === 'pledge' && b.attestations !== undefined)
        ctx.addIssue({ code: 'custom', path: ['attestations'], message: 'only certificate and evidence bundles carry notarial attestations', input: b });
      if (!signed && b.certificateKey !== undefined)
        ctx.addIssue({ code: 'custom', path: ['certificateKey'], message: 'only a certificate bundle carries its certificate key', input: b });
      if (signed && (b.payload === undefined || b.signature === undefined))
        ctx.addIssue({ code: 'custom', path: ['payload'], message: 'a certificate bundle has a payload and a signature', input: b });
      if (!signed && (b.payload !== undefined || b.signature !== undefined))
        ctx.addIssue({ code: 'custom', path: ['payload'], message: 'a receipt bundle has neither payload nor signature', input: b });
    }),
  );

/** A parsed bundle (strings as in the JSON; decode with the ledger's byte helpers). */
export type Bundle = z.infer<typeof bundleSchema>;

/**
 * Parses an untrusted bundle: JSON text, its UTF-8 bytes, or an already parsed
 * value. Size first (at most {@link MAX_BUNDLE_BYTES}), then strict UTF-8 and JSON,
 * then the schema. Parsing checks form only; `verifyBundle` checks meaning.
 * @throws CertificateError `invalid_bundle` (failing paths in `details`).
 */
export function parseBundle(input: string | Uint8Array | unknown): Bundle {
  return parseBundleWithBytes(input).bundle;
}

/**
 * The bytes of a bundle's base64 and hex members, as the hand-written check decoded
 * them while checking them (see {@link bundleOfCheckedFields}).
 */
export interface BundleBytes {
  entry: Uint8Array;
  proof: Uint8Array[];
  sig?: Uint8Array;
  keyEntry?: Uint8Array;
  keyProof?: Uint8Array[];
}

/**
 * {@link parseBundle}, with the decoded bytes of its members when the hand-written check
 * took the bundle (the verifier's path: nothing decoded twice); `bytes` is undefined
 * when zod decided.
 * @throws CertificateError `invalid_bundle`.
 */
export function parseBundleWithBytes(input: string | Uint8Array | unknown): { bundle: Bundle; bytes?: BundleBytes } {
  let value: unknown = input;
  if (input instanceof Uint8Array || typeof input === 'string') {
    if (input.length > MAX_BUNDLE_BYTES) throw new CertificateError('invalid_bundle', 'bundle is too large');
    let text: string;
    try {
      text = typeof input === 'string' ? input : fromUtf8(input);
    } catch {
      throw new CertificateError('invalid_bundle', 'bundle is not UTF-8');
    }
    if (typeof input === 'string' && !fitsUtf8(text, MAX_BUNDLE_BYTES)) throw new CertificateError('invalid_bundle', 'bundle is too large');
    try {
      value = JSON.parse(text);
    } catch {
      throw new CertificateError('invalid_bundle', 'bundle is not JSON');
    }
  }
  const bytes = {} as BundleBytes;
  const fast = bundleOfCheckedFields(value, bytes);
  if (fast !== undefined) return { bundle: fast, bytes };
  const result = bundleSchema.safeParse(value);
  if (!result.success) {
    throw new CertificateError(
      'invalid_bundle',
      'bundle does not match the datadeed-bundle/1 format',
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.code === 'custom' ? i.message : i.code })),
    );
  }
  return { bundle: result.data };
}

// ---------------------------------------------------------------- the schema, checked by hand

const KEY_ID = /^[0-9a-f]{8}$/;
const BUNDLE_KEYS = new Set(['format', 'type', 'payload', 'signature', 'entry', 'inclusion', 'checkpoint', 'timestamp', 'certificateKey', 'attestations']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Exactly these members (each defined), as `z.strictObject` requires of a value without optional members left undefined. */
function hasExactly(v: Record<string, unknown>, keys: readonly string[]): boolean {
  let n = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) return false;
    n++;
  }
  if (n !== keys.length) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(v, k) || v[k] === undefined) return false;
  return true;
}

function isBoundedText(v: unknown, maxBytes: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= maxBytes && wellFormed(v) && fitsUtf8(v, maxBytes);
}

/** The bytes of `v` when it is canonical, non-empty base64 of at most `maxBytes` (or exactly `exactBytes`) bytes. */
function canonicalBase64Bytes(v: unknown, maxBytes: number, exactBytes?: number): Uint8Array | undefined {
  if (typeof v !== 'string' || v.length > Math.ceil(maxBytes / 3) * 4) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(v);
  } catch {
    return undefined;
  }
  const n = bytes.length;
  return n > 0 && (exactBytes === undefined ? n <= maxBytes : n === exactBytes) ? bytes : undefined;
}

const isIndex = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** A lowercase hex digit's value, else -1. */
function lowerHexDigit(c: number): number {
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
}

/** The 32 bytes of `h` when it is 64 lowercase hex digits (`/^[0-9a-f]{64}$/`), else undefined. */
function hashBytes(h: unknown): Uint8Array | undefined {
  if (typeof h !== 'string' || h.length !== 64) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const hi = lowerHexDigit(h.charCodeAt(2 * i));
    const lo = lowerHexDigit(h.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function proofOf(v: unknown): { hex: string[]; bytes: Uint8Array[] } | undefined {
  if (!Array.isArray(v) || v.length > MAX_PROOF_HASHES) return undefined;
  const hex: string[] = [];
  const bytes: Uint8Array[] = [];
  for (const h of v) {
    const b = hashBytes(h);
    if (b === undefined) return undefined;
    hex.push(h as string);
    bytes.push(b);
  }
  return { hex, bytes };
}

function logEntryOf(v: unknown): { index: number; data: string; bytes: Uint8Array } | undefined {
  if (!isRecord(v) || !hasExactly(v, ['index', 'data']) || !isIndex(v.index, 0)) return undefined;
  const bytes = canonicalBase64Bytes(v.data, MAX_ENTRY_BYTES);
  return bytes === undefined ? undefined : { index: v.index, data: v.data as string, bytes };
}

/**
 * {@link bundleSchema} checked member by member without zod, for the bundles that have
 * no optional member set to `undefined` and no `attestations` (anything else: undefined,
 * and `parseBundle` asks zod, which then gives the answer and its error details). What
 * this accepts, zod accepts, and the value is the one zod returns: fresh objects,
 * members in the schema's order (tests/certificates/schema-fast-path.test.ts compares
 * them on generated bundles).
 */
export function bundleOfCheckedFields(v: unknown, bytes?: BundleBytes): Bundle | undefined {
  if (!isRecord(v)) return undefined;
  for (const k in v) if (!BUNDLE_KEYS.has(k) || v[k] === undefined || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
  if (v.format !== BUNDLE_FORMAT || (v.type !== 'certificate' && v.type !== 'evidence' && v.type !== 'pledge')) return undefined;
  if (v.attestations !== undefined) return undefined;
  const out: Record<string, unknown> = { format: v.format, type: v.type };
  const signed = v.type === 'certificate';
  if (signed !== (v.payload !== undefined) || signed !== (v.signature !== undefined)) return undefined;
  if (!signed && v.certificateKey !== undefined) return undefined;
  if (signed) {
    if (!isBoundedText(v.payload, MAX_PAYLOAD_BYTES)) return undefined;
    out.payload = v.payload;
    const sig = v.signature;
    if (!isRecord(sig) || !hasExactly(sig, ['keyId', 'sig']) || typeof sig.keyId !== 'string' || !KEY_ID.test(sig.keyId)) return undefined;
    const sigBytes = canonicalBase64Bytes(sig.sig, 64, 64);
    if (sigBytes === undefined) return undefined;
    out.signature = { keyId: sig.keyId, sig: sig.sig };
    if (bytes) bytes.sig = sigBytes;
  }
  const entry = logEntryOf(v.entry);
  if (entry === undefined) return undefined;
  out.entry = { index: entry.index, data: entry.data };
  const inc = v.inclusion;
  if (!isRecord(inc) || !hasExactly(inc, ['treeSize', 'proof']) || !isIndex(inc.treeSize, 1)) return undefined;
  const proof = proofOf(inc.proof);
  if (proof === undefined) return undefined;
  out.inclusion = { treeSize: inc.treeSize, proof: proof.hex };
  if (!isBoundedText(v.checkpoint, MAX_CHECKPOINT_BYTES)) return undefined;
  out.checkpoint = v.checkpoint;
  if (v.timestamp !== undefined) {
    if (canonicalBase64Bytes(v.timestamp, MAX_TIMESTAMP_BYTES) === undefined) return undefined;
    out.timestamp = v.timestamp;
  }
  if (v.certificateKey !== undefined) {
    const k = v.certificateKey;
    if (!isRecord(k) || !hasExactly(k, ['entry', 'proof'])) return undefined;
    const keyEntry = logEntryOf(k.entry);
    const keyProof = proofOf(k.proof);
    if (keyEntry === undefined || keyProof === undefined) return undefined;
    out.certificateKey = { entry: { index: keyEntry.index, data: keyEntry.data }, proof: keyProof.hex };
    if (bytes) {
      bytes.keyEntry = keyEntry.bytes;
      bytes.keyProof = keyProof.bytes;
    }
  }
  if (bytes) {
    bytes.entry = entry.bytes;
    bytes.proof = proof.bytes;
  }
  return out as Bundle;
}

/** The parts of a bundle, as bytes where they are bytes. */
export interface BundleParts {
  type: BundleType;
  /** Canonical payload bytes (certificates). */
  payload?: Uint8Array;
  /** The payload signature (certificates); `keyId` as a number or 8 hex digits. */
  signature?: { keyId: number | string; sig: Uint8Array };
  /** The log entry and its index. */
  entry: { index: number; data: Uint8Array };
  /** The RFC 9162 §2.1.3 inclusion proof of the entry in the tree of `treeSize` leaves. */
  inclusion: { treeSize: number; proof: Uint8Array[] };
  /** The signed checkpoint note of tree size `treeSize`. */
  checkpoint: string;
  /** An RFC 3161 time-stamp token (DER) over that checkpoint's body. */
  timestamp?: Uint8Array;
  /** Certificates: the `key.added` entry of the signing key and its inclusion proof in the same tree. */
  certificateKey?: { index: number; data: Uint8Array; proof: Uint8Array[] };
  /** Certificates and evidence: `notary.attested` entries of the digest, each with its inclusion proof in the same tree. */
  attestations?: { index: number; data: Uint8Array; proof: Uint8Array[] }[];
}

/**
 * Assembles a bundle from its parts and validates it with the schema (form only).
 * Payload bytes must be UTF-8 (they are JCS text).
 * @throws CertificateError `invalid_bundle`.
 */
export function buildBundle(parts: BundleParts): Bundle {
  let payload: string | undefined;
  if (parts.payload !== undefined) {
    try {
      payload = fromUtf8(parts.payload);
    } catch {
      throw new CertificateError('invalid_bundle', 'payload is not UTF-8');
    }
  }
  const candidate: Record<string, unknown> = { format: BUNDLE_FORMAT, type: parts.type };
  if (payload !== undefined) candidate.payload = payload;
  if (parts.signature !== undefined) {
    const id = parts.signature.keyId;
    candidate.signature = { keyId: typeof id === 'number' ? formatKeyId(id) : id, sig: toBase64(parts.signature.sig) };
  }
  candidate.entry = { index: parts.entry.index, data: toBase64(parts.entry.data) };
  candidate.inclusion = { treeSize: parts.inclusion.treeSize, proof: parts.inclusion.proof.map(toHex) };
  candidate.checkpoint = parts.checkpoint;
  if (parts.timestamp !== undefined) candidate.timestamp = toBase64(parts.timestamp);
  if (parts.certificateKey !== undefined) {
    const k = parts.certificateKey;
    candidate.certificateKey = { entry: { index: k.index, data: toBase64(k.data) }, proof: k.proof.map(toHex) };
  }
  if (parts.attestations !== undefined && parts.attestations.length > 0)
    candidate.attestations = parts.attestations.map((a) => ({ entry: { index: a.index, data: toBase64(a.data) }, proof: a.proof.map(toHex) }));
  return parseBundle(candidate);
}

/**
 * The bundle as the text of a `.datadeed.json` file: JSON with two-space indentation
 * and members in the documented order, ending in a newline. Deterministic.
 */
export function serializeBundle(bundle: Bundle): string {
  const ordered: Record<string, unknown> = { format: bundle.format, type: bundle.type };
  if (bundle.payload !== undefined) ordered.payload = bundle.payload;
  if (bundle.signature !== undefined) ordered.signature = { keyId: bundle.signature.keyId, sig: bundle.signature.sig };
  ordered.entry = { index: bundle.entry.index, data: bundle.entry.data };
  ordered.inclusion = { treeSize: bundle.inclusion.treeSize, proof: [...bundle.inclusion.proof] };
  ordered.checkpoint = bundle.checkpoint;
  if (bundle.timestamp !== undefined) ordered.timestamp = bundle.timestamp;
  if (bundle.certificateKey !== undefined) {
    const k = bundle.certificateKey;
    ordered.certificateKey = { entry: { index: k.entry.index, data: k.entry.data }, proof: [...k.proof] };
  }
  if (bundle.attestations !== undefined) ordered.attestations = bundle.attestations.map((a) => ({ entry: { index: a.entry.index, data: a.entry.data }, proof: [...a.proof] }));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** The file name of a bundle: `<id>.datadeed.json` (id: a certificate number or receipt id). */
export function bundleFileName(id: string): string {
  return `${id}.datadeed.json`;
}
