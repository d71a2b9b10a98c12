/**
 * `replay(entries) → state`: the registry's state recomputed from its log alone
 * (docs/log-format.md §6). Pure — no I/O, no clock: the same code runs in the server (the
 * write guard), in `datadeed audit`, in tests and in a browser.
 *
 * Entries are applied in index order. Each is decoded (canonical RFC 8785 bytes, `v: 1`,
 * a kind and a time), checked against the state it lands on — the application and
 * certificate state machines of src/registry, the registry's rules (a pledged certificate
 * cannot be transferred, exclusive licences do not overlap, a further pledge needs every
 * pledgee's consent …), the certificate chain (`prev`, `leafHash`), the issuance links,
 * references to organisations, deposits and keys, and times that never go back — and
 * applied. What does not fit is an **anomaly**, named with its index: an entry that
 * cannot be read or names something the log does not have is skipped; one that breaks a
 * rule is applied as the log says (the log is the record) and reported. Kinds the
 * replay does not know are ignored and counted.
 *
 * Incremental: `replay(more, prior)` continues from a prior state without changing it
 * (copy-on-write layers, `records.ts`); `applyEntry` changes a state in place (the fast
 * path of audit and of the server's guard).
 */
import { bytesEqual, encodeEntry, isCanonicalJsonText, isHex64, isUtcTimestamp, MAX_ENTRY_BYTES, rfc6962, toHex, daysInMonth, type Hasher } from '../ledger/index.ts';
import { CERTIFICATE_NUMBER, ISSUANCE_BASES, validateUscc, type IssuanceBasis } from '../certificates/index.ts';
import {
  APPLICATION_KINDS,
  APPLICATION_RULES,
  CERTIFICATE_RULES,
  COVERAGE_TYPES,
  nextApplicationState,
  nextCertificateStatus,
  renewalOpen,
  stateAfterDismissal,
  validRegistrationNumber,
  type ApplicationAction,
  type CertificateAction,
  type CertificateStatus,
} from '../registry/index.ts';
import { ORG_KINDS } from '../accounts/index.ts';
import { DEPOSIT_ID, EVIDENCE_KINDS } from '../evidence/index.ts';
import { StateError } from './errors.ts';
import { parseEntryJson } from './entry-json.ts';
import {
  emptyState,
  flattenState,
  layerState,
  stateDepth,
  type Anomaly,
  type AnomalyCode,
  type ApplicationRecord,
  type CertificateRecord,
  type RegistryState,
} from './records.ts';

/** One log entry: its index and its bytes. */
export interface ReplayEntry {
  index: number;
  data: Uint8Array;
}

export interface ReplayOptions {
  /**
   * Require what a new entry must carry — `prev` on certificate events, `reviewer` on
   * review decisions, the issuance links, `applicant`, `pledgeId` … — and report its
   * absence as `missing_link` (the server's write guard). Off for audit: older entries
   * lack them (docs/log-format.md §6.8).
   */
  strict?: boolean;
  /** Check that every entry is exactly its canonical encoding (default true). */
  canonical?: boolean;
  /** The RFC 6962 hasher for certificate leaf hashes (default: the pure one of src/ledger). */
  hasher?: Hasher;
}

/** Continue `prior` (or the empty log) with `entries`; `prior` is not changed. */
export function replay(entries: Iterable<ReplayEntry>, prior?: RegistryState, opts: ReplayOptions = {}): RegistryState {
  const s = prior === undefined ? emptyState() : stateDepth(prior) >= 8 ? flattenState(prior) : layerState(prior);
  for (const e of entries) applyEntry(s, e, opts);
  return s;
}

const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{8}$/;
/** A document key's ID: the first 16 hex digits of its certificate's SHA-256. */
const DOCUMENT_KEY_ID = /^[0-9a-f]{16}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PLEDGE_NUMBER = /^PLG-\d{4}-\d{6,}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** A 登记号: 15 digits and an ISO 7064 MOD 37,36 check character (src/registry/numbering.ts). */
const REGISTRATION = /^[0-9]{15}[0-9A-Z]$/;
/** A 中登网 (动产融资统一登记公示系统) registration number as logged. */
const ZHONGDENG = /^[0-9A-Z-]{8,40}$/;
/** A GB/T 4754 industry code: a section letter and up to four digits. */
const INDUSTRY = /^[A-T](\d{2,4})?$/;
const CONSENT_ACTIONS = ['change', 'licence', 'transfer'] as const;

class Skip extends Error {}

/**
 * 统一社会信用代码 that passed `validateUscc` (a holder's code recurs in every entry of
 * its certificates): a pure function of the text, so remembered — at most 4,096, then
 * forgotten all at once.
 */
const VALID_USCC = new Set<string>();

/**
 * The empty list a new certificate record starts with (pledges, licences, policies): one
 * frozen array shared by every record — records are replaced, never mutated — instead of
 * three new arrays per certificate that the replayed state keeps.
 */
const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * The order of two times that passed `isUtcTimestamp` (an entry's `time`, a certificate's
 * validity): negative, zero or positive as `Date.parse` orders them. Two of one length
 * have the same form (fixed-width fields, with or without milliseconds), so the text
 * order is the time order and nothing is parsed — the replay compares times several
 * times an entry.
 */
function timeOrder(a: string, b: string): number {
  if (a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  return Date.parse(a) - Date.parse(b);
}

type Event = Record<string, unknown> & { kind: string; time: string };

/** What one entry is applied with. */
class Step {
  readonly found: Anomaly[] = [];
  constructor(
    readonly s: RegistryState,
    readonly ev: Event,
    readonly index: number,
    readonly data: Uint8Array,
    readonly strict: boolean,
    readonly hasher: Hasher,
  ) {}

  get time(): string {
    return this.ev.time;
  }

  flag(code: AnomalyCode, message: string): void {
    this.found.push({ index: this.index, code, message });
  }

  /** Report and skip the entry (it cannot be applied). */
  reject(code: AnomalyCode, message: string): never {
    this.flag(code, message);
    throw new Skip(message);
  }

  private bad(name: string, what: string): never {
    return this.reject('invalid_entry', `${this.ev.kind}: ${name} must be ${what}`);
  }

  str(name: string, re?: RegExp): string {
    const v = this.ev[name];
    if (typeof v !== 'string' || (re && !(re === HEX64 ? isHex64(v) : re.test(v)))) this.bad(name, re ? `a string matching ${re.source}` : 'a string');
    return v;
  }

  optStr(name: string, re?: RegExp): string | undefined {
    return this.ev[name] === undefined ? undefined : this.str(name, re);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const v = this.ev[name];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) this.bad(name, `one of ${values.join(', ')}`);
    return v as T;
  }

  int(name: string, min = 0): number {
    const v = this.ev[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.bad(name, `an integer ≥ ${min}`);
    return v;
  }

  optInt(name: string): number | undefined {
    return this.ev[name] === undefined ? undefined : this.int(name);
  }

  bool(name: string): boolean {
    const v = this.ev[name];
    if (typeof v !== 'boolean') this.bad(name, 'a boolean');
    return v;
  }

  timestamp(name: string): string {
    const v = this.str(name);
    if (!isUtcTimestamp(v)) this.bad(name, 'an RFC 3339 UTC time');
    return v;
  }

  date(name: string): string {
    const v = this.str(name);
    const m = DATE.exec(v);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > daysInMonth(Number(m[1]), Number(m[2]))) this.bad(name, 'a date YYYY-MM-DD');
    return v;
  }

  uscc(name: string): string {
    const v = this.str(name);
    if (!VALID_USCC.has(v)) {
      if (!validateUscc(v).ok) this.bad(name, 'a valid 统一社会信用代码');
      if (VALID_USCC.size >= 4096) VALID_USCC.clear();
      VALID_USCC.add(v);
    }
    return v;
  }

  /** A member new entries must carry: its absence is `missing_link` in strict mode. */
  linked<T>(value: T | undefined, name: string): T | undefined {
    if (value === undefined && this.strict) this.flag('missing_link', `${this.ev.kind} without ${name}`);
    return value;
  }

  org(id: string, what: string, kinds?: readonly string[]): void {
    const o = this.s.organisations.get(id);
    if (!o) this.flag('unknown_reference', `${what} ${id} is not a registered organisation`);
    else if (kinds && !kinds.includes(o.kind)) this.flag('illegal_transition', `${what} ${id} is a ${o.kind} organisation`);
  }

  application(id: string): ApplicationRecord {
    const a = this.s.applications.get(id);
    if (!a) this.reject('unknown_reference', `application ${id} was never submitted`);
    return a;
  }

  certificate(number: string): CertificateRecord {
    const c = this.s.certificates.get(number);
    if (!c) this.reject('unknown_reference', `certificate ${number} was never issued`);
    return c;
  }

  /** A certificate event's chain members: `leafHash` of its issuance, `prev` = its last event. */
  chain(c: CertificateRecord, withLeafHash: boolean): void {
    if (withLeafHash) {
      const leafHash = this.str('leafHash', HEX64);
      if (leafHash !== c.leafHash) this.flag('chain_broken', `${this.ev.kind}: leafHash is not certificate ${c.number}'s`);
    }
    const prev = this.linked(this.optInt('prev'), 'prev');
    if (prev !== undefined && prev !== c.lastEvent)
      this.flag('chain_broken', `${this.ev.kind}: prev ${prev} is not certificate ${c.number}'s last event ${c.lastEvent}`);
  }

  /** The certificate is in force (active or pledged, before its validity ends) at the entry's time. */
  inForce(c: CertificateRecord): void {
    if (c.status !== 'active' && c.status !== 'pledged') this.flag('illegal_transition', `${this.ev.kind}: certificate ${c.number} is ${c.status}`);
    else if (timeOrder(this.time, c.validUntil) >= 0) this.flag('illegal_transition', `${this.ev.kind}: certificate ${c.number} has expired`);
  }

  nextApplication(a: ApplicationRecord, action: ApplicationAction, actor: 'applicant' | 'reviewer' | 'public' | 'system'): ApplicationRecord['state'] {
    try {
      return nextApplicationState(a.state, action, actor, a.kind);
    } catch {
      this.flag('illegal_transition', `${this.ev.kind}: cannot ${action.replace(/_/g, ' ')} application ${a.id} (${a.state}, ${a.kind})`);
      return APPLICATION_RULES[action].to;
    }
  }

  nextCertificate(c: CertificateRecord, action: CertificateAction): CertificateStatus {
    try {
      return nextCertificateStatus(c.status, action);
    } catch {
      this.flag('illegal_transition', `${this.ev.kind}: cannot ${action} certificate ${c.number} (${c.status})`);
      return CERTIFICATE_RULES[action].to;
    }
  }
}

/**
 * Apply one entry to `s` in place (its top layer). Returns the anomalies of this entry
 * (also appended to `s.anomalies`).
 * @throws StateError `replay_out_of_order` when `entry.index` is not `s.size`.
 */
export function applyEntry(s: RegistryState, entry: ReplayEntry, opts: ReplayOptions = {}): Anomaly[] {
  if (entry.index !== s.size) throw new StateError('replay_out_of_order', `entry ${entry.index} given to a state of size ${s.size}`);
  s.size++;
  const ev = decode(entry.data, opts.canonical !== false);
  if (typeof ev === 'string') {
    const a: Anomaly = { index: entry.index, code: 'malformed_entry', message: ev };
    s.anomalies.push(a);
    return [a];
  }
  const step = new Step(s, ev, entry.index, entry.data, opts.strict === true, opts.hasher ?? rfc6962);
  if (s.lastTime !== null && timeOrder(ev.time, s.lastTime) < 0)
    step.flag('time_went_back', `time ${ev.time} is before the previous entry's ${s.lastTime}`);
  else s.lastTime = ev.time;
  const apply = HANDLERS[ev.kind];
  if (apply === undefined) s.ignored++;
  else {
    try {
      apply(step);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
    }
  }
  for (const a of step.found) s.anomalies.push(a);
  return step.found;
}

/** The event of an entry, or why it is not one. */
function decode(data: Uint8Array, canonical: boolean): Event | string {
  const parsed = parseEntryJson(data);
  if (!parsed.ok) return 'the entry is not UTF-8 JSON';
  const ev = parsed.value;
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return 'the entry is not a JSON object';
  const e = ev as Record<string, unknown>;
  if (e.v !== 1) return 'the entry has no v: 1';
  if (typeof e.kind !== 'string' || !KIND.test(e.kind)) return 'the entry has no valid kind';
  if (typeof e.time !== 'string' || !isUtcTimestamp(e.time)) return 'the entry has no valid time';
  if (canonical && !isCanonicalText(data, parsed.text, e)) {
    let again: Uint8Array;
    try {
      again = encodeEntry(e as Event);
    } catch {
      return 'the entry is not plain JSON';
    }
    if (!bytesEqual(again, data)) return 'the entry is not in canonical form';
  }
  return e as Event;
}

/**
 * A quick sufficient test that `data` is exactly `encodeEntry(value)` (RFC 8785), where
 * `text` is its strict UTF-8 decoding and `value` the JSON.parse of that text
 * (`isCanonicalJsonText` of src/ledger); false, never wrongly true, also for an entry
 * over 65,535 bytes or one with a byte-order mark: the caller then re-encodes and names
 * the fault.
 */
function isCanonicalText(data: Uint8Array, text: string, value: Record<string, unknown>): boolean {
  return data.length <= MAX_ENTRY_BYTES && data[0] === 0x7b && isCanonicalJsonText(text, value, data);
}

// ---------------------------------------------------------------- the kinds

const HANDLERS: Record<string, (st: Step) => void> = {
  'key.added': (st) => {
    const purpose = st.oneOf('purpose', ['log', 'certificate', 'document'] as const);
    // a document key (PAdES): its X.509 certificate and its CA's, named by the certificate's hash
    const document = purpose === 'document';
    const keyId = st.str('keyId', document ? DOCUMENT_KEY_ID : KEY_ID);
    const vkey = document ? null : st.str('vkey');
    const publicKey = document ? st.str('certificateSha256', HEX64) : st.str('publicKey', HEX64);
    if (document) {
      st.str('certificate');
      st.str('caCertificate');
      st.str('caCertificateSha256', HEX64);
    }
    if (st.s.keys.has(keyId)) st.reject('duplicate', `key ${keyId} was already added`);
    st.s.keys.set(keyId, { keyId, purpose, vkey, publicKey, addedIndex: st.index, validFrom: st.time, retiredIndex: null, validUntil: null });
  },

  'key.retired': (st) => {
    const purpose = st.oneOf('purpose', ['log', 'certificate', 'document'] as const);
    const keyId = st.str('keyId', purpose === 'document' ? DOCUMENT_KEY_ID : KEY_ID);
    const k = st.s.keys.get(keyId);
    if (!k) return st.reject('unknown_reference', `key ${keyId} was never added`);
    if (k.purpose !== purpose || k.retiredIndex !== null) st.flag('illegal_transition', `key ${keyId} is not an active ${purpose} key`);
    st.s.keys.set(keyId, { ...k, retiredIndex: st.index, validUntil: st.time });
  },

  'organisation.registered': (st) => {
    const id = st.str('orgId', UUID);
    const kind = st.oneOf('orgKind', ORG_KINDS);
    const uscc = st.ev.uscc === undefined ? null : st.uscc('uscc');
    const nameHash = st.str('nameHash', HEX64);
    if (st.s.organisations.has(id)) st.reject('duplicate', `organisation ${id} is already registered`);
    if (kind === 'enterprise' && uscc === null) st.flag('illegal_transition', `enterprise ${id} registered without a 统一社会信用代码`);
    if (uscc !== null && st.s.orgByUscc.has(uscc)) st.reject('duplicate', `another organisation has the 统一社会信用代码 ${uscc}`);
    st.s.organisations.set(id, { id, kind, uscc, nameHash, index: st.index });
    if (uscc !== null) st.s.orgByUscc.set(uscc, id);
  },

  'evidence.deposited': (st) => {
    const id = st.str('depositId', DEPOSIT_ID);
    const depositor = st.str('depositor', UUID);
    const digest = st.str('digest', HEX64);
    const kind = st.oneOf('evidenceKind', EVIDENCE_KINDS);
    const previous = st.optStr('previous', DEPOSIT_ID) ?? null;
    if (st.s.deposits.has(id)) st.reject('duplicate', `deposit ${id} already exists`);
    st.org(depositor, 'depositor');
    if (previous !== null) {
      const p = st.s.deposits.get(previous);
      if (!p) st.flag('unknown_reference', `previous deposit ${previous} does not exist`);
      else if (p.depositor !== depositor) st.flag('illegal_transition', `previous deposit ${previous} is another organisation's`);
    }
    st.s.deposits.set(id, { id, depositor, digest, kind, previous, index: st.index, time: st.time });
    st.s.depositAt.set(st.index, id);
    if (!st.s.earliest.has(digest)) st.s.earliest.set(digest, id);
  },

  // a notary office attests a deposited digest (its Ed25519 signature is checked by verifiers and at recording; the replay checks references)
  'notary.attested': (st) => {
    const id = st.str('attestationId', UUID);
    const notary = st.str('notary', UUID);
    const depositId = st.str('depositId', DEPOSIT_ID);
    const digest = st.str('digest', HEX64);
    const notarialNumber = st.str('notarialNumber');
    st.str('office');
    const attestedAt = st.timestamp('attestedAt');
    const notaryKey = st.str('notaryKey');
    st.str('signature');
    if (st.s.attestations.has(id)) st.reject('duplicate', `attestation ${id} already exists`);
    st.org(notary, 'notary', ['notary']);
    const d = st.s.deposits.get(depositId);
    if (!d) st.flag('unknown_reference', `deposit ${depositId} does not exist`);
    else if (d.digest !== digest) st.flag('link_mismatch', `deposit ${depositId} is of another digest`);
    if (Date.parse(attestedAt) > Date.parse(st.time)) st.flag('illegal_transition', `notary.attested: the notarial act (${attestedAt}) is after the entry's time`);
    st.s.attestations.set(id, { id, deposit: depositId, digest, notary, notarialNumber, attestedAt, notaryKey, index: st.index });
  },

  // ------------------------------------------------------------ applications

  'application.submitted': (st) => {
    const id = st.str('applicationId', UUID);
    const applicant = st.linked(st.optStr('applicant', UUID), 'applicant') ?? null;
    const kind = st.oneOf('applicationKind', APPLICATION_KINDS);
    const version = st.int('version', 1);
    const digest = st.str('digest', HEX64);
    const certificate = st.optStr('certificate', CERTIFICATE_NUMBER) ?? null;
    const industry = st.optStr('industry', INDUSTRY) ?? null;
    const prior = st.s.applications.get(id);
    const a: ApplicationRecord = prior ?? {
      id,
      kind,
      applicant,
      state: 'draft',
      version: 0,
      digest: null,
      certificate,
      issued: null,
      claimedBy: null,
      noticeEndsAt: null,
      openObjections: 0,
      approval: null,
      lastEvent: st.index,
    };
    if (a.kind !== kind || a.certificate !== certificate) st.flag('illegal_transition', `application ${id} changed its kind or certificate`);
    if (prior && applicant !== null && prior.applicant !== null && prior.applicant !== applicant)
      st.flag('illegal_transition', `application ${id} submitted by another organisation`);
    if (version !== a.version + 1) st.flag('illegal_transition', `application ${id}: version ${version} after version ${a.version}`);
    const who = applicant ?? a.applicant;
    if (who !== null) {
      const org = st.s.organisations.get(who);
      if (!org) st.flag('unknown_reference', `applicant ${who} is not a registered organisation`);
      else if (!org.uscc) st.flag('illegal_transition', `applicant ${who} has no 统一社会信用代码`);
    }
    if ((kind === 'initial') !== (certificate === null)) st.flag('invalid_entry', `a ${kind} application ${certificate === null ? 'needs' : 'names no'} certificate`);
    if (certificate !== null) {
      const c = st.s.certificates.get(certificate);
      if (!c) st.flag('unknown_reference', `certificate ${certificate} was never issued`);
      else {
        if (c.status !== 'active' && c.status !== 'pledged') st.flag('illegal_transition', `certificate ${certificate} is ${c.status}`);
        if (who !== null && c.holder !== who) st.flag('illegal_transition', `certificate ${certificate} is not the applicant's`);
        if (kind === 'renewal' && !renewalOpen(new Date(c.validUntil), new Date(st.time)))
          st.flag('illegal_transition', `certificate ${certificate}: renewal outside the last 90 days of validity`);
      }
    }
    const state = st.nextApplication(a, 'submit', 'applicant');
    st.s.applications.set(id, { ...a, applicant: who, state, version, digest, claimedBy: null, lastEvent: st.index, industry: industry ?? a.industry ?? null, submittedAt: a.submittedAt ?? st.time });
  },

  'application.withdrawn': (st) => {
    const id = st.str('applicationId', UUID);
    const applicant = st.linked(st.optStr('applicant', UUID), 'applicant') ?? null;
    const kind = st.linked(st.ev.applicationKind === undefined ? undefined : st.oneOf('applicationKind', APPLICATION_KINDS), 'applicationKind') ?? 'initial';
    const certificate = st.optStr('certificate', CERTIFICATE_NUMBER) ?? null;
    const prior = st.s.applications.get(id);
    // a draft was never submitted: its withdrawal is its first entry
    const a: ApplicationRecord = prior ?? {
      id,
      kind,
      applicant,
      state: 'draft',
      version: 0,
      digest: null,
      certificate,
      issued: null,
      claimedBy: null,
      noticeEndsAt: null,
      openObjections: 0,
      approval: null,
      lastEvent: st.index,
    };
    if (prior && applicant !== null && prior.applicant !== null && prior.applicant !== applicant)
      st.flag('illegal_transition', `application ${id} withdrawn by another organisation`);
    const state = st.nextApplication(a, 'withdraw', 'applicant');
    st.s.applications.set(id, { ...a, applicant: a.applicant ?? applicant, state, lastEvent: st.index });
  },

  'review.claimed': (st) => review(st, 'claim'),
  'review.changes_requested': (st) => {
    st.str('commentHash', HEX64);
    review(st, 'request_changes');
  },
  'review.rejected': (st) => {
    st.str('reasonHash', HEX64);
    review(st, 'reject');
  },
  'notice.opened': (st) => {
    const ends = st.timestamp('noticeEndsAt');
    if (Date.parse(ends) < Date.parse(st.time)) st.flag('invalid_entry', 'the notice ends before it opens');
    review(st, 'open_notice', { noticeEndsAt: ends });
  },

  'objection.filed': (st) => {
    const id = st.str('applicationId', UUID);
    const objectionId = st.str('objectionId', UUID);
    const groundsHash = st.str('groundsHash', HEX64);
    const evidenceHash = st.optStr('evidenceHash', HEX64) ?? null;
    const interestHash = st.optStr('interestHash', HEX64) ?? null;
    const a = st.application(id);
    if (st.s.objections.has(objectionId)) st.reject('duplicate', `objection ${objectionId} already exists`);
    const state = st.nextApplication(a, 'file_objection', 'public');
    st.s.objections.set(objectionId, { id: objectionId, applicationId: id, state: 'open', groundsHash, evidenceHash, index: st.index, decidedIndex: null, interestHash });
    st.s.applications.set(id, { ...a, state, openObjections: a.openObjections + 1, lastEvent: st.index });
  },

  'objection.upheld': (st) => decideObjection(st, true),
  'objection.dismissed': (st) => decideObjection(st, false),

  'application.approved': (st) => {
    const id = st.str('applicationId', UUID);
    const version = st.int('version', 1);
    const digest = st.str('digest', HEX64);
    const reviewer = st.optStr('reviewer', UUID);
    const a = st.application(id);
    if (version !== a.version || digest !== a.digest) st.flag('illegal_transition', `application ${id}: approval of version ${version}, not the submitted ${a.version}`);
    if (a.state === 'public_notice' && (a.noticeEndsAt === null || Date.parse(st.time) < Date.parse(a.noticeEndsAt)))
      st.flag('illegal_transition', `application ${id}: approved before its notice ended (${a.noticeEndsAt ?? 'unknown'})`);
    if (reviewer !== undefined && a.claimedBy !== null && a.claimedBy !== reviewer && a.state === 'in_review')
      st.flag('illegal_transition', `application.approved: application ${id} was claimed by another reviewer`);
    const state = st.nextApplication(a, 'approve', reviewer === undefined ? 'system' : 'reviewer');
    st.s.applications.set(id, { ...a, state, approval: st.index, lastEvent: st.index });
  },

  // ------------------------------------------------------------ certificates

  'certificate.issued': (st) => issue(st),

  'certificate.revoked': (st) => {
    const reasonHash = st.str('reasonHash', HEX64);
    st.linked(st.optStr('reviewer', UUID), 'reviewer');
    changeStatus(st, 'revoke', { reasonHash });
  },
  'certificate.cancelled': (st) => changeStatus(st, 'cancel', {}),
  'certificate.expired': (st) => changeStatus(st, 'expire', {}),

  // ------------------------------------------------------------ encumbrances

  'pledge.requested': (st) => {
    const pledgeId = st.str('pledgeId', UUID);
    const number = st.str('number', CERTIFICATE_NUMBER);
    const pledgee = st.str('pledgee', UUID);
    const amountCommitment = st.str('amountCommitment', HEX64);
    const currency = st.str('currency', CURRENCY);
    const termStart = st.date('termStart');
    const termEnd = st.date('termEnd');
    const valuationReportHash = st.optStr('valuationReportHash', HEX64) ?? null;
    const zhongdengNumber = st.optStr('zhongdengNumber', ZHONGDENG) ?? null;
    const c = st.certificate(number);
    if (st.s.pledgeRequests.has(pledgeId)) st.reject('duplicate', `pledge ${pledgeId} was already requested`);
    st.org(pledgee, 'pledgee', ['bank']);
    st.inForce(c);
    if (termEnd <= termStart) st.flag('invalid_entry', 'the term ends before it starts');
    st.s.pledgeRequests.set(pledgeId, {
      pledgeId,
      certificate: number,
      pledgee,
      amountCommitment,
      currency,
      termStart,
      termEnd,
      state: 'requested',
      pledgeNumber: null,
      index: st.index,
      valuationReportHash,
      zhongdengNumber,
    });
  },

  'pledge.declined': (st) => {
    const pledgeId = st.str('pledgeId', UUID);
    const number = st.str('number', CERTIFICATE_NUMBER);
    const r = st.s.pledgeRequests.get(pledgeId);
    if (!r) return st.reject('unknown_reference', `pledge ${pledgeId} was never requested`);
    if (r.state !== 'requested' || r.certificate !== number) st.flag('illegal_transition', `pledge ${pledgeId} is ${r.state}`);
    st.s.pledgeRequests.set(pledgeId, { ...r, state: 'declined' });
  },

  'pledge.recorded': (st) => {
    const pledgeNumber = st.str('pledgeNumber', PLEDGE_NUMBER);
    const pledgeId = st.linked(st.optStr('pledgeId', UUID), 'pledgeId') ?? null;
    const number = st.str('number', CERTIFICATE_NUMBER);
    const pledgee = st.str('pledgee', UUID);
    const amountCommitment = st.str('amountCommitment', HEX64);
    const currency = st.str('currency', CURRENCY);
    const termStart = st.date('termStart');
    const termEnd = st.date('termEnd');
    const valuationReportHash = st.optStr('valuationReportHash', HEX64) ?? null;
    const zhongdengNumber = st.optStr('zhongdengNumber', ZHONGDENG) ?? null;
    const c = st.certificate(number);
    if (st.s.pledges.has(pledgeNumber)) st.reject('duplicate', `pledge ${pledgeNumber} was already recorded`);
    st.chain(c, true);
    st.org(pledgee, 'pledgee', ['bank']);
    st.inForce(c);
    let status: CertificateStatus = c.status;
    if (c.status === 'pledged') {
      const blocking = c.pledges.filter((n) => !st.s.pledges.get(n)?.subsequentAllowed);
      if (blocking.length > 0) st.flag('illegal_transition', `certificate ${number} is already pledged (${blocking.join(', ')}) without consent to a further pledge`);
    } else status = st.nextCertificate(c, 'pledge');
    if (pledgeId !== null) {
      const r = st.s.pledgeRequests.get(pledgeId);
      if (!r) st.flag('unknown_reference', `pledge ${pledgeId} was never requested`);
      else {
        if (r.state !== 'requested') st.flag('illegal_transition', `pledge ${pledgeId} is ${r.state}`);
        if (
          r.certificate !== number ||
          r.pledgee !== pledgee ||
          r.amountCommitment !== amountCommitment ||
          r.currency !== currency ||
          r.termStart !== termStart ||
          r.termEnd !== termEnd ||
          (r.valuationReportHash ?? null) !== valuationReportHash ||
          (r.zhongdengNumber ?? null) !== zhongdengNumber
        )
          st.flag('link_mismatch', `pledge ${pledgeNumber} differs from request ${pledgeId}`);
        st.s.pledgeRequests.set(pledgeId, { ...r, state: 'recorded', pledgeNumber });
      }
    }
    st.s.pledges.set(pledgeNumber, {
      pledgeNumber,
      pledgeId,
      certificate: number,
      pledgee,
      amountCommitment,
      currency,
      termStart,
      termEnd,
      state: 'recorded',
      subsequentAllowed: false,
      recordedIndex: st.index,
      releasedIndex: null,
      valuationReportHash,
      zhongdengNumber,
    });
    st.s.certificates.set(number, { ...c, status, statusIndex: st.index, pledges: [...c.pledges, pledgeNumber], lastEvent: st.index });
  },

  'pledge.subsequent_allowed': (st) => {
    const pledgeNumber = st.str('pledgeNumber', PLEDGE_NUMBER);
    const number = st.str('number', CERTIFICATE_NUMBER);
    const c = st.certificate(number);
    const p = st.s.pledges.get(pledgeNumber);
    if (!p) return st.reject('unknown_reference', `pledge ${pledgeNumber} was never recorded`);
    st.chain(c, false);
    if (p.state !== 'recorded' || p.certificate !== number) st.flag('illegal_transition', `pledge ${pledgeNumber} is not recorded against ${number}`);
    st.s.pledges.set(pledgeNumber, { ...p, subsequentAllowed: true });
    st.s.certificates.set(number, { ...c, lastEvent: st.index });
  },

  'pledge.released': (st) => {
    const pledgeNumber = st.str('pledgeNumber', PLEDGE_NUMBER);
    const number = st.str('number', CERTIFICATE_NUMBER);
    const pledgee = st.str('pledgee', UUID);
    const c = st.certificate(number);
    const p = st.s.pledges.get(pledgeNumber);
    if (!p) return st.reject('unknown_reference', `pledge ${pledgeNumber} was never recorded`);
    st.chain(c, false);
    if (p.state !== 'recorded' || p.certificate !== number) st.flag('illegal_transition', `pledge ${pledgeNumber} is not recorded against ${number}`);
    if (p.pledgee !== pledgee) st.flag('illegal_transition', `pledge ${pledgeNumber} is not ${pledgee}'s`);
    const pledges = c.pledges.filter((n) => n !== pledgeNumber);
    let status = c.status;
    let statusIndex = c.statusIndex;
    if (pledges.length === 0 && c.status === 'pledged') {
      status = st.nextCertificate(c, 'release');
      statusIndex = st.index;
    }
    st.s.pledges.set(pledgeNumber, { ...p, state: 'released', releasedIndex: st.index });
    if (p.pledgeId !== null) {
      const r = st.s.pledgeRequests.get(p.pledgeId);
      if (r) st.s.pledgeRequests.set(p.pledgeId, { ...r, state: 'released' });
    }
    st.s.certificates.set(number, { ...c, status, statusIndex, pledges, lastEvent: st.index });
  },

  // docs/log-format.md §6.10: the root of the state map after the first `size` entries.
  // The replay checks the form and that it commits to the state just before it; whether
  // the root is right is the state-root check's (`roots.ts`, run by audit and monitors).
  'state.committed': (st) => {
    const size = st.int('size');
    const root = st.str('root', HEX64);
    if (size !== st.index) st.flag('link_mismatch', `state.committed: size ${size} is not its own index ${st.index}`);
    st.s.commit = { index: st.index, size, root };
  },

  'pledge.consent_recorded': (st) => {
    const id = st.str('consentId', UUID);
    const pledgeNumber = st.str('pledgeNumber', PLEDGE_NUMBER);
    const number = st.str('number', CERTIFICATE_NUMBER);
    const pledgee = st.str('pledgee', UUID);
    const action = st.oneOf('action', CONSENT_ACTIONS);
    const p = st.s.pledges.get(pledgeNumber);
    if (!p) return st.reject('unknown_reference', `pledge ${pledgeNumber} was never recorded`);
    if (st.s.pledgeConsents.has(id)) st.reject('duplicate', `consent ${id} was already recorded`);
    if (p.state !== 'recorded' || p.certificate !== number) st.flag('illegal_transition', `pledge ${pledgeNumber} is not recorded against ${number}`);
    if (p.pledgee !== pledgee) st.flag('illegal_transition', `pledge ${pledgeNumber} is not ${pledgee}'s`);
    st.s.pledgeConsents.set(id, { id, pledgeNumber, certificate: number, action, index: st.index, usedIndex: null });
  },

  'licence.recorded': (st) => {
    const number = st.str('number', CERTIFICATE_NUMBER);
    const id = st.str('licenceId', UUID);
    const exclusive = st.bool('exclusive');
    const termStart = st.date('termStart');
    const termEnd = st.date('termEnd');
    const licenseeUscc = st.ev.licenseeUscc === undefined ? null : st.uscc('licenseeUscc');
    const scopeHash = st.str('scopeHash', HEX64);
    const c = st.certificate(number);
    if (st.s.licences.has(id)) st.reject('duplicate', `licence ${id} already exists`);
    st.chain(c, true);
    st.inForce(c);
    useConsents(st, c, 'licence');
    for (const other of c.licences) {
      const l = st.s.licences.get(other)!;
      if ((l.exclusive || exclusive) && l.termStart <= termEnd && termStart <= l.termEnd)
        st.flag('illegal_transition', `licence ${id} overlaps the exclusive term of licence ${other}`);
    }
    st.s.licences.set(id, { id, certificate: number, exclusive, termStart, termEnd, licenseeUscc, scopeHash, index: st.index });
    st.s.certificates.set(number, { ...c, licences: [...c.licences, id], lastEvent: st.index });
  },

  'insurance.recorded': (st) => {
    const number = st.str('number', CERTIFICATE_NUMBER);
    const id = st.str('policyId', UUID);
    const insurer = st.str('insurer', UUID);
    const coverageType = st.oneOf('coverageType', COVERAGE_TYPES);
    const termStart = st.date('termStart');
    const termEnd = st.date('termEnd');
    const c = st.certificate(number);
    if (st.s.policies.has(id)) st.reject('duplicate', `policy ${id} already exists`);
    st.chain(c, true);
    st.org(insurer, 'insurer', ['insurer']);
    st.inForce(c);
    st.s.policies.set(id, { id, certificate: number, insurer, coverageType, termStart, termEnd, index: st.index });
    st.s.certificates.set(number, { ...c, policies: [...c.policies, id], lastEvent: st.index });
  },
};

/** A reviewer's step on an application (claim, changes, rejection, notice). */
function review(st: Step, action: ApplicationAction, set: Partial<ApplicationRecord> = {}): void {
  const id = st.str('applicationId', UUID);
  const version = st.int('version', 1);
  const reviewer = st.linked(st.optStr('reviewer', UUID), 'reviewer');
  const a = st.application(id);
  if (version !== a.version) st.flag('illegal_transition', `${st.ev.kind}: version ${version}, but application ${id} is at version ${a.version}`);
  if (action !== 'claim' && reviewer !== undefined && a.claimedBy !== null && a.claimedBy !== reviewer && a.state === 'in_review')
    st.flag('illegal_transition', `${st.ev.kind}: application ${id} was claimed by another reviewer`);
  const state = st.nextApplication(a, action, 'reviewer');
  st.s.applications.set(id, { ...a, ...set, state, ...(action === 'claim' ? { claimedBy: reviewer ?? null } : {}), lastEvent: st.index });
}

function decideObjection(st: Step, uphold: boolean): void {
  const id = st.str('applicationId', UUID);
  const objectionId = st.str('objectionId', UUID);
  st.str('reasonHash', HEX64);
  st.linked(st.optStr('reviewer', UUID), 'reviewer');
  // only the dismissal of the last open objection restarts the notice, with its end date
  const ends = uphold || st.ev.noticeEndsAt === undefined ? undefined : st.timestamp('noticeEndsAt');
  const a = st.application(id);
  const o = st.s.objections.get(objectionId);
  if (!o || o.applicationId !== id) return st.reject('unknown_reference', `objection ${objectionId} was not filed against application ${id}`);
  if (o.state !== 'open') st.flag('illegal_transition', `objection ${objectionId} is already ${o.state}`);
  const open = a.openObjections - (o.state === 'open' ? 1 : 0);
  // a dismissal while other objections are open keeps the notice suspended; the last one restarts it (with its end date)
  const checked = st.nextApplication(a, uphold ? 'uphold_objection' : 'dismiss_objection', 'reviewer');
  const state = uphold ? checked : stateAfterDismissal(open);
  if (!uphold && state === 'public_notice' && ends === undefined) st.flag('illegal_transition', `objection ${objectionId}: the notice restarts without an end date`);
  st.s.objections.set(objectionId, { ...o, state: uphold ? 'upheld' : 'dismissed', decidedIndex: st.index });
  st.s.applications.set(id, { ...a, state, openObjections: open, ...(ends !== undefined ? { noticeEndsAt: ends } : {}), lastEvent: st.index });
}

function changeStatus(st: Step, action: 'revoke' | 'cancel' | 'expire', set: Partial<CertificateRecord>): void {
  const number = st.str('number', CERTIFICATE_NUMBER);
  const c = st.certificate(number);
  st.chain(c, true);
  const expired = timeOrder(st.time, c.validUntil) >= 0;
  if (action === 'expire' && !expired) st.flag('illegal_transition', `certificate ${number} expired before ${c.validUntil}`);
  if (action !== 'expire' && expired && c.status !== 'expired') st.flag('illegal_transition', `certificate ${number} has expired`);
  const status = st.nextCertificate(c, action);
  st.s.certificates.set(number, { ...c, ...set, status, statusIndex: st.index, lastEvent: st.index });
}

/**
 * A change, licence or transfer of a pledged certificate uses one unused consent of each
 * current pledgee for that action (`pledge.consent_recorded`). Required of new entries
 * (strict replay: the write guard); an older log, written before consents were logged,
 * is not faulted for their absence. Returns whether every pledgee consented.
 */
function useConsents(st: Step, c: CertificateRecord, action: 'change' | 'licence' | 'transfer'): boolean {
  if (c.pledges.length === 0) return true;
  const found: string[] = [];
  const missing: string[] = [];
  for (const n of c.pledges) {
    let hit: string | undefined;
    for (const [id, k] of st.s.pledgeConsents.entries()) if (k.pledgeNumber === n && k.action === action && k.usedIndex === null) hit = id;
    if (hit) found.push(hit);
    else missing.push(n);
  }
  if (missing.length > 0) {
    if (st.strict) st.flag('illegal_transition', `${st.ev.kind}: certificate ${c.number} is pledged (${missing.join(', ')}) and its pledgee has not consented to this ${action}`);
    return false;
  }
  for (const id of found) st.s.pledgeConsents.set(id, { ...st.s.pledgeConsents.get(id)!, usedIndex: st.index });
  return true;
}

function issue(st: Step): void {
  const number = st.str('number', CERTIFICATE_NUMBER);
  const version = st.int('version', 1);
  const holderUscc = st.uscc('holderUscc');
  const manifestRoot = st.str('manifestRoot', HEX64);
  const files = st.int('files');
  const bytes = st.int('bytes');
  const validFrom = st.timestamp('validFrom');
  const validUntil = st.timestamp('validUntil');
  const keyId = st.str('keyId', KEY_ID);
  const payloadDigest = st.str('payloadDigest', HEX64);
  const supersedes = st.optStr('supersedes', CERTIFICATE_NUMBER) ?? null;
  const depositId = st.optStr('depositId') ?? null;
  const basisGiven = st.ev.basis === undefined ? undefined : st.oneOf('basis', ISSUANCE_BASES);
  const applicationId = st.optStr('applicationId', UUID) ?? null;
  const approval = st.optInt('approval');
  const depositsRaw = st.ev.deposits;
  if (depositsRaw !== undefined && (!Array.isArray(depositsRaw) || depositsRaw.some((i) => typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0)))
    st.reject('invalid_entry', 'certificate.issued: deposits must be an array of log indices');
  const deposits = depositsRaw as number[] | undefined;
  const prevIndex = st.optInt('prev');
  const registrationNumber = st.optStr('registrationNumber', REGISTRATION) ?? null;
  if (registrationNumber !== null && !validRegistrationNumber(registrationNumber)) st.flag('invalid_entry', `certificate ${number}: registration number ${registrationNumber} fails its check character`);
  if (st.s.certificates.has(number)) st.reject('duplicate', `certificate ${number} was already issued`);
  if (timeOrder(validFrom, validUntil) >= 0) st.flag('invalid_entry', `certificate ${number}: validUntil is not after validFrom`);

  // the key that signed it: a certificate key, added before and not retired
  const key = st.s.keys.get(keyId);
  if (!key || key.purpose !== 'certificate') st.flag('unknown_reference', `certificate ${number}: ${keyId} is not a certificate key of this log`);
  else if (key.retiredIndex !== null) st.flag('illegal_transition', `certificate ${number}: key ${keyId} was retired`);

  const predecessor = supersedes === null ? undefined : st.s.certificates.get(supersedes);
  if (supersedes !== null && !predecessor) st.reject('unknown_reference', `certificate ${supersedes} was never issued`);
  if ((version === 1) !== (predecessor === undefined)) st.flag('invalid_entry', `certificate ${number}: version ${version} ${predecessor ? 'supersedes' : 'supersedes nothing'}`);

  // what it rests on: the basis, given or (older entries) inferred
  const basis: IssuanceBasis =
    st.linked(basisGiven, 'basis') ??
    (!predecessor ? 'initial' : predecessor.holderUscc !== holderUscc ? 'transfer' : Date.parse(validUntil) > Date.parse(predecessor.validUntil) ? 'renewal' : 'change');
  if ((basis === 'initial') !== (predecessor === undefined)) st.flag('link_mismatch', `certificate ${number}: a ${basis} ${predecessor ? 'supersedes' : 'must supersede'} a certificate`);

  const holder = st.s.orgByUscc.get(holderUscc) ?? null;
  if (holder === null) st.flag('unknown_reference', `certificate ${number}: no registered organisation has the 统一社会信用代码 ${holderUscc}`);

  // the application and its approval (not for a transfer)
  let app: ApplicationRecord | undefined;
  if (basis === 'transfer') {
    if (applicationId !== null || approval !== undefined) st.flag('link_mismatch', `certificate ${number}: a transfer names no application`);
  } else if (st.linked(applicationId ?? undefined, 'applicationId') !== undefined) {
    app = st.s.applications.get(applicationId!);
    if (!app) st.flag('unknown_reference', `certificate ${number}: application ${applicationId} was never submitted`);
    else {
      if (app.state !== 'approved' || app.approval === null || app.issued !== null)
        st.flag('illegal_transition', `certificate ${number}: application ${app.id} is ${app.issued ? `already issued as ${app.issued}` : app.state}`);
      if (st.linked(approval, 'approval') !== undefined && (approval !== app.approval || approval !== st.index - 1))
        st.flag('link_mismatch', `certificate ${number}: approval ${approval} is not application ${app.id}'s approval just before it`);
      if (app.kind !== basis) st.flag('link_mismatch', `certificate ${number}: a ${basis} issued on a ${app.kind} application`);
      if (app.certificate !== supersedes) st.flag('link_mismatch', `certificate ${number}: application ${app.id} is for ${app.certificate ?? 'a new certificate'}`);
      if (app.applicant !== null && holder !== null && app.applicant !== holder) st.flag('link_mismatch', `certificate ${number}: issued to another holder than the applicant`);
    }
  }

  // the deposits the dataset rests on
  if (st.linked(deposits, 'deposits') !== undefined) {
    if (depositId !== null && deposits!.length === 0) st.flag('link_mismatch', `certificate ${number}: deposit ${depositId} named, but no deposit entry`);
    for (const i of deposits!) {
      const d = st.s.deposits.get(st.s.depositAt.get(i) ?? '');
      if (!d) st.flag('unknown_reference', `certificate ${number}: entry ${i} is not an evidence deposit`);
      else {
        if (d.digest !== manifestRoot) st.flag('link_mismatch', `certificate ${number}: deposit ${d.id} is of another digest than the manifest root`);
        if (depositId !== null && d.id !== depositId) st.flag('link_mismatch', `certificate ${number}: deposit entry ${i} is ${d.id}, not ${depositId}`);
        if (basis !== 'transfer' && holder !== null && d.depositor !== holder) st.flag('link_mismatch', `certificate ${number}: deposit ${d.id} is another organisation's`);
      }
    }
  }

  // the certificate it supersedes: its chain continues here
  let status: CertificateStatus = 'active';
  let pledges: readonly string[] = NO_IDS;
  if (predecessor) {
    const p = predecessor;
    if (st.linked(prevIndex, 'prev') !== undefined && prevIndex !== p.lastEvent)
      st.flag('chain_broken', `certificate ${number}: prev ${prevIndex} is not certificate ${p.number}'s last event ${p.lastEvent}`);
    if (version !== p.version + 1) st.flag('invalid_entry', `certificate ${number}: version ${version} after ${p.number}'s ${p.version}`);
    const next = st.nextCertificate(p, 'supersede');
    const expired = timeOrder(st.time, p.validUntil) >= 0;
    let carry = false;
    if (basis === 'transfer') {
      // a pledged certificate moves to its new holder only with every pledgee's consent, pledges and all
      if (p.status === 'pledged') {
        carry = useConsents(st, p, 'transfer');
        if (!carry && !st.strict) st.flag('illegal_transition', `certificate ${p.number} is pledged (${p.pledges.join(', ')}): it cannot be transferred`);
      }
      if (expired) st.flag('illegal_transition', `certificate ${p.number} has expired: it cannot be transferred`);
      if (holderUscc === p.holderUscc) st.flag('illegal_transition', `certificate ${p.number} transferred to its own holder`);
      if (validUntil !== p.validUntil) st.flag('link_mismatch', `certificate ${number}: a transfer keeps the validity of ${p.number}`);
    } else {
      if (holderUscc !== p.holderUscc) st.flag('illegal_transition', `certificate ${number}: a ${basis} changes the holder of ${p.number}`);
      if (basis === 'renewal' && manifestRoot !== p.manifestRoot) st.flag('illegal_transition', `certificate ${number}: a renewal changes the manifest root of ${p.number}`);
      if (basis === 'change' && p.status === 'pledged' && manifestRoot !== p.manifestRoot)
        st.flag('illegal_transition', `certificate ${p.number} is pledged: its manifest root cannot change`);
      if (basis === 'change' && validUntil !== p.validUntil) st.flag('link_mismatch', `certificate ${number}: a change keeps the validity of ${p.number}`);
      if (basis === 'change' && p.status === 'pledged') useConsents(st, p, 'change');
      carry = p.status === 'pledged';
    }
    if (carry) {
      {
        status = 'pledged';
        pledges = p.pledges;
        for (const n of p.pledges) {
          const pl = st.s.pledges.get(n);
          if (pl) st.s.pledges.set(n, { ...pl, certificate: number });
        }
      }
    }
    st.s.certificates.set(p.number, { ...p, status: next, supersededBy: number, pledges: basis === 'transfer' && !carry ? p.pledges : NO_IDS, statusIndex: st.index, lastEvent: st.index });
  } else if (prevIndex !== undefined) st.flag('invalid_entry', `certificate ${number}: prev without supersedes`);

  st.s.certificates.set(number, {
    number,
    version,
    status,
    holderUscc,
    holder,
    manifestRoot,
    files,
    bytes,
    issuedAt: st.time,
    validFrom,
    validUntil,
    keyId,
    payloadDigest,
    depositId,
    leafHash: toHex(st.hasher.hashLeaf(st.data)),
    issuedIndex: st.index,
    basis,
    applicationId: app?.id ?? applicationId,
    supersedes,
    supersededBy: null,
    pledges,
    licences: NO_IDS,
    policies: NO_IDS,
    lastEvent: st.index,
    statusIndex: null,
    reasonHash: null,
    registrationNumber,
  });
  if (app) st.s.applications.set(app.id, { ...app, issued: number, lastEvent: st.index });
}

/** Whether a kind is one the replay knows (others are ignored). */
export function isKnownKind(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(HANDLERS, kind);
}

/** Kinds the replay knows, sorted. */
export const KNOWN_KINDS: readonly string[] = Object.keys(HANDLERS).sort();
