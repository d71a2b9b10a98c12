/**
 * Every code of every domain, walked from the domains' exported `as const` arrays: its
 * HTTP status (through the real boundary, `toProblem`) and its CLI exit status (through
 * the real `exitCodeFor`) are the ones written below, by group. A domain or code added
 * without a place here fails this test; one added without a status or exit code in
 * `src/api/problem.ts` / `src/cli/exit-codes.ts` does not compile.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_ERROR_CODES, AccountError } from '../../src/accounts/index.ts';
import { API_ERROR_CODES, ApiError } from '../../src/api/errors.ts';
import { toProblem } from '../../src/api/problem.ts';
import { CERTIFICATE_ERROR_CODES, CertificateError } from '../../src/certificates/index.ts';
import { COMMAND_ERROR_CODES, CommandError } from '../../src/cli/errors.ts';
import { exitCodeFor, exitCodeOf } from '../../src/cli/exit-codes.ts';
import { USAGE_ERROR_CODES, UsageError } from '../../src/cli/usage.ts';
import { CONFIG_ERROR_CODES, ConfigError } from '../../src/config.ts';
import { STARTUP_ERROR_CODES, StartupError } from '../../src/compose.ts';
import { DATABASE_ERROR_CODES, DatabaseBusyError } from '../../src/db/index.ts';
import { DataDeedError } from '../../src/errors.ts';
import { EVIDENCE_ERROR_CODES, EvidenceError } from '../../src/evidence/index.ts';
import { BROWSER_FINGERPRINT_ERROR_CODES, FINGERPRINT_ERROR_CODES, FingerprintError } from '../../src/fingerprint/index.ts';
import { BrowserFingerprintError } from '../../src/fingerprint/browser/fingerprint-page.ts';
import { DATASET_IO_ERROR_CODES, DatasetIoError } from '../../src/fingerprint/node/index.ts';
import { KEY_FILE_ERROR_CODES, KeyFileError } from '../../src/keys/node/index.ts';
import { KEY_ERROR_CODES, KeyError } from '../../src/keys/index.ts';
import { LEDGER_ERROR_CODES, LedgerError } from '../../src/ledger/index.ts';
import { SEQUENCER_ERROR_CODES, SequencerError } from '../../src/ledger/pg/index.ts';
import { REGISTRY_ERROR_CODES, RegistryError } from '../../src/registry/index.ts';
import { MAP_ERROR_CODES, MapError } from '../../src/state/map/index.ts';
import { STATE_ERROR_CODES, StateError } from '../../src/state/index.ts';
import { WITNESS_ERROR_CODES, WitnessError } from '../../src/witness/index.ts';
import { WITNESS_KEY_ERROR_CODES, WitnessKeyError } from '../../src/witness/node/index.ts';
import { WITNESS_STORE_ERROR_CODES, WitnessStoreError } from '../../src/witness/pg/index.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface Domain {
  name: string;
  codes: readonly string[];
  make(code: string): DataDeedError;
}

// Each class with its codes, and how to build one (constructors differ where a domain
// has one code, or extra fields).
const DOMAINS: Domain[] = [
  { name: 'LedgerError', codes: LEDGER_ERROR_CODES, make: (c) => new LedgerError(c as never, 'm') },
  { name: 'SequencerError', codes: SEQUENCER_ERROR_CODES, make: (c) => new SequencerError(c as never, 'm') },
  { name: 'KeyFileError', codes: KEY_FILE_ERROR_CODES, make: (c) => new KeyFileError(c as never, 'm') },
  { name: 'KeyError', codes: KEY_ERROR_CODES, make: (c) => new KeyError(c as never, 'm') },
  { name: 'CertificateError', codes: CERTIFICATE_ERROR_CODES, make: (c) => new CertificateError(c as never, 'm') },
  { name: 'FingerprintError', codes: FINGERPRINT_ERROR_CODES, make: (c) => new FingerprintError(c as never, 'm') },
  { name: 'BrowserFingerprintError', codes: BROWSER_FINGERPRINT_ERROR_CODES, make: (c) => new BrowserFingerprintError(c as never, 'm') },
  { name: 'DatasetIoError', codes: DATASET_IO_ERROR_CODES, make: (c) => new DatasetIoError(c as never, 'm') },
  { name: 'RegistryError', codes: REGISTRY_ERROR_CODES, make: (c) => new RegistryError(c as never, 'm') },
  { name: 'EvidenceError', codes: EVIDENCE_ERROR_CODES, make: (c) => new EvidenceError(c as never, 'm') },
  { name: 'AccountError', codes: ACCOUNT_ERROR_CODES, make: (c) => new AccountError(c as never, 'm') },
  { name: 'ConfigError', codes: CONFIG_ERROR_CODES, make: () => new ConfigError('PORT', 'm') },
  { name: 'StartupError', codes: STARTUP_ERROR_CODES, make: (c) => new StartupError(c as never, 'm') },
  { name: 'DatabaseBusyError', codes: DATABASE_ERROR_CODES, make: () => new DatabaseBusyError('m') },
  { name: 'UsageError', codes: USAGE_ERROR_CODES, make: (c) => new UsageError(c as never, 'm') },
  { name: 'CommandError', codes: COMMAND_ERROR_CODES, make: (c) => new CommandError(c as never, 'm') },
  { name: 'ApiError', codes: API_ERROR_CODES, make: (c) => new ApiError(c as never, 'm') },
  { name: 'MapError', codes: MAP_ERROR_CODES, make: (c) => new MapError(c as never, 'm') },
  { name: 'StateError', codes: STATE_ERROR_CODES, make: (c) => new StateError(c as never, 'm') },
  { name: 'WitnessError', codes: WITNESS_ERROR_CODES, make: (c) => new WitnessError(c as never, 'm') },
  { name: 'WitnessKeyError', codes: WITNESS_KEY_ERROR_CODES, make: (c) => new WitnessKeyError(c as never, 'm') },
  { name: 'WitnessStoreError', codes: WITNESS_STORE_ERROR_CODES, make: (c) => new WitnessStoreError(c as never, 'm') },
];

/**
 * HTTP status by group. 500 = never served with its code: a bug or server fault (key
 * files, a missing node) or a code only the CLI or the browser raises.
 */
const HTTP: Record<number, string[]> = {
  400: [
    // malformed input: proofs, notes, checkpoints, tiles, entries, bundles, manifests, paths
    'index_out_of_range', 'invalid_tree_size', 'proof_wrong_length', 'inclusion_mismatch', 'consistency_mismatch',
    'malformed_checkpoint', 'malformed_note', 'note_unverified', 'malformed_verifier_key', 'malformed_signer_key',
    'malformed_tile_path', 'malformed_entry_bundle', 'malformed_entry', 'size_beyond_tree',
    'non_canonical_payload', 'invalid_bundle', 'invalid_trusted_key', 'pdf_unreadable',
    'path_empty', 'path_absolute', 'path_traversal', 'path_empty_segment', 'path_nul', 'path_unrepresentable',
    'path_not_normalized', 'path_too_long', 'duplicate_path', 'unsorted_entries', 'malformed_manifest', 'malformed_proof',
    'invalid_request', 'malformed_json', 'malformed_form', 'bad_request', 'invalid_cursor',
    'malformed_request', 'malformed_cosigner_key', 'malformed_cosignature', 'malformed_log_key', 'malformed_origin', 'malformed_policy', 'invalid_key', 'invalid_value', 'invalid_root',
  ],
  401: ['unauthenticated'],
  403: ['forbidden', 'reviewer_conflict_of_interest', 'not_owner'],
  404: [
    'application_not_found', 'certificate_not_found', 'objection_not_found', 'organisation_not_found', 'user_not_found',
    'token_not_found', 'pledge_not_found', 'deposit_not_found', 'tile_not_found', 'entry_not_found', 'route_not_found',
  ],
  405: ['method_not_allowed'],
  409: [
    'duplicate_username', 'duplicate_uscc', 'illegal_transition', 'version_conflict', 'notice_not_elapsed', 'open_objections', 'duplicate_objection', 'too_many_objections',
    'renewal_window_closed', 'certificate_not_active', 'certificate_already_pledged', 'certificate_pledged',
    'exclusive_licence_conflict', 'duplicate_policy', 'state_diverged', 'duplicate_attestation', 'pledgee_consent_required',
  ],
  413: ['entry_too_large', 'pdf_too_large', 'sample_too_large', 'body_too_large'],
  415: ['sample_type_not_allowed', 'unsupported_media_type'],
  422: [
    'invalid_payload', 'pdf_no_bundle', 'pdf_unsigned', 'pdf_byte_range_invalid', 'pdf_signature_invalid', 'pdf_digest_mismatch', 'pdf_signer_untrusted',
    'manifest_totals_mismatch', 'manifest_root_mismatch', 'proof_mismatch', 'root_mismatch',
    'file_mismatch', 'path_not_in_manifest', 'invalid_field', 'application_incomplete', 'evidence_required', 'objector_interest_required',
    'proof_kind_mismatch', 'proof_not_canonical', 'proof_key_mismatch', 'attestation_invalid', 'malformed_attestation',
  ],
  500: [
    'missing_node', 'key_file_unreadable', 'key_file_unwritable', 'key_file_permissions', 'key_file_invalid', 'key_name_mismatch',
    'key_not_found', 'signer_mismatch', 'invalid_document',
    'log_key_missing', 'log_key_mismatch', 'certificate_key_missing', 'certificate_key_mismatch', 'certificate_key_ambiguous', 'key_file_exists',
    'document_key_missing', 'document_key_mismatch', 'document_key_ambiguous',
    'dataset_not_found', 'not_file_or_directory', 'read_failed', 'file_changed', 'write_failed', 'interrupted', 'worker_failed', 'aborted',
    'bad_config', 'origin_mismatch',
    'bad_arguments', 'bad_option', 'missing_option', 'unknown_command', 'bad_key', 'bad_url', 'no_trusted_keys',
    'file_not_found', 'bad_keys_file', 'keys_unavailable', 'online_unavailable', 'deposit_failed', 'receipt_failed', 'root_not_trusted',
    'malformed_response', 'malformed_timestamp', 'witness_refused', 'witness_conflict', 'no_valid_cosignature', 'duplicate_key', 'malformed_node', 'key_exists', 'key_missing', 'key_unreadable', 'key_mode', 'malformed_key', 'bad_name', 'not_initialised', 'already_initialised', 'wrong_key', 'schema_version',
    'replay_out_of_order',
  ],
  429: ['rate_limited'],
  503: ['sequencer_stopped', 'sequencer_fatal', 'queue_full', 'database_busy', 'log_empty', 'not_ready', 'tree_rolled_back', 'tree_forked', 'clock_went_back', 'tree_state_corrupt', 'tree_state_conflict', 'log_stopped', 'busy', 'state_conflict',
  ],
};

/** CLI exit status by group (README, "Exit status"). */
const EXIT: Record<number, string[]> = {
  // 1: what was checked does not verify
  1: [
    'index_out_of_range', 'invalid_tree_size', 'proof_wrong_length', 'inclusion_mismatch', 'consistency_mismatch',
    'malformed_checkpoint', 'malformed_note', 'note_unverified', 'malformed_verifier_key', 'malformed_signer_key',
    'malformed_tile_path', 'malformed_entry_bundle', 'malformed_entry',
    'invalid_payload', 'non_canonical_payload', 'invalid_bundle', 'pdf_too_large', 'pdf_unreadable', 'pdf_no_bundle',
    'pdf_unsigned', 'pdf_byte_range_invalid', 'pdf_signature_invalid', 'pdf_digest_mismatch', 'pdf_signer_untrusted',
    'path_not_normalized', 'unsorted_entries', 'malformed_manifest', 'manifest_totals_mismatch', 'manifest_root_mismatch',
    'malformed_proof', 'proof_mismatch', 'root_mismatch', 'file_mismatch', 'path_not_in_manifest', 'root_not_trusted',
    'tree_rolled_back', 'tree_forked', 'tree_state_corrupt', 'malformed_cosignature', 'no_valid_cosignature', 'proof_kind_mismatch', 'proof_not_canonical', 'proof_key_mismatch',
    'state_diverged', 'attestation_invalid',
  ],
  // 2: a bad command line or configuration
  2: ['invalid_trusted_key', 'bad_config', 'bad_arguments', 'bad_option', 'missing_option', 'unknown_command', 'bad_key', 'bad_url', 'no_trusted_keys', 'bad_name', 'not_initialised'],
  // 3: input that cannot be used, or a request the registry refused
  3: [
    'entry_too_large', 'key_not_found', 'key_file_exists',
    'path_empty', 'path_absolute', 'path_traversal', 'path_empty_segment', 'path_nul', 'path_unrepresentable', 'path_too_long', 'duplicate_path',
    'dataset_not_found', 'not_file_or_directory', 'read_failed', 'file_changed', 'file_not_found', 'bad_keys_file',
    'unauthenticated', 'forbidden', 'reviewer_conflict_of_interest', 'not_owner',
    'application_not_found', 'certificate_not_found', 'objection_not_found', 'organisation_not_found', 'user_not_found',
    'token_not_found', 'pledge_not_found', 'deposit_not_found', 'invalid_field', 'invalid_cursor', 'application_incomplete', 'evidence_required',
    'sample_too_large', 'sample_type_not_allowed', 'duplicate_username', 'duplicate_uscc', 'illegal_transition', 'version_conflict',
    'notice_not_elapsed', 'open_objections', 'duplicate_objection', 'too_many_objections', 'renewal_window_closed', 'certificate_not_active', 'certificate_already_pledged',
    'certificate_pledged', 'exclusive_licence_conflict', 'duplicate_policy', 'pledgee_consent_required', 'objector_interest_required',
    'invalid_request', 'malformed_json', 'malformed_form', 'unsupported_media_type', 'body_too_large', 'bad_request',
    'tile_not_found', 'entry_not_found', 'size_beyond_tree',
    'malformed_request', 'malformed_cosigner_key', 'malformed_log_key', 'malformed_origin', 'malformed_policy', 'invalid_key', 'invalid_value', 'invalid_root', 'key_exists', 'already_initialised', 'duplicate_attestation', 'malformed_attestation',
  ],
  // 4: the network, database, key files or log cannot be used now, or a bug
  4: [
    'missing_node', 'sequencer_stopped', 'sequencer_fatal', 'queue_full',
    'key_file_unreadable', 'key_file_unwritable', 'key_file_permissions', 'key_file_invalid', 'key_name_mismatch',
    'log_key_missing', 'log_key_mismatch', 'certificate_key_missing', 'certificate_key_mismatch', 'certificate_key_ambiguous',
    'document_key_missing', 'document_key_mismatch', 'document_key_ambiguous',
    'signer_mismatch', 'invalid_document', 'write_failed', 'worker_failed', 'origin_mismatch', 'database_busy',
    'keys_unavailable', 'online_unavailable', 'deposit_failed', 'receipt_failed', 'route_not_found', 'method_not_allowed', 'log_empty', 'not_ready',
    'clock_went_back', 'tree_state_conflict', 'log_stopped', 'rate_limited', 'malformed_response', 'malformed_timestamp', 'witness_refused', 'witness_conflict', 'duplicate_key', 'malformed_node', 'key_missing', 'key_unreadable', 'key_mode', 'malformed_key', 'busy', 'wrong_key', 'schema_version', 'state_conflict',
    'replay_out_of_order',
  ],
  130: ['interrupted', 'aborted'],
};

/** code → value, failing on a code listed twice. */
function index(groups: Record<number, string[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [value, codes] of Object.entries(groups)) {
    for (const code of codes) {
      expect(out.has(code), `${code} is listed twice`).toBe(false);
      out.set(code, Number(value));
    }
  }
  return out;
}

const walked = DOMAINS.flatMap((d) => d.codes.map((code) => ({ domain: d, code })));

describe('every error code of every domain', () => {
  const status = index(HTTP);
  const exit = index(EXIT);

  it('walks every code, and every code in the tables exists in some domain', () => {
    expect(walked.length).toBeGreaterThan(100);
    const codes = new Set(walked.map((w) => w.code));
    expect([...status.keys()].filter((c) => !codes.has(c))).toEqual([]);
    expect([...exit.keys()].filter((c) => !codes.has(c))).toEqual([]);
    for (const d of DOMAINS) expect(new Set(d.codes).size, `${d.name} lists a code twice`).toBe(d.codes.length);
  });

  it.each(walked.map((w) => [`${w.domain.name} ${w.code}`, w] as const))('%s: HTTP status and CLI exit code', (_label, { domain, code }) => {
    const err = domain.make(code);
    expect(err).toBeInstanceOf(DataDeedError);
    expect(err.name).toBe(domain.name);
    expect(err.code).toBe(code);

    const want = status.get(code);
    expect(want, `${code} has no expected HTTP status here`).toBeDefined();
    const { problem, internal } = toProblem(err);
    expect(problem.status).toBe(want);
    if (want === 500) {
      // served like an unknown error: its code and message stay on the server
      expect(problem.code).toBe('internal_error');
      expect(internal).toBe(true);
    } else {
      expect(problem.code).toBe(code);
      expect(problem.type).toBe(`/problems/${code}`);
      expect(internal).toBe(want! >= 500);
    }

    const wantExit = exit.get(code);
    expect(wantExit, `${code} has no expected exit code here`).toBeDefined();
    expect(exitCodeFor(err)).toBe(wantExit);
    expect(exitCodeOf(code)).toBe(wantExit);
  });

  it('an error that is no DataDeed error: HTTP 500 internal_error (logged), exit 4', () => {
    const { problem, internal } = toProblem(new RangeError('secret'));
    expect([problem.status, problem.code, internal]).toEqual([500, 'internal_error', true]);
    expect(JSON.stringify(problem)).not.toContain('secret');
    expect(exitCodeFor(new RangeError('x'))).toBe(4);
    expect(exitCodeFor('a string')).toBe(4);
    // a code a registry answered with that we do not know: judged by its HTTP status
    expect(exitCodeOf('some_future_code', 409)).toBe(3);
    expect(exitCodeOf('some_future_code', 502)).toBe(4);
  });
});

/** Every .ts/.tsx file under src. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('one error base', () => {
  const files = sourceFiles(SRC).map((f) => ({ file: path.relative(SRC, f), text: readFileSync(f, 'utf8') }));

  it('every error class in src extends DataDeedError and is walked above', () => {
    const classes = files.flatMap(({ text }) => [...text.matchAll(/class (\w+) extends DataDeedError\b/g)].map((m) => m[1]!));
    expect(classes.sort()).toEqual(DOMAINS.map((d) => d.name).sort());
  });

  it('no other class in src extends Error (except private control-flow signals)', () => {
    const others = files.flatMap(({ file, text }) => [...text.matchAll(/class (\w+) extends (\w*Error)\b/g)].filter((m) => m[2] !== 'DataDeedError').map((m) => `${file}: ${m[1]}`));
    // private (unexported) control-flow signals, caught in the same file and never thrown out of it
    expect(others.sort()).toEqual(['fingerprint/browser/worker.ts: FileChanged', 'ledger/pg/audit.ts: Found', 'ledger/pg/sequencer.ts: LockTimeout', 'state/replay.ts: Skip']);
    for (const o of others) {
      const [file, name] = o.split(': ');
      expect(files.find((f) => f.file === file)!.text, `${name} must stay private`).not.toMatch(new RegExp(`export (class ${name}|\\{[^}]*\\b${name}\\b)`));
    }
  });
});
