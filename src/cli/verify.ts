/**
 * `datadeed verify <file.pdf|bundle.json> [--key <vkey>[,<validFrom>[,<validUntil>]]]…
 *   [--keys <keys.json>] [--policy <tlog-policy file>] [--tsa-roots <pem>] [--online <base URL>] [--json]`
 *
 * Offline: verifies the bundle attached to a DataDeed PDF, or a `.datadeed.json`
 * bundle, against the keys the user trusts (checks of src/certificates/verify.ts, plus
 * `pdf_binding` and `pdf_signature` for a PDF: the PDF's PAdES signature covers the
 * whole file and was made by the registry's document key, whose certificate — issued
 * by the registry's CA — the log holds; see src/certificates/pdf/verify.ts). Online (`--online URL`): also fetches the registry's
 * current checkpoint (`/checkpoint`) and a consistency proof from the bundle's
 * checkpoint to it (`/v1/log/proof/consistency`) — so the log the bundle was proven
 * against is a prefix of the log the registry serves today — and, for a certificate,
 * its live status (`/v1/certificates/<number>/status`).
 *
 * Trusted keys:
 * - `--key <vkey>` pins a log key (named by the log origin) or a certificate key
 *   (named `<origin>/certificate`); a certificate key may carry its validity window as
 *   `<vkey>,<validFrom>[,<validUntil>]` (RFC 3339); without one it is trusted at any date;
 * - `--keys <file>` reads a saved `GET /v1/keys` response (keys with purpose and window,
 *   document-signing certificates with their CA's);
 * - with neither, `--online` fetches `<URL>/v1/keys` and trusts the server for them
 *   (said on stderr).
 *
 * - `--policy <file>` reads a C2SP tlog-policy (the registry's log key and k of n
 *   notary witnesses): its log keys are trusted, and the bundle's checkpoint must carry
 *   cosignatures meeting its quorum (the `cosignatures` check names a missing or bad one).
 * - `--tsa-roots <pem>` trusts these time-stamp authority root certificates: the bundle
 *   must carry an RFC 3161 token over its checkpoint from a TSA certified by one of them
 *   (the `timestamp` check; its time is printed as the independent time).
 *
 * Exit status (./exit-codes.ts): 0 when every check passed; 1 when one failed or the
 * file has no readable bundle (a table of the checks is printed); 2 for bad arguments,
 * 3 for a file that cannot be read, 4 when the registry's keys cannot be fetched
 * (`datadeed verify: [code] message`).
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MAX_BUNDLE_BYTES } from '../certificates/index.ts';
import { nodeCrypto, nodeEd25519 } from '../certificates/node/index.ts';
import { CertificateError } from '../certificates/index.ts';
import { MAX_PDF_BYTES } from '../certificates/pdf/index.ts';
import { openCheckpoint, verifyBundle, verifyStateProof, type ProvenStatusRecord, type TrustedKeys, type VerifyResult } from '../certificates/index.ts';
import { verifyPdf } from '../certificates/pdf/index.ts';
import { fromHex, pemCertificates } from '../ledger/index.ts';
import { nodeSignatureVerify } from '../ledger/node/index.ts';
import { LedgerError } from '../ledger/index.ts';
import { rfc6962 } from '../ledger/index.ts';
import { parseVerifierKey } from '../ledger/index.ts';
import { verifyConsistency } from '../ledger/index.ts';
import { CommandError } from './errors.ts';
import { exitCodeFor, reportFailure } from './exit-codes.ts';
import { UsageError } from './usage.ts';
import { parsePolicy, WitnessError, type Policy } from '../witness/index.ts';

const USAGE = `usage: datadeed verify <file.pdf|bundle.datadeed.json> [options]

  --key <vkey>[,<validFrom>[,<validUntil>]]   trust a log or certificate verifier key (repeatable)
  --keys <file>                               trust the keys of a saved GET /v1/keys response
  --policy <file>                             a C2SP tlog-policy: trust its log keys and require its
                                              quorum of witness cosignatures on the checkpoint
  --tsa-roots <pem>                           trusted RFC 3161 time-stamp authority roots (PEM): require a
                                              time-stamp token over the checkpoint
  --online <base URL>                         also check the live status and log consistency
                                              (without --key/--keys: trust that server's /v1/keys)
  --json                                      print the result as JSON
`;

/** Where output goes and how HTTP is done (tests inject both). */
export interface VerifyIo {
  out(text: string): void;
  err(text: string): void;
  fetch: typeof fetch;
}

const defaultIo: VerifyIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  fetch: (...a) => globalThis.fetch(...a),
};

/** One row of the printed table: the offline checks, then the online ones. */
interface Row {
  name: string;
  ok: boolean;
  code: string;
  detail?: string;
}

const HTTP_TIMEOUT_MS = 15_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

function parseWindowTime(text: string | undefined, what: string): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!Number.isFinite(Date.parse(text))) throw new UsageError('bad_key', `${what} ${JSON.stringify(text)} is not an RFC 3339 time`);
  return text;
}

function addKey(trust: TrustedKeys, vkey: string, purpose: string | undefined, validFrom?: string, validUntil?: string | null): void {
  let name: string;
  try {
    name = parseVerifierKey(vkey).name;
  } catch {
    throw new UsageError('bad_key', `not a verifier key: ${JSON.stringify(vkey.slice(0, 80))}`);
  }
  const isCertificate = purpose === 'certificate' || (purpose === undefined && name.endsWith('/certificate'));
  if (isCertificate) trust.certificateKeys.push({ vkey, validFrom: validFrom ?? '1970-01-01T00:00:00Z', validUntil: validUntil ?? null });
  else if (purpose === undefined || purpose === 'log') trust.logKeys.push(vkey);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Keys from a `GET /v1/keys` response: `{ keys: [{ vkey, purpose, validFrom, validUntil }] }`
 * (or the bare array); a document key (purpose `document`) has `certificate` and
 * `caCertificate` (base64 DER) instead of a vkey.
 */
function addKeysDocument(trust: TrustedKeys, doc: unknown, source: string): void {
  const keys = Array.isArray(doc) ? doc : (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length > 1000) throw new CommandError('bad_keys_file', `${source} is not a /v1/keys document`);
  for (const k of keys as Record<string, unknown>[]) {
    if (k?.purpose === 'document') {
      const { certificate, caCertificate } = k;
      if (typeof certificate !== 'string' || typeof caCertificate !== 'string' || !BASE64.test(certificate) || !BASE64.test(caCertificate) || certificate.length > 65536 || caCertificate.length > 65536) {
        throw new CommandError('bad_keys_file', `${source}: a document key has no base64 certificate and CA certificate`);
      }
      (trust.documentKeys ??= []).push({ certificate, caCertificate });
      continue;
    }
    if (typeof k?.vkey !== 'string') throw new CommandError('bad_keys_file', `${source}: a key has no vkey`);
    const purpose = typeof k.purpose === 'string' ? k.purpose : undefined;
    const from = typeof k.validFrom === 'string' ? parseWindowTime(k.validFrom, 'validFrom') : undefined;
    const until = typeof k.validUntil === 'string' ? parseWindowTime(k.validUntil, 'validUntil') : null;
    addKey(trust, k.vkey, purpose, from, until);
  }
}

async function fetchBounded(io: VerifyIo, url: string): Promise<{ status: number; text: string }> {
  const res = await io.fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow', headers: { accept: 'application/json, text/plain' } });
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw new Error('response too large');
      }
      chunks.push(value);
    }
  }
  return { status: res.status, text: Buffer.concat(chunks).toString('utf8') };
}

async function fetchJson(io: VerifyIo, url: string): Promise<{ status: number; body: unknown }> {
  const { status, text } = await fetchBounded(io, url);
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status, body };
}

const IN_FORCE = new Set(['active', 'pledged']);
const KNOWN_STATUS = new Set(['active', 'pledged', 'superseded', 'revoked', 'cancelled', 'expired']);

/** Consistency of the bundle's checkpoint with the registry's current one (RFC 9162 §2.1.4). */
async function onlineConsistency(io: VerifyIo, base: string, result: VerifyResult, trust: TrustedKeys): Promise<Row> {
  const name = 'log_consistency';
  const cp = result.checkpoint!;
  let note: string;
  try {
    const r = await fetchBounded(io, `${base}/checkpoint`);
    if (r.status !== 200) return { name, ok: false, code: 'unreachable', detail: `GET /checkpoint answered ${r.status}` };
    note = r.text;
  } catch {
    return { name, ok: false, code: 'unreachable', detail: 'GET /checkpoint failed' };
  }
  const opened = await openCheckpoint(note, trust.logKeys, nodeEd25519);
  if (!opened.ok) return { name, ok: false, code: opened.code, detail: `the registry's current checkpoint: ${opened.detail}` };
  const current = opened.checkpoint;
  if (current.origin !== cp.origin) return { name, ok: false, code: 'origin_mismatch', detail: 'the registry serves another log than the bundle names' };
  if (current.size < cp.size) return { name, ok: false, code: 'inconsistent', detail: 'the registry’s log is smaller than the bundle’s checkpoint' };
  let proof: Uint8Array[];
  try {
    const r = await fetchJson(io, `${base}/v1/log/proof/consistency?from=${cp.size}&to=${current.size}`);
    const hashes = (r.body as { proof?: unknown } | null)?.proof;
    if (r.status !== 200 || !Array.isArray(hashes) || hashes.length > 128 || !hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
      return { name, ok: false, code: 'bad_response', detail: `GET /v1/log/proof/consistency answered ${r.status} without a proof` };
    }
    proof = hashes.map((h: string) => fromHex(h));
  } catch {
    return { name, ok: false, code: 'unreachable', detail: 'GET /v1/log/proof/consistency failed' };
  }
  try {
    verifyConsistency(rfc6962, cp.size, current.size, proof, fromHex(cp.rootHash), current.rootHash);
  } catch (e) {
    return { name, ok: false, code: 'inconsistent', detail: `the registry's log does not extend the bundle's checkpoint (${e instanceof LedgerError ? e.code : 'error'})` };
  }
  return { name, ok: true, code: 'ok', detail: `tree size ${cp.size} → ${current.size}` };
}

/** Print the current encumbrances (pledges, licences, policies) a registry reports, each with its log entry. */
function describeEncumbrances(io: VerifyIo, enc: unknown): void {
  if (!enc || typeof enc !== 'object') return;
  const e = enc as { pledges?: unknown[]; licences?: unknown[]; policies?: unknown[] };
  const lines: string[] = [];
  const safe = (v: unknown) => String(v ?? '').replace(/[^\p{L}\p{N} .:_/-]/gu, '').slice(0, 80);
  for (const p of (Array.isArray(e.pledges) ? e.pledges : []) as Record<string, unknown>[])
    lines.push(`  pledge ${safe(p.pledgeNumber)} to ${safe(p.pledgee)} ${safe((p.term as Record<string, unknown>)?.start)}–${safe((p.term as Record<string, unknown>)?.end)} (log #${safe(p.logIndex)})`);
  for (const l of (Array.isArray(e.licences) ? e.licences : []) as Record<string, unknown>[])
    lines.push(`  licence to ${safe(l.licensee)}${l.exclusive ? ' (exclusive)' : ''} (log #${safe(l.logIndex)})`);
  for (const p of (Array.isArray(e.policies) ? e.policies : []) as Record<string, unknown>[])
    lines.push(`  insurance ${safe(p.policyNumber)} ${safe(p.coverageType)} (log #${safe(p.logIndex)})`);
  io.err(lines.length ? `encumbrances reported by the registry:\n${lines.join('\n')}\n` : 'encumbrances reported by the registry: none\n');
}

/**
 * The certificate's live status, as the registry states it (`live_status`) and as its state
 * proof proves it (`status_proof`, docs/log-format.md §8.1): the proof must verify with
 * the trusted log keys, and its record must agree with the stated status and with the
 * bundle (number, version, holder). A proxy or a registry that states a status the log
 * does not commit to fails here.
 */
async function onlineStatus(io: VerifyIo, base: string, result: VerifyResult, logKeys: string[]): Promise<Row[]> {
  const name = 'live_status';
  const number = result.payload!.number;
  const proofRow = (ok: boolean, code: string, detail: string): Row => ({ name: 'status_proof', ok, code, detail });
  let r: { status: number; body: unknown };
  try {
    r = await fetchJson(io, `${base}/v1/certificates/${encodeURIComponent(number)}/status`);
  } catch {
    return [{ name, ok: false, code: 'unreachable', detail: 'GET /v1/certificates/<number>/status failed' }, proofRow(false, 'not_checked', 'no status')];
  }
  if (r.status === 404) return [{ name, ok: false, code: 'unknown_certificate', detail: 'the registry does not know this certificate' }, proofRow(false, 'not_checked', 'no status')];
  const body = r.body as { number?: unknown; status?: unknown; supersededBy?: unknown; stateProof?: unknown } | null;
  if (r.status !== 200 || body?.number !== number || typeof body.status !== 'string' || !KNOWN_STATUS.has(body.status)) {
    return [{ name, ok: false, code: 'bad_response', detail: `the status endpoint answered ${r.status} without a status for this certificate` }, proofRow(false, 'not_checked', 'no status')];
  }
  const status = body.status;
  describeEncumbrances(io, (body as { encumbrances?: unknown }).encumbrances);
  let live: Row;
  if (IN_FORCE.has(status)) live = { name, ok: true, code: 'ok', detail: status === 'pledged' ? 'pledged (in force, encumbered by a pledge)' : 'active' };
  else {
    const successor = typeof body.supersededBy === 'string' && /^[A-Za-z0-9-]{1,40}$/.test(body.supersededBy) ? ` by ${body.supersededBy}` : '';
    live = { name, ok: false, code: status, detail: `${status}${status === 'superseded' ? successor : ''}` };
  }
  if (body.stateProof === undefined) return [live, proofRow(false, 'no_status_proof', 'the registry sent the status without a state proof')];
  const proven = await verifyStateProof(body.stateProof, { certificate: number }, logKeys, nodeEd25519);
  if (!proven.ok) return [live, proofRow(false, proven.code, `the state proof does not verify: ${proven.detail}`)];
  const rec = proven.record as ProvenStatusRecord | null;
  if (rec === null) return [live, proofRow(false, 'status_contradicts_proof', 'the log commits to no such certificate')];
  if (rec.status !== status) return [live, proofRow(false, 'status_contradicts_proof', `the registry says ${SAFE(status)}, the log commits to ${SAFE(rec.status)}`)];
  const p = result.payload!;
  if (rec.version !== p.version || rec.holderUscc !== p.holder.uscc) return [live, proofRow(false, 'contradicts_bundle', 'the proven status record is of another version or holder than the bundle')];
  const pledges = rec.pledges.map((x) => `${SAFE(x.pledgeNumber)} to ${SAFE(x.pledgee)} ${SAFE(x.termStart)}–${SAFE(x.termEnd)}`).join(', ');
  return [live, proofRow(true, 'ok', `${SAFE(rec.status)}${pledges ? ` (pledges: ${pledges})` : ', no pledge'}, committed at log entry ${proven.committed.index}`)];
}

const SAFE = (v: unknown) => String(v ?? '').replace(/[^A-Za-z0-9 .:_-]/g, '').slice(0, 80);

/** What the bundle proves, in words (from the verifier's `subject`). */
function describeSubject(result: VerifyResult): string {
  const s = result.subject;
  if (!s) return `${result.type} bundle`;
  if (s.kind === 'certificate') return `certificate ${SAFE(s.number)}`;
  if (s.kind === 'deposit') return `deposit ${SAFE(s.depositId)} of digest ${SAFE(s.digest)}`;
  return s.event === 'released'
    ? `release of pledge ${SAFE(s.pledgeNumber)} (certificate ${SAFE(s.certificate)})`
    : `pledge ${SAFE(s.pledgeNumber)} recorded against certificate ${SAFE(s.certificate)}`;
}

/**
 * A pledge receipt against the registry's live status: a `pledge.recorded` receipt is
 * current only while the pledge is among the certificate's pledges (following the
 * certificate to its successors, which take the pledges of a renewal or change); a
 * release receipt, only while it is not.
 */
async function onlinePledge(io: VerifyIo, base: string, subject: Extract<VerifyResult['subject'], { kind: 'pledge' }>, logKeys: string[]): Promise<Row> {
  const name = 'pledge_status';
  let number = subject.certificate;
  for (let hop = 0; hop < 16; hop++) {
    let r: { status: number; body: unknown };
    try {
      r = await fetchJson(io, `${base}/v1/certificates/${encodeURIComponent(number)}/status`);
    } catch {
      return { name, ok: false, code: 'unreachable', detail: 'GET /v1/certificates/<number>/status failed' };
    }
    const body = r.body as { number?: unknown; stateProof?: unknown } | null;
    if (r.status !== 200 || body?.number !== number) return { name, ok: false, code: 'bad_response', detail: `the status endpoint answered ${r.status} without this certificate` };
    // the pledges the log commits to (docs/log-format.md §8.1), not the registry's word
    const proven = await verifyStateProof(body.stateProof, { certificate: number }, logKeys, nodeEd25519);
    if (!proven.ok) return { name, ok: false, code: proven.code === 'bad_format' ? 'no_status_proof' : proven.code, detail: `the status of ${SAFE(number)} has no valid state proof: ${proven.detail}` };
    const rec = proven.record as ProvenStatusRecord | null;
    if (rec === null) return { name, ok: false, code: 'status_contradicts_proof', detail: `the log commits to no certificate ${SAFE(number)}` };
    const held = rec.pledges.some((p) => p.pledgeNumber === subject.pledgeNumber);
    if (held)
      return subject.event === 'recorded'
        ? { name, ok: true, code: 'ok', detail: `recorded against ${SAFE(number)}` }
        : { name, ok: false, code: 'inconsistent', detail: `the registry still lists the pledge against ${SAFE(number)}` };
    if (rec.supersededBy !== null) {
      number = rec.supersededBy;
      continue;
    }
    break;
  }
  return subject.event === 'released'
    ? { name, ok: true, code: 'ok', detail: 'released' }
    : { name, ok: false, code: 'released', detail: 'the pledge is no longer recorded: it was released (ask for its release receipt)' };
}

function table(rows: Row[]): string {
  const w1 = Math.max(5, ...rows.map((r) => r.name.length));
  const w3 = Math.max(4, ...rows.map((r) => r.code.length));
  const lines = [`  ${'check'.padEnd(w1)}  result  ${'code'.padEnd(w3)}  detail`];
  for (const r of rows) lines.push(`  ${r.name.padEnd(w1)}  ${(r.ok ? 'PASS' : 'FAIL').padEnd(6)}  ${r.code.padEnd(w3)}  ${r.detail ?? ''}`.trimEnd());
  return `${lines.join('\n')}\n`;
}

function summary(result: VerifyResult): string {
  const p = result.payload;
  const s = result.subject;
  if (s?.kind === 'deposit') return `  proves:    deposit ${SAFE(s.depositId)}${s.depositor ? ` by organisation ${SAFE(s.depositor)}` : ''} at ${SAFE(s.time)}\n  digest:    ${SAFE(s.digest)}\n`;
  if (s?.kind === 'pledge')
    return `  proves:    pledge ${SAFE(s.pledgeNumber)} ${s.event} at ${SAFE(s.time)}\n  of:        certificate ${SAFE(s.certificate)}, pledgee organisation ${SAFE(s.pledgee)}\n`;
  if (!p) return '';
  return (
    `  number:    ${p.number} (version ${p.version}${p.supersedes ? `, supersedes ${p.supersedes}` : ''})\n` +
    `  holder:    ${p.holder.name} (${p.holder.uscc})\n` +
    `  dataset:   ${p.dataset.name}, ${p.dataset.files} files, ${p.dataset.bytes} bytes\n` +
    `  root:      ${p.dataset.manifestRoot}\n` +
    `  valid:     ${p.validFrom} – ${p.validUntil} (issued ${p.issuedAt})\n` +
    `  log:       ${p.origin} entry ${p.log.index}, key ${p.keyId}\n`
  );
}

/**
 * Runs `datadeed verify` with `args` (everything after `verify`).
 * @returns the exit status: 0 verified, 1 not verified, 2 bad arguments, 3 unreadable
 *   input, 4 registry unavailable.
 */
export async function runVerify(args: string[], io: VerifyIo = defaultIo): Promise<number> {
  let file: string;
  let online: string | undefined;
  let json: boolean;
  let policy: Policy | undefined;
  let tsaRoots: Uint8Array[] | undefined;
  const trust: TrustedKeys = { logKeys: [], certificateKeys: [] };
  try {
    let parsed: ReturnType<typeof parseArgs<{ options: { key: { type: 'string'; multiple: true }; keys: { type: 'string' }; policy: { type: 'string' }; 'tsa-roots': { type: 'string' }; online: { type: 'string' }; json: { type: 'boolean' }; help: { type: 'boolean' } }; allowPositionals: true; strict: true }>>;
    try {
      parsed = parseArgs({
        args,
        options: { key: { type: 'string', multiple: true }, keys: { type: 'string' }, policy: { type: 'string' }, 'tsa-roots': { type: 'string' }, online: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError('bad_arguments', (e as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('bad_arguments', 'give exactly one file to verify');
    file = positionals[0]!;
    json = values.json ?? false;
    for (const spec of values.key ?? []) {
      const [vkey, from, until] = spec.split(',');
      addKey(trust, vkey ?? '', undefined, parseWindowTime(from, 'validFrom'), parseWindowTime(until, 'validUntil') ?? null);
    }
    if (values.keys !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(values.keys, 'utf8'));
      } catch {
        throw new CommandError('bad_keys_file', `cannot read a JSON keys document from ${values.keys}`);
      }
      addKeysDocument(trust, doc, values.keys);
    }
    if (values.policy !== undefined) {
      let text: string;
      try {
        text = readFileSync(values.policy, 'utf8');
      } catch {
        throw new CommandError('file_not_found', `cannot read the policy ${values.policy}`);
      }
      policy = parsePolicy(text);
      trust.logKeys.push(...policy.logs.map((l) => l.vkey));
    }
    if (values['tsa-roots'] !== undefined) {
      let pem: string;
      try {
        pem = readFileSync(values['tsa-roots'], 'utf8');
      } catch {
        throw new CommandError('file_not_found', `cannot read the TSA roots ${values['tsa-roots']}`);
      }
      tsaRoots = pemCertificates(pem);
      if (tsaRoots.length === 0) throw new UsageError('bad_arguments', `--tsa-roots: no PEM certificate in ${values['tsa-roots']}`);
    }
    if (values.online !== undefined) {
      let u: URL;
      try {
        u = new URL(values.online);
      } catch {
        throw new UsageError('bad_url', `--online needs an http(s) URL, got ${JSON.stringify(values.online)}`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError('bad_url', `--online needs an http(s) URL, got ${JSON.stringify(values.online)}`);
      online = u.toString().replace(/\/+$/, '');
    }
    try {
      if (!statSync(file).isFile()) throw new CommandError('file_not_found', `${file} is not a file`);
    } catch (e) {
      if (e instanceof UsageError || e instanceof CommandError) throw e;
      throw new CommandError('file_not_found', `cannot read ${file}`);
    }
    if (trust.logKeys.length === 0 && trust.certificateKeys.length === 0) {
      if (online === undefined) throw new UsageError('no_trusted_keys', 'give the keys to trust: --key, --keys, or --online <registry URL>');
      try {
        const r = await fetchJson(io, `${online}/v1/keys`);
        if (r.status !== 200) throw new Error(String(r.status));
        addKeysDocument(trust, r.body, `${online}/v1/keys`);
      } catch (e) {
        if (e instanceof UsageError || e instanceof CommandError) throw e;
        throw new CommandError('keys_unavailable', `cannot fetch ${online}/v1/keys`);
      }
      io.err(`datadeed verify: trusting the keys served by ${online}/v1/keys (pin them with --key or --keys to verify without trusting the server)\n`);
    }
    if (trust.certificateKeys.some((k) => k.validFrom === '1970-01-01T00:00:00Z' && k.validUntil === null)) {
      io.err('datadeed verify: a certificate key given without a validity window is trusted at any date\n');
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof CommandError || e instanceof WitnessError) return reportFailure(e, { prefix: 'datadeed verify', usage: USAGE, write: io.err });
    throw e;
  }

  // Offline checks.
  const size = statSync(file).size;
  let result: VerifyResult;
  let kind: 'pdf' | 'bundle';
  try {
    const head = readHead(file);
    kind = head.includes('%PDF-') ? 'pdf' : 'bundle';
    const limit = kind === 'pdf' ? MAX_PDF_BYTES : MAX_BUNDLE_BYTES;
    if (size > limit) throw new CertificateError(kind === 'pdf' ? 'pdf_too_large' : 'invalid_bundle', `the file is larger than ${limit} bytes`);
    const bytes = new Uint8Array(readFileSync(file));
    const opts = { ...(policy ? { policy } : {}), ...(tsaRoots ? { tsa: { roots: tsaRoots, crypto: nodeSignatureVerify } } : {}), now: Math.floor(Date.now() / 1000) };
    result = kind === 'pdf' ? await verifyPdf(bytes, trust, nodeCrypto, opts) : await verifyBundle(bytes, trust, nodeEd25519, opts);
  } catch (e) {
    if (e instanceof CertificateError) {
      if (json) io.out(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message } })}\n`);
      else io.out(`NOT VERIFIED: ${file}\n  [${e.code}] ${e.message}\n`);
      return exitCodeFor(e);
    }
    throw e;
  }
  const rows: Row[] = result.checks.map((c) => ({ name: c.name, ok: c.ok, code: c.code, ...(c.detail ? { detail: c.detail } : {}) }));

  // Online checks.
  if (online !== undefined) {
    if (result.checkpoint) rows.push(await onlineConsistency(io, online, result, trust));
    else rows.push({ name: 'log_consistency', ok: false, code: 'not_checked', detail: 'not checked: the bundle format is invalid' });
    if (result.type === 'certificate') {
      rows.push(...(result.payload ? await onlineStatus(io, online, result, trust.logKeys) : [{ name: 'live_status', ok: false, code: 'not_checked', detail: 'not checked: the bundle format is invalid' }]));
    }
    if (result.type === 'pledge') {
      rows.push(
        result.subject?.kind === 'pledge' ? await onlinePledge(io, online, result.subject, trust.logKeys) : { name: 'pledge_status', ok: false, code: 'not_checked', detail: 'not checked: the bundle format is invalid' },
      );
    }
  }
  const ok = rows.every((r) => r.ok);
  if (json) {
    io.out(`${JSON.stringify({ ok, type: result.type, file, checks: rows, subject: result.subject, payload: result.payload, checkpoint: result.checkpoint }, null, 2)}\n`);
  } else {
    const failed = rows.filter((r) => !r.ok).length;
    const what = describeSubject(result);
    io.out(ok ? `VERIFIED: ${what} (${file})\n` : `NOT VERIFIED: ${what} (${file}) — ${failed} of ${rows.length} checks failed\n`);
    io.out(table(rows));
    if (ok) io.out(summary(result));
    if (ok && result.timestamp) io.out(`  time:      ${result.timestamp.genTime} (RFC 3161 time-stamp of the checkpoint by ${result.timestamp.tsa})\n`);
    else if (result.payload) io.out(`  (the bundle claims the following; it is NOT verified)\n${summary(result)}`);
    if (online === undefined && ok) io.out('  offline checks only: add --online <registry URL> for live status and log consistency\n');
  }
  return ok ? 0 : 1;
}

/** The first KiB of a file (to tell a PDF from a bundle without reading a huge file). */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}
