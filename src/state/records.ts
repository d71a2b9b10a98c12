/**
 * The registry's state as the log says it is (docs/log-format.md §6.7): one record per
 * organisation, application, objection, certificate, pledge, pledge request, licence,
 * policy, deposit and key, and the earliest deposit of each digest. Records are plain
 * JSON-able objects, replaced (never mutated) when an entry changes them.
 *
 * Also the two derived records a state commitment hashes (docs/log-format.md §6.9): a
 * certificate's status record and a digest's earliest-deposit record.
 */
import { canonicalJson, sha256, toHex, utf8 } from '../ledger/index.ts';
import type { ApplicationKind, ApplicationState, CertificateStatus } from '../registry/index.ts';
import type { IssuanceBasis } from '../certificates/index.ts';
import { Table } from './table.ts';

export interface OrganisationRecord {
  id: string;
  kind: string;
  uscc: string | null;
  nameHash: string;
  /** Index of its `organisation.registered`. */
  index: number;
}

export interface ApplicationRecord {
  id: string;
  kind: ApplicationKind;
  /** The filing organisation (null: not in the log, e.g. a legacy entry). */
  applicant: string | null;
  state: ApplicationState;
  /** The latest submitted version (0: never submitted). */
  version: number;
  /** Its digest. */
  digest: string | null;
  /** The certificate a change or renewal is for. */
  certificate: string | null;
  /** The certificate issued on approval. */
  issued: string | null;
  /** The reviewer who claimed the version in review. */
  claimedBy: string | null;
  noticeEndsAt: string | null;
  /** Objections filed and not yet decided. */
  openObjections: number;
  /** Index of its `application.approved`. */
  approval: number | null;
  /** Index of the last entry naming it. */
  lastEvent: number;
  /** GB/T 4754 industry code of the latest submitted version, when logged. */
  industry?: string | null;
  /** Time of its first submission (`application.submitted` version 1), when known. */
  submittedAt?: string | null;
}

export interface ObjectionRecord {
  id: string;
  applicationId: string;
  state: 'open' | 'upheld' | 'dismissed';
  groundsHash: string;
  evidenceHash: string | null;
  index: number;
  decidedIndex: number | null;
  /** Text hash of the objector's stated interest, when logged. */
  interestHash?: string | null;
}

export interface CertificateRecord {
  number: string;
  version: number;
  /** As the log records it; a reader's "expired" at a later time is `effectiveCertificateStatus`. */
  status: CertificateStatus;
  holderUscc: string;
  /** The holder organisation's id (from `organisation.registered`), or null when the log does not know it. */
  holder: string | null;
  manifestRoot: string;
  files: number;
  bytes: number;
  issuedAt: string;
  validFrom: string;
  validUntil: string;
  keyId: string;
  payloadDigest: string;
  depositId: string | null;
  /** Leaf hash (hex) of its `certificate.issued`. */
  leafHash: string;
  issuedIndex: number;
  basis: IssuanceBasis;
  applicationId: string | null;
  supersedes: string | null;
  supersededBy: string | null;
  /** Pledge numbers recorded and not released, in the order recorded. */
  pledges: readonly string[];
  licences: readonly string[];
  policies: readonly string[];
  /** Index of the last event of its chain (docs/log-format.md §6.4). */
  lastEvent: number;
  /** Index of the last entry that set its status (null: as issued). */
  statusIndex: number | null;
  /** `reasonHash` of its revocation. */
  reasonHash: string | null;
  /** Its 登记号 (national numbering), or null. */
  registrationNumber?: string | null;
}

export interface PledgeRecord {
  pledgeNumber: string;
  pledgeId: string | null;
  /** The certificate it encumbers now (it follows renewals and changes). */
  certificate: string;
  pledgee: string;
  amountCommitment: string;
  currency: string;
  termStart: string;
  termEnd: string;
  state: 'recorded' | 'released';
  subsequentAllowed: boolean;
  recordedIndex: number;
  releasedIndex: number | null;
  /** SHA-256 of the valuation report (评估报告), when logged. */
  valuationReportHash?: string | null;
  /** 中登网 registration number, when logged. */
  zhongdengNumber?: string | null;
}

/** A pledgee's consent to one change, licence or transfer of its pledged certificate (`pledge.consent_recorded`). */
export interface PledgeConsentRecord {
  id: string;
  pledgeNumber: string;
  certificate: string;
  action: 'change' | 'licence' | 'transfer';
  index: number;
  /** Index of the entry that used it, or null while unused. */
  usedIndex: number | null;
}

export interface PledgeRequestRecord {
  pledgeId: string;
  certificate: string;
  pledgee: string;
  amountCommitment: string;
  currency: string;
  termStart: string;
  termEnd: string;
  state: 'requested' | 'declined' | 'recorded' | 'released';
  pledgeNumber: string | null;
  index: number;
  valuationReportHash?: string | null;
  zhongdengNumber?: string | null;
}

export interface LicenceRecord {
  id: string;
  certificate: string;
  exclusive: boolean;
  termStart: string;
  termEnd: string;
  licenseeUscc: string | null;
  scopeHash: string;
  index: number;
}

export interface PolicyRecord {
  id: string;
  certificate: string;
  insurer: string;
  coverageType: string;
  termStart: string;
  termEnd: string;
  index: number;
}

/** A notarial attestation (`notary.attested`) of a deposited digest. */
export interface AttestationRecord {
  id: string;
  deposit: string;
  digest: string;
  notary: string;
  notarialNumber: string;
  attestedAt: string;
  notaryKey: string;
  index: number;
}

export interface DepositRecord {
  id: string;
  depositor: string;
  digest: string;
  kind: string;
  previous: string | null;
  index: number;
  time: string;
}

export interface KeyRecord {
  keyId: string;
  purpose: 'log' | 'certificate' | 'document';
  /** The C2SP verifier key; null for a document key (an X.509 certificate, not a signed-note key). */
  vkey: string | null;
  /** The raw Ed25519 key (hex); for a document key, the SHA-256 of its certificate. */
  publicKey: string;
  addedIndex: number;
  validFrom: string;
  retiredIndex: number | null;
  validUntil: string | null;
}

/** An entry the state does not allow, by index (docs/log-format.md §6.7). */
export interface Anomaly {
  index: number;
  code: AnomalyCode;
  message: string;
}

/**
 * - `malformed_entry` — not a canonical log entry (bytes, JSON, envelope);
 * - `invalid_entry` — a known kind with missing or wrongly typed members;
 * - `time_went_back` — its time is before the previous entry's;
 * - `unknown_reference` — names an organisation, application, certificate, pledge, deposit or key the log does not have;
 * - `duplicate` — registers an id, number or key that already exists;
 * - `illegal_transition` — the state machine or a registry rule forbids it in the current state;
 * - `chain_broken` — its `prev` is not the certificate's last event, or its `leafHash` not the certificate's;
 * - `link_mismatch` — an issuance link (application, approval, deposits, basis) does not fit what it names;
 * - `missing_link` — a member a new entry must carry (`prev`, `reviewer`, issuance links …) is absent (strict replay only).
 */
export type AnomalyCode =
  | 'malformed_entry'
  | 'invalid_entry'
  | 'time_went_back'
  | 'unknown_reference'
  | 'duplicate'
  | 'illegal_transition'
  | 'chain_broken'
  | 'link_mismatch'
  | 'missing_link';

/** The registry's state after replaying the first `size` entries of the log. */
export interface RegistryState {
  /** Entries replayed: the index the next entry must have. */
  size: number;
  /** The newest `time` seen (the clamp for the next entry), or null for an empty log. */
  lastTime: string | null;
  organisations: Table<string, OrganisationRecord>;
  /** 统一社会信用代码 → organisation id. */
  orgByUscc: Table<string, string>;
  applications: Table<string, ApplicationRecord>;
  objections: Table<string, ObjectionRecord>;
  certificates: Table<string, CertificateRecord>;
  /** By pledge number. */
  pledges: Table<string, PledgeRecord>;
  /** By pledge id (requests, logged since `pledge.requested`). */
  pledgeRequests: Table<string, PledgeRequestRecord>;
  licences: Table<string, LicenceRecord>;
  policies: Table<string, PolicyRecord>;
  /** Notarial attestations by id. */
  attestations: Table<string, AttestationRecord>;
  /** By consent id. */
  pledgeConsents: Table<string, PledgeConsentRecord>;
  deposits: Table<string, DepositRecord>;
  /** Log index of an `evidence.deposited` → its deposit id. */
  depositAt: Table<number, string>;
  /** Digest → the deposit id of its earliest deposit. */
  earliest: Table<string, string>;
  keys: Table<string, KeyRecord>;
  /** Every anomaly found so far, in index order. */
  anomalies: Anomaly[];
  /** Entries of kinds the replay does not know (ignored). */
  ignored: number;
  /** The newest `state.committed` replayed (docs/log-format.md §6.10), or null. */
  commit: StateCommitRecord | null;
  /** The state this one layers over (see `layerState`), if any. */
  parent?: RegistryState;
}

/** A `state.committed` entry as replayed: its index, the state size it commits to, the root (hex). */
export interface StateCommitRecord {
  index: number;
  size: number;
  root: string;
}

const TABLES = [
  'organisations',
  'orgByUscc',
  'applications',
  'objections',
  'certificates',
  'pledges',
  'pledgeRequests',
  'licences',
  'policies',
  'attestations',
  'pledgeConsents',
  'deposits',
  'depositAt',
  'earliest',
  'keys',
] as const;

/** The state of the empty log. */
export function emptyState(): RegistryState {
  return {
    size: 0,
    lastTime: null,
    organisations: new Table(),
    orgByUscc: new Table(),
    applications: new Table(),
    objections: new Table(),
    certificates: new Table(),
    pledges: new Table(),
    pledgeRequests: new Table(),
    licences: new Table(),
    policies: new Table(),
    attestations: new Table(),
    pledgeConsents: new Table(),
    deposits: new Table(),
    depositAt: new Table(),
    earliest: new Table(),
    keys: new Table(),
    anomalies: [],
    ignored: 0,
    commit: null,
  };
}

/**
 * A state that continues `s` without changing it: its tables are layers over `s`'s
 * (copy-on-write), its anomalies a copy. `commitLayer` writes it back into `s`.
 */
export function layerState(s: RegistryState): RegistryState {
  const out = { size: s.size, lastTime: s.lastTime, anomalies: s.anomalies.slice(), ignored: s.ignored, commit: s.commit, parent: s } as RegistryState;
  for (const t of TABLES) (out as unknown as Record<string, unknown>)[t] = (s[t] as Table<unknown, unknown>).layer();
  return out;
}

/** Write a layer made by `layerState` into the state below it; returns that state (now equal to the layer). */
export function commitLayer(layer: RegistryState): RegistryState {
  const base = layer.parent;
  if (!base) throw new Error('not a layer');
  for (const t of TABLES) (layer[t] as Table<unknown, unknown>).commit();
  base.size = layer.size;
  base.lastTime = layer.lastTime;
  base.anomalies = layer.anomalies.slice();
  base.ignored = layer.ignored;
  base.commit = layer.commit;
  layer.anomalies = base.anomalies.slice();
  return base;
}

/** A state as plain JSON (its tables as arrays of [key, record]), for a saved audit position. */
export function serializeState(s: RegistryState): unknown {
  const tables: Record<string, unknown[]> = {};
  for (const t of TABLES) tables[t] = [...(s[t] as Table<unknown, unknown>).entries()];
  return { size: s.size, lastTime: s.lastTime, anomalies: s.anomalies, ignored: s.ignored, commit: s.commit, tables };
}

/** The state {@link serializeState} wrote (trusted input: the auditor's own file). */
export function deserializeState(json: unknown): RegistryState {
  const j = json as { size: number; lastTime: string | null; anomalies: Anomaly[]; ignored: number; commit: StateCommitRecord | null; tables: Record<string, [unknown, unknown][]> };
  const s = emptyState();
  s.size = j.size;
  s.lastTime = j.lastTime;
  s.anomalies = j.anomalies;
  s.ignored = j.ignored;
  s.commit = j.commit;
  for (const t of TABLES) for (const [k, v] of j.tables[t] ?? []) (s[t] as Table<unknown, unknown>).set(k, v);
  return s;
}

/** A copy of `s` without layers (so lookups cost one map access again). */
export function flattenState(s: RegistryState): RegistryState {
  const out = { size: s.size, lastTime: s.lastTime, anomalies: s.anomalies.slice(), ignored: s.ignored, commit: s.commit } as RegistryState;
  for (const t of TABLES) (out as unknown as Record<string, unknown>)[t] = (s[t] as Table<unknown, unknown>).flatten();
  return out;
}

/** How many layers a state's tables have. */
export function stateDepth(s: RegistryState): number {
  return s.certificates.depth;
}

// ---------------------------------------------------------------- derived records

/**
 * A certificate's status record (docs/log-format.md §6.9): what a bank needs to know now —
 * status as logged, version, holder, validity, successor, current pledges, how many
 * licences and policies, and the last event of its chain (from which the whole history
 * can be walked and proven).
 */
export interface CertificateStatusRecord {
  number: string;
  status: CertificateStatus;
  version: number;
  holderUscc: string;
  validUntil: string;
  supersededBy: string | null;
  pledges: { pledgeNumber: string; pledgee: string; termStart: string; termEnd: string }[];
  licences: number;
  policies: number;
  lastEvent: number;
}

export function certificateStatusRecord(s: RegistryState, number: string): CertificateStatusRecord | undefined {
  const c = s.certificates.get(number);
  return c ? statusRecordOf(s, c) : undefined;
}

/** The status record of certificate `c` of state `s`. */
export function statusRecordOf(s: RegistryState, c: CertificateRecord): CertificateStatusRecord {
  return {
    number: c.number,
    status: c.status,
    version: c.version,
    holderUscc: c.holderUscc,
    validUntil: c.validUntil,
    supersededBy: c.supersededBy,
    pledges: c.pledges.map((n) => {
      const p = s.pledges.get(n)!;
      return { pledgeNumber: n, pledgee: p.pledgee, termStart: p.termStart, termEnd: p.termEnd };
    }),
    licences: c.licences.length,
    policies: c.policies.length,
    lastEvent: c.lastEvent,
  };
}

/** A digest's earliest deposit (docs/log-format.md §6.9). */
export interface EarliestDepositRecord {
  digest: string;
  depositId: string;
  depositor: string;
  index: number;
  time: string;
}

export function earliestDepositRecord(s: RegistryState, digest: string): EarliestDepositRecord | undefined {
  return earliestRecordOf(s, digest, s.earliest.get(digest));
}

/** The earliest-deposit record of `digest`, whose earliest deposit is `id`, in state `s`. */
export function earliestRecordOf(s: RegistryState, digest: string, id: string | undefined): EarliestDepositRecord | undefined {
  const d = id === undefined ? undefined : s.deposits.get(id);
  if (!d) return undefined;
  return { digest, depositId: d.id, depositor: d.depositor, index: d.index, time: d.time };
}

/** SHA-256 (hex) of the canonical JSON of a derived record: the value a state commitment maps its key to. */
export function recordHash(record: CertificateStatusRecord | EarliestDepositRecord): string {
  return toHex(sha256(recordBytes(record)));
}

const str = (v: unknown): v is string => typeof v === 'string';
const int = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const q = JSON.stringify;

/**
 * The canonical JSON (RFC 8785, `canonicalJson` of src/ledger) of a status or
 * earliest-deposit record — the text a state commitment hashes (docs/log-format.md §6.9).
 * Records of the exact shapes above are written member by member in JCS order with
 * JSON.stringify's string and number forms (which are JCS's), several times faster than
 * the general canonicaliser; anything else — another shape, a `\u` escape (a lone
 * surrogate has no canonical form) — goes through `canonicalJson`, with its errors.
 */
export function recordJson(record: CertificateStatusRecord | EarliestDepositRecord): string {
  const text = 'number' in record ? certificateJson(record) : depositJson(record);
  return text === undefined || text.includes('\\u') ? canonicalJson(record) : text;
}

/** Whether a status record has exactly the members and types the fast writers handle. */
function certificateShape(r: CertificateStatusRecord): boolean {
  if (Object.keys(r).length !== 10 || !str(r.holderUscc) || !int(r.lastEvent) || !int(r.licences) || !str(r.number) || !Array.isArray(r.pledges)) return false;
  if (!int(r.policies) || !str(r.status) || !(r.supersededBy === null || str(r.supersededBy)) || !str(r.validUntil) || !int(r.version)) return false;
  for (const p of r.pledges) if (typeof p !== 'object' || p === null || Object.keys(p).length !== 4 || !str(p.pledgeNumber) || !str(p.pledgee) || !str(p.termEnd) || !str(p.termStart)) return false;
  return true;
}

function certificateJson(r: CertificateStatusRecord): string | undefined {
  if (!certificateShape(r)) return undefined;
  let pledges = '';
  for (const p of r.pledges) {
    pledges += `${pledges ? ',' : ''}{"pledgeNumber":${q(p.pledgeNumber)},"pledgee":${q(p.pledgee)},"termEnd":${q(p.termEnd)},"termStart":${q(p.termStart)}}`;
  }
  return (
    `{"holderUscc":${q(r.holderUscc)},"lastEvent":${q(r.lastEvent)},"licences":${q(r.licences)},"number":${q(r.number)},"pledges":[${pledges}],` +
    `"policies":${q(r.policies)},"status":${q(r.status)},"supersededBy":${q(r.supersededBy)},"validUntil":${q(r.validUntil)},"version":${q(r.version)}}`
  );
}

function depositShape(r: EarliestDepositRecord): boolean {
  return Object.keys(r).length === 5 && str(r.depositId) && str(r.depositor) && str(r.digest) && int(r.index) && str(r.time);
}

function depositJson(r: EarliestDepositRecord): string | undefined {
  if (!depositShape(r)) return undefined;
  return `{"depositId":${q(r.depositId)},"depositor":${q(r.depositor)},"digest":${q(r.digest)},"index":${q(r.index)},"time":${q(r.time)}}`;
}

/**
 * The UTF-8 bytes of {@link recordJson}, what a state commitment hashes. A record whose
 * strings are all printable ASCII without `"` or `\\` and whose numbers are safe
 * integers (every record DataDeed writes) is written byte by byte into one reused buffer
 * — no record text, no rope of pieces, no encoding — and the answer is a view of that
 * buffer, valid until the next call; anything else is `utf8(recordJson(record))`.
 */
export function recordBytes(record: CertificateStatusRecord | EarliestDepositRecord): Uint8Array {
  out.at = 0;
  const ok = 'number' in record ? certificateShape(record) && certificateBytes(record) : depositShape(record) && depositBytes(record);
  return ok ? out.buf.subarray(0, out.at) : utf8(recordJson(record));
}

/**
 * `recordBytes(certificateStatusRecord(s, c.number))` written straight from the
 * certificate's record `c` of state `s` — no status record object, member list or
 * pledge objects per certificate (what a state commitment hashes for every certificate
 * of a state built from nothing). The same bytes, as a view valid until the next call;
 * anything the byte writer does not handle goes through the status record.
 */
export function certificateStatusBytes(s: RegistryState, c: CertificateRecord): Uint8Array {
  out.at = 0;
  return statusBytes(s, c) ? out.buf.subarray(0, out.at) : recordBytes(statusRecordOf(s, c));
}

function statusBytes(s: RegistryState, c: CertificateRecord): boolean {
  if (!str(c.holderUscc) || !str(c.number) || !str(c.status) || !str(c.validUntil) || !(c.supersededBy === null || str(c.supersededBy))) return false;
  if (!statusHead(c.holderUscc, c.lastEvent, c.licences.length, c.number)) return false;
  for (let i = 0; i < c.pledges.length; i++) {
    const n = c.pledges[i]!;
    const p = s.pledges.get(n);
    if (p === undefined || !str(n) || !str(p.pledgee) || !str(p.termEnd) || !str(p.termStart)) return false;
    if (!statusPledge(i, n, p.pledgee, p.termEnd, p.termStart)) return false;
  }
  return statusTail(c.policies.length, c.status, c.supersededBy, c.validUntil, c.version);
}

const out = { buf: new Uint8Array(1024), at: 0 };

function room(n: number): void {
  if (out.at + n <= out.buf.length) return;
  const b = new Uint8Array(Math.max(2 * out.buf.length, out.at + n));
  b.set(out.buf.subarray(0, out.at));
  out.buf = b;
}

/** Appends ASCII text the caller knows is plain (member names, punctuation). */
function raw(text: string): void {
  room(text.length);
  const { buf } = out;
  for (let i = 0; i < text.length; i++) buf[out.at++] = text.charCodeAt(i);
}

/** Appends a JSON string when its text needs no escape and no UTF-8 beyond ASCII (JSON.stringify writes it as is); false otherwise. */
function plain(text: string): boolean {
  room(text.length + 2);
  const { buf } = out;
  buf[out.at++] = 0x22;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
    buf[out.at++] = c;
  }
  buf[out.at++] = 0x22;
  return true;
}

/** Appends a safe integer as JSON.stringify writes it; false for any other number. */
function integer(n: number): boolean {
  if (!Number.isSafeInteger(n)) return false;
  raw(String(n));
  return true;
}

function certificateBytes(r: CertificateStatusRecord): boolean {
  if (!statusHead(r.holderUscc, r.lastEvent, r.licences, r.number)) return false;
  for (let i = 0; i < r.pledges.length; i++) {
    const p = r.pledges[i]!;
    if (!statusPledge(i, p.pledgeNumber, p.pledgee, p.termEnd, p.termStart)) return false;
  }
  return statusTail(r.policies, r.status, r.supersededBy, r.validUntil, r.version);
}

/** Appends `prefix` (a member's `,"name":`) and the string `value` (see {@link plain}). */
function text(prefix: string, value: string): boolean {
  raw(prefix);
  return plain(value);
}

/** Appends `prefix` and the integer `value` (see {@link integer}). */
function num(prefix: string, value: number): boolean {
  raw(prefix);
  return integer(value);
}

/** A status record's members up to its pledge list, opened (members in JCS order). */
function statusHead(holderUscc: string, lastEvent: number, licences: number, number: string): boolean {
  if (!(text('{"holderUscc":', holderUscc) && num(',"lastEvent":', lastEvent) && num(',"licences":', licences) && text(',"number":', number))) return false;
  raw(',"pledges":[');
  return true;
}

/** The `i`-th member of a status record's pledge list. */
function statusPledge(i: number, pledgeNumber: string, pledgee: string, termEnd: string, termStart: string): boolean {
  if (!(text(i > 0 ? ',{"pledgeNumber":' : '{"pledgeNumber":', pledgeNumber) && text(',"pledgee":', pledgee) && text(',"termEnd":', termEnd) && text(',"termStart":', termStart))) return false;
  raw('}');
  return true;
}

/** A status record's members after its pledge list, and its end. */
function statusTail(policies: number, status: string, supersededBy: string | null, validUntil: string, version: number): boolean {
  if (!(num('],"policies":', policies) && text(',"status":', status))) return false;
  if (supersededBy === null) raw(',"supersededBy":null');
  else if (!text(',"supersededBy":', supersededBy)) return false;
  if (!(text(',"validUntil":', validUntil) && num(',"version":', version))) return false;
  raw('}');
  return true;
}

function depositBytes(r: EarliestDepositRecord): boolean {
  if (!(text('{"depositId":', r.depositId) && text(',"depositor":', r.depositor) && text(',"digest":', r.digest) && num(',"index":', r.index) && text(',"time":', r.time))) return false;
  raw('}');
  return true;
}
