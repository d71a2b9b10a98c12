/**
 * The certificate payload of DESIGN §5 and the `certificate.issued` log entry it is
 * bound to. Both are RFC 8785 (JCS) canonical JSON, so their bytes are a function of
 * their content alone.
 *
 * Issuance order (inside the one transaction that appends the entry):
 *
 * 1. `fields` — everything but `v` and `log` ({@link CertificateFields});
 * 2. `certificateIssuedEvent(fields)` → `encodeEntry` → the log entry, appended at
 *    index `i`, leaf hash `h = rfc6962.hashLeaf(entry)`;
 * 3. `certificatePayload(fields, { index: i, leafHash: h })` → `encodeCertificatePayload`
 *    → the bytes that are signed (see `signature.ts`).
 *
 * The entry cannot contain the payload (the payload names the entry), so it carries
 * the identifying fields plus `payloadDigest`, the SHA-256 of the JCS encoding of the
 * payload without its `log` member: a verifier rebuilds the entry from the payload and
 * requires it byte for byte (verify.ts, check `entry_matches_payload`).
 *
 * Pure; runs in browsers.
 */
import * as z from 'zod/mini';
import { canonicalJson as ledgerCanonicalJson, fromUtf8, isCanonicalJsonText, isUtcTimestamp, isWellFormedText, LedgerError, toHex, utf8 } from '../ledger/index.ts';
import { sha256 } from '../ledger/index.ts';
import type { LogEvent } from '../ledger/index.ts';
import { NAME_RULE, textCheck, textProblem } from '../text.ts';
import { CertificateError } from './errors.ts';
import { validateUscc } from './uscc.ts';

/** Largest accepted payload, in UTF-8 bytes of its canonical JSON. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** Kind of the log entry that records an issued certificate. */
export const CERTIFICATE_ISSUED_KIND = 'certificate.issued';

/**
 * RFC 8785 (JCS) canonical JSON text of `value` — the ledger's one canonical JSON
 * (`canonicalJson` of src/ledger), with this module's error.
 * @throws CertificateError `invalid_payload` when `value` has no JSON form (undefined,
 *   a function, a non-finite number…).
 */
export function canonicalJson(value: unknown): string {
  try {
    return ledgerCanonicalJson(value);
  } catch (e) {
    if (e instanceof LedgerError) throw new CertificateError('invalid_payload', 'value has no canonical JSON form');
    throw e;
  }
}

// ---------------------------------------------------------------- field rules

// zod/mini: the functional build of zod 4 (same parser, tree-shakable), so the
// browser bundle of the verifier stays small.

/**
 * A display name: the text rules of src/text.ts for names (one line, NFC, no control
 * or bidirectional characters, no surrounding spaces, 1–200 characters, ≤ 600 UTF-8
 * bytes) — the same rule the application form applies, so a name the form accepts is
 * one the certificate accepts.
 */
const displayName = z.string().check(textCheck(NAME_RULE));

/**
 * A certificate number: the national 17 digits (year, month, registry code, serial:
 * 规发〔2024〕79号, src/registry/numbering.ts) or the legacy `DIP-2025-000123` (prefix,
 * year, gap-free sequence) of registries started before.
 */
export const CERTIFICATE_NUMBER = /^(?:[A-Z][A-Z0-9]{0,15}-[0-9]{4}-[0-9]{6,10}|[0-9]{4}(?:0[1-9]|1[0-2])[0-9]{11})$/;
const certificateNumber = z.string().check(z.regex(CERTIFICATE_NUMBER));
const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const keyIdHex = z.string().check(z.regex(/^[0-9a-f]{8}$/));
const timestamp = z.string().check(z.maxLength(24), z.refine(isUtcTimestamp, { message: 'must be an RFC 3339 UTC timestamp' }));
const count = (min: number) => z.int().check(z.minimum(min));
/** A C2SP key name / log origin: printable ASCII without spaces or '+', as DATADEED_ORIGIN. */
const origin = z.string().check(z.regex(/^[\x21-\x2a\x2c-\x7e]{1,255}$/));
const uscc = z.string().check(
  z.superRefine((value: string, ctx) => {
    const result = validateUscc(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.code, input: value });
  }),
);

const fieldsShape = {
  number: certificateNumber,
  version: z.int().check(z.minimum(1), z.maximum(9999)),
  holder: z.strictObject({ name: displayName, uscc }),
  dataset: z.strictObject({
    name: displayName,
    manifestRoot: hex64,
    files: count(1),
    bytes: count(0),
    /** The evidence deposit (存证, DESIGN §5a) of this dataset, when the application referenced one. */
    depositId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/))),
  }),
  issuedAt: timestamp,
  validFrom: timestamp,
  validUntil: timestamp,
  origin,
  keyId: keyIdHex,
  supersedes: z.optional(certificateNumber),
};

type Checkable = { number: string; version: number; issuedAt: string; validFrom: string; validUntil: string; supersedes?: string | undefined };

const crossFieldRules = z.superRefine((value: Checkable, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, input: value });
  if (Date.parse(value.validFrom) >= Date.parse(value.validUntil)) issue('validUntil', 'validUntil must be after validFrom');
  if (Date.parse(value.issuedAt) > Date.parse(value.validUntil)) issue('issuedAt', 'issuedAt must not be after validUntil');
  if ((value.version === 1) !== (value.supersedes === undefined))
    issue('supersedes', 'version 1 supersedes nothing; a later version names the certificate it supersedes');
  if (value.supersedes === value.number) issue('supersedes', 'a certificate cannot supersede itself');
});

/**
 * The certificate's own fields: everything in the payload except `v` and `log`.
 * `supersedes` is the number of the certificate this version replaces (change 变更 or
 * renewal 续展); present exactly when `version` > 1.
 */
export const certificateFieldsSchema = z.strictObject(fieldsShape).check(crossFieldRules);

/**
 * The payload of DESIGN §5, validated strictly: no unknown members anywhere, every
 * string bounded, hashes as 64 lowercase hex digits, the key ID as 8, timestamps as
 * RFC 3339 UTC, the holder's 统一社会信用代码 valid (GB 32100, see uscc.ts).
 */
export const certificatePayloadSchema = z
  .strictObject({
    v: z.literal(1),
    ...fieldsShape,
    log: z.strictObject({ index: count(0), leafHash: hex64 }),
  })
  .check(crossFieldRules);

/** A certificate payload (DESIGN §5). */
export type CertificatePayload = z.infer<typeof certificatePayloadSchema>;
/** The fields a certificate is issued from: the payload without `v` and `log`. */
export type CertificateFields = z.infer<typeof certificateFieldsSchema>;

function schemaError(code: 'invalid_payload', message: string, error: z.core.$ZodError): CertificateError {
  return new CertificateError(
    code,
    message,
    error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.code === 'custom' ? i.message : i.code })),
  );
}

/**
 * Validates certificate fields (see {@link certificateFieldsSchema}).
 * @throws CertificateError `invalid_payload` with the failing paths in `details`.
 */
export function parseCertificateFields(input: unknown): CertificateFields {
  const result = certificateFieldsSchema.safeParse(input);
  if (!result.success) throw schemaError('invalid_payload', 'certificate fields fail the schema', result.error);
  return result.data;
}

/**
 * Builds the payload from its fields and the issuance entry's position in the log.
 * @param log.index - the `certificate.issued` entry's log index.
 * @param log.leafHash - its RFC 6962 leaf hash, HASH(0x00 ‖ entry), as bytes or 64 hex digits.
 * @throws CertificateError `invalid_payload`.
 */
export function certificatePayload(fields: CertificateFields, log: { index: number; leafHash: Uint8Array | string }): CertificatePayload {
  const leafHash = typeof log.leafHash === 'string' ? log.leafHash : toHex(log.leafHash);
  const input = { v: 1, ...fields, log: { index: log.index, leafHash } };
  const fast = payloadOfCheckedFields(input);
  if (fast !== undefined) return fast;
  const result = certificatePayloadSchema.safeParse(input);
  if (!result.success) throw schemaError('invalid_payload', 'certificate payload fails the schema', result.error);
  return result.data;
}

/**
 * The payload's bytes: UTF-8 of its RFC 8785 canonical JSON (DESIGN §5).
 * @throws CertificateError `invalid_payload` (schema, or larger than {@link MAX_PAYLOAD_BYTES}).
 */
export function encodeCertificatePayload(payload: CertificatePayload): Uint8Array {
  const bytes = utf8(canonicalJson(checkedPayload(payload)));
  if (bytes.length > MAX_PAYLOAD_BYTES) throw new CertificateError('invalid_payload', 'certificate payload is too large');
  return bytes;
}

/**
 * Parses payload bytes from an untrusted source: at most {@link MAX_PAYLOAD_BYTES},
 * strict UTF-8, JSON, the schema, and byte-for-byte canonical (re-encoding must
 * reproduce the input, so one payload has one encoding and one signature message).
 * @throws CertificateError `invalid_payload` or `non_canonical_payload`.
 */
export function parseCertificatePayload(bytes: Uint8Array): CertificatePayload {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_PAYLOAD_BYTES) {
    throw new CertificateError('invalid_payload', 'certificate payload is missing or too large');
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw new CertificateError('invalid_payload', 'certificate payload is not UTF-8 JSON');
  }
  return parseCertificatePayloadText(text, bytes);
}

/**
 * {@link parseCertificatePayload} of the payload's text (a bundle carries the text, and
 * the verifier checks it without a round trip through bytes): at most
 * {@link MAX_PAYLOAD_BYTES} in UTF-8, well-formed (no lone surrogate, so it has one
 * UTF-8 encoding), JSON, the schema, and exactly its own canonical JSON — which is the
 * byte-for-byte check, since UTF-8 encodes equal well-formed text as equal bytes.
 * @throws CertificateError `invalid_payload` or `non_canonical_payload`.
 */
export function parseCertificatePayloadText(text: string, bytes?: Uint8Array): CertificatePayload {
  if (typeof text !== 'string' || !isWellFormedText(text)) throw new CertificateError('invalid_payload', 'certificate payload is not UTF-8 JSON');
  if (text.length * 3 > MAX_PAYLOAD_BYTES && utf8(text).length > MAX_PAYLOAD_BYTES) {
    throw new CertificateError('invalid_payload', 'certificate payload is missing or too large');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CertificateError('invalid_payload', 'certificate payload is not UTF-8 JSON');
  }
  const fast = payloadOfCheckedFields(parsed);
  const payload = fast ?? schemaPayload(parsed);
  // The quick test settles the common case: it asks whether the text is the canonical
  // JSON of what JSON.parse made of it (members in the text's order), and the fast
  // path's payload holds exactly those members and values. (Given the payload itself,
  // which lists its members in the schema's order, it never could.) The text is
  // well-formed (checked above); `bytes`, when given, are its UTF-8.
  if (!(fast !== undefined && isCanonicalJsonText(text, parsed, bytes)) && canonicalJson(payload) !== text) {
    throw new CertificateError('non_canonical_payload', 'certificate payload is not in RFC 8785 canonical form');
  }
  return payload;
}

/** The payload {@link certificatePayloadSchema} makes of `input`. @throws CertificateError `invalid_payload`. */
function checkedPayload(input: unknown): CertificatePayload {
  return payloadOfCheckedFields(input) ?? schemaPayload(input);
}

/** {@link checkedPayload} by the schema itself, for what the hand-written checks do not settle. */
function schemaPayload(input: unknown): CertificatePayload {
  const result = certificatePayloadSchema.safeParse(input);
  if (!result.success) throw schemaError('invalid_payload', 'certificate payload fails the schema', result.error);
  return result.data;
}

// ---------------------------------------------------------------- the schema, checked by hand

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{8}$/;
const ORIGIN = /^[\x21-\x2a\x2c-\x7e]{1,255}$/;
const DEPOSIT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Only members of `keys` (`optional` ones may be absent; none is present as `undefined`): the members `z.strictObject` allows. */
function hasOnly(v: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): boolean {
  let n = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k) || v[k] === undefined) return false;
    if (!required.includes(k) && !optional.includes(k)) return false;
    n++;
  }
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(v, k)) return false;
  return n >= required.length;
}

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isName = (v: unknown): v is string => typeof v === 'string' && textProblem(v, NAME_RULE) === undefined;
const isTimestamp = (v: unknown): v is string => typeof v === 'string' && v.length <= 24 && isUtcTimestamp(v);
const isNumber = (v: unknown): v is string => typeof v === 'string' && CERTIFICATE_NUMBER.test(v);

/**
 * {@link certificatePayloadSchema} checked member by member without zod, for payloads
 * with no optional member set to `undefined` (anything else: undefined, and the caller
 * asks zod, which then gives the answer and its error details). What this accepts, zod
 * accepts, and the value is the one zod returns: fresh objects, members in the
 * schema's order (tests/certificates/schema-fast-path.test.ts compares them on
 * generated payloads).
 */
export function payloadOfCheckedFields(v: unknown): CertificatePayload | undefined {
  if (!isRecord(v) || !hasOnly(v, ['v', 'number', 'version', 'holder', 'dataset', 'issuedAt', 'validFrom', 'validUntil', 'origin', 'keyId', 'log'], ['supersedes'])) return undefined;
  const { holder, dataset, log } = v;
  if (v.v !== 1 || !isNumber(v.number) || !isInt(v.version, 1, 9999)) return undefined;
  if (!isRecord(holder) || !hasOnly(holder, ['name', 'uscc']) || !isName(holder.name) || typeof holder.uscc !== 'string' || !validateUscc(holder.uscc).ok) return undefined;
  if (!isRecord(dataset) || !hasOnly(dataset, ['name', 'manifestRoot', 'files', 'bytes'], ['depositId'])) return undefined;
  if (!isName(dataset.name) || typeof dataset.manifestRoot !== 'string' || !HEX64.test(dataset.manifestRoot) || !isInt(dataset.files, 1) || !isInt(dataset.bytes, 0)) return undefined;
  if (dataset.depositId !== undefined && (typeof dataset.depositId !== 'string' || !DEPOSIT_ID.test(dataset.depositId))) return undefined;
  if (!isTimestamp(v.issuedAt) || !isTimestamp(v.validFrom) || !isTimestamp(v.validUntil)) return undefined;
  if (typeof v.origin !== 'string' || !ORIGIN.test(v.origin) || typeof v.keyId !== 'string' || !KEY_ID.test(v.keyId)) return undefined;
  if (v.supersedes !== undefined && !isNumber(v.supersedes)) return undefined;
  if (!isRecord(log) || !hasOnly(log, ['index', 'leafHash']) || !isInt(log.index, 0) || typeof log.leafHash !== 'string' || !HEX64.test(log.leafHash)) return undefined;
  // crossFieldRules
  if (Date.parse(v.validFrom) >= Date.parse(v.validUntil) || Date.parse(v.issuedAt) > Date.parse(v.validUntil)) return undefined;
  if ((v.version === 1) !== (v.supersedes === undefined) || v.supersedes === v.number) return undefined;
  // Members in the schema's order, optional ones only when present (as zod builds its output).
  const data: CertificatePayload['dataset'] = { name: dataset.name, manifestRoot: dataset.manifestRoot, files: dataset.files, bytes: dataset.bytes };
  if (dataset.depositId !== undefined) data.depositId = dataset.depositId;
  const out: Record<string, unknown> = {
    v: 1,
    number: v.number,
    version: v.version,
    holder: { name: holder.name, uscc: holder.uscc },
    dataset: data,
    issuedAt: v.issuedAt,
    validFrom: v.validFrom,
    validUntil: v.validUntil,
    origin: v.origin,
    keyId: v.keyId,
  };
  if (v.supersedes !== undefined) out.supersedes = v.supersedes;
  out.log = { index: log.index, leafHash: log.leafHash };
  return out as CertificatePayload;
}

/**
 * SHA-256 (hex) of the JCS encoding of `{ v: 1, ...fields }` — the payload without its
 * `log` member. The `certificate.issued` entry carries it, binding every payload
 * field (names included) to the log without putting names in the log.
 * @param hash - SHA-256 (FIPS 180-4); default the ledger's pure `sha256` (a verifier
 *   passes its crypto adapter's, e.g. OpenSSL's — the same digest).
 */
export function certificatePayloadDigest(fields: CertificateFields, hash: (data: Uint8Array) => Uint8Array = sha256): string {
  const { number, version, holder, dataset, issuedAt, validFrom, validUntil, origin: o, keyId, supersedes } = fields;
  const content = { v: 1, number, version, holder, dataset, issuedAt, validFrom, validUntil, origin: o, keyId, supersedes };
  return toHex(hash(utf8(canonicalJson(content))));
}

/**
 * {@link certificatePayloadDigest} of a payload held as its canonical text (as
 * {@link parseCertificatePayloadText} accepted it): the JCS text of the payload without
 * `log` is that text with its `,"log":{…}` member cut out — JCS sorts the members, and
 * removing one leaves the others' text as it was; `log` is never the first member
 * (`dataset` sorts before it) nor the last (`number`, `origin`, `v` after it), and its
 * quotes are structural (inside a JSON string every quote is escaped). One hash of the
 * held text instead of a second serialisation. Falls back to
 * {@link certificatePayloadDigest} if the member is not found exactly once.
 */
export function certificatePayloadDigestOfText(text: string, payload: CertificatePayload, hash: (data: Uint8Array) => Uint8Array = sha256): string {
  const member = `,"log":{"index":${payload.log.index},"leafHash":"${payload.log.leafHash}"}`;
  const at = text.indexOf(member);
  if (at < 0 || text.indexOf(member, at + member.length) >= 0) return certificatePayloadDigest(payload, hash);
  return toHex(hash(utf8(text.slice(0, at) + text.slice(at + member.length))));
}

/** What a new certificate version rests on (docs/log-format.md §6.4). */
export const ISSUANCE_BASES = ['initial', 'change', 'renewal', 'transfer'] as const;
export type IssuanceBasis = (typeof ISSUANCE_BASES)[number];

/**
 * The members of a `certificate.issued` entry that the payload does not determine: they
 * link the issuance to the rest of the log (docs/log-format.md §6.4). Entries written
 * before they existed have none.
 * - `basis` — an approved application of this kind, or a transfer;
 * - `applicationId` and `approval` — the application and the log index of its
 *   `application.approved` entry (not for a transfer);
 * - `deposits` — log indices of the `evidence.deposited` entries of the dataset;
 * - `prev` — with `supersedes`: the log index of the superseded certificate's last event
 *   (its chain continues here).
 */
export interface IssuanceLinks {
  basis?: IssuanceBasis;
  applicationId?: string;
  approval?: number;
  deposits?: number[];
  prev?: number;
  /** The 16-character registration number (登记号) of this issuance (national numbering). */
  registrationNumber?: string;
}

/** The link members of a `certificate.issued` entry, in no particular order. */
export const ISSUANCE_LINK_MEMBERS = ['basis', 'applicationId', 'approval', 'deposits', 'prev', 'registrationNumber'] as const;

const logIndex = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
export const issuanceLinksSchema = z.strictObject({
  basis: z.optional(z.enum(ISSUANCE_BASES)),
  applicationId: z.optional(z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/))),
  approval: z.optional(logIndex),
  deposits: z.optional(z.array(logIndex).check(z.maxLength(64))),
  prev: z.optional(logIndex),
  registrationNumber: z.optional(z.string().check(z.regex(/^[0-9]{15}[0-9A-Z]$/))),
});

/**
 * Validates issuance links (see {@link IssuanceLinks}).
 * @throws CertificateError `invalid_payload`.
 */
export function parseIssuanceLinks(input: unknown): IssuanceLinks {
  const fast = linksOfCheckedFields(input);
  if (fast !== undefined) return fast;
  const result = issuanceLinksSchema.safeParse(input);
  if (!result.success) throw schemaError('invalid_payload', 'issuance links fail the schema', result.error);
  const out: IssuanceLinks = {};
  for (const k of ISSUANCE_LINK_MEMBERS) if (result.data[k] !== undefined) (out as Record<string, unknown>)[k] = result.data[k];
  return out;
}

const APPLICATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGISTRATION_NUMBER = /^[0-9]{15}[0-9A-Z]$/;
const isLogIndex = (v: unknown): v is number => isInt(v, 0);

/**
 * {@link issuanceLinksSchema} checked member by member without zod, for links whose
 * members are all present and valid (anything else: undefined, and zod decides and
 * reports). The value is the one {@link parseIssuanceLinks} makes of zod's: the members
 * in {@link ISSUANCE_LINK_MEMBERS} order, fresh arrays.
 */
function linksOfCheckedFields(v: unknown): IssuanceLinks | undefined {
  if (!isRecord(v) || !hasOnly(v, [], ISSUANCE_LINK_MEMBERS)) return undefined;
  const { basis, applicationId, approval, deposits, prev, registrationNumber } = v;
  if (basis !== undefined && !(ISSUANCE_BASES as readonly unknown[]).includes(basis)) return undefined;
  if (applicationId !== undefined && (typeof applicationId !== 'string' || !APPLICATION_ID.test(applicationId))) return undefined;
  if (approval !== undefined && !isLogIndex(approval)) return undefined;
  if (deposits !== undefined) {
    if (!Array.isArray(deposits) || deposits.length > 64) return undefined;
    for (let i = 0; i < deposits.length; i++) if (!isLogIndex(deposits[i])) return undefined; // holes too
  }
  if (prev !== undefined && !isLogIndex(prev)) return undefined;
  if (registrationNumber !== undefined && (typeof registrationNumber !== 'string' || !REGISTRATION_NUMBER.test(registrationNumber))) return undefined;
  const out: IssuanceLinks = {};
  if (basis !== undefined) out.basis = basis as IssuanceBasis;
  if (applicationId !== undefined) out.applicationId = applicationId as string;
  if (approval !== undefined) out.approval = approval;
  if (deposits !== undefined) out.deposits = [...(deposits as number[])];
  if (prev !== undefined) out.prev = prev;
  if (registrationNumber !== undefined) out.registrationNumber = registrationNumber as string;
  return out;
}

/** The link members present in a decoded `certificate.issued` entry (unvalidated). */
export function issuanceLinksOf(entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ISSUANCE_LINK_MEMBERS) if (entry[k] !== undefined) out[k] = entry[k];
  return out;
}

/**
 * The `certificate.issued` log event for a certificate (DESIGN §3 entry kinds), to be
 * passed to `encodeEntry`:
 *
 *     { kind: "certificate.issued", time: issuedAt, number, version, holderUscc,
 *       manifestRoot, files, bytes, validFrom, validUntil, keyId, supersedes?,
 *       depositId?, payloadDigest, basis?, applicationId?, approval?, deposits?, prev? }
 *
 * Identifiers and hashes only: the holder's and dataset's names are covered by
 * `payloadDigest` (see {@link certificatePayloadDigest}), not written to the log.
 * Accepts the fields or a whole payload (its `v` and `log` are ignored), and the
 * issuance's links to the rest of the log (not part of the payload).
 * @throws CertificateError `invalid_payload`.
 */
export function certificateIssuedEvent(fields: CertificateFields | CertificatePayload, links: IssuanceLinks = {}): LogEvent {
  const { v: _v, log: _log, ...rest } = fields as CertificatePayload;
  return issuedEventOfChecked(parseCertificateFields(rest), parseIssuanceLinks(links));
}

/**
 * {@link certificateIssuedEvent} of fields and links that already passed their schemas:
 * a payload from `parseCertificatePayload` (its fields are valid certificate fields) and
 * links from `parseIssuanceLinks`. For the verifier, which has both; not exported from
 * the package. `hash`: the SHA-256 of the payload digest (see {@link certificatePayloadDigest}).
 * `payloadDigest`, when given, is the payload digest already computed (the verifier takes it from the payload's text, {@link certificatePayloadDigestOfText}).
 */
export function issuedEventOfChecked(f: CertificateFields | CertificatePayload, links: IssuanceLinks, hash?: (data: Uint8Array) => Uint8Array, payloadDigest?: string): LogEvent {
  const event: LogEvent = {
    kind: CERTIFICATE_ISSUED_KIND,
    time: f.issuedAt,
    number: f.number,
    version: f.version,
    holderUscc: f.holder.uscc,
    manifestRoot: f.dataset.manifestRoot,
    files: f.dataset.files,
    bytes: f.dataset.bytes,
    validFrom: f.validFrom,
    validUntil: f.validUntil,
    keyId: f.keyId,
    payloadDigest: payloadDigest ?? certificatePayloadDigest(f, hash),
  };
  if (f.supersedes !== undefined) event.supersedes = f.supersedes;
  if (f.dataset.depositId !== undefined) event.depositId = f.dataset.depositId;
  Object.assign(event, links);
  return event;
}
