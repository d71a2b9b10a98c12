/**
 * C2SP tlog-policy (https://c2sp.org/tlog-policy): the trust policy text
 *
 *     log <vkey> [<url>]
 *     witness <name> <vkey> [<url>]
 *     group <name> <k|all|any> <name>...
 *     quorum <name|none>
 *
 * and an evaluator that says whether a signed checkpoint meets it: signed by one of
 * the logs, and cosigned by witnesses satisfying the quorum. Pure; Ed25519 injected.
 */
import { LedgerError, concatBytes, openNote, parseCheckpoint, parseVerifierKey, sha256, utf8, type Checkpoint, type NoteVerifier } from '../ledger/index.ts';
import { COSIGNATURE_ED25519, checkCosignature, cosignerKeyId, splitVerifierKey, type CosignatureFailure, type Ed25519Verify } from './cosignature.ts';
import { WitnessError } from './errors.ts';
import { splitNote } from './note-lines.ts';

/** Signature type of ML-DSA-44 cosignatures (C2SP tlog-cosignature §Format). */
const COSIGNATURE_ML_DSA_44 = 0x06;
const ML_DSA_44_PUBLIC_KEY_BYTES = 1312;
/** Implementation limits (the spec recommends supporting at least 32 of each). */
export const POLICY_LIMITS = { logs: 256, witnesses: 256, groups: 256, bytes: 1 << 20 } as const;

/** A log of the policy (C2SP tlog-policy §Defining a log). */
export interface PolicyLog {
  vkey: string;
  /** The key name, which is the log's origin. */
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  url?: string;
}

/** A witness of the policy (C2SP tlog-policy §Defining a witness). */
export interface PolicyWitness {
  /** The name used in groups and the quorum (meaningful only inside the policy). */
  name: string;
  vkey: string;
  /** The cosigner's key name (the name in its signature lines). */
  keyName: string;
  keyId: number;
  publicKey: Uint8Array;
  /** Ed25519 cosignatures are checked; ML-DSA-44 keys are parsed but never count here. */
  type: 'ed25519' | 'ml-dsa-44';
  url?: string;
}

/** A witness group: satisfied when at least `threshold` members are (C2SP tlog-policy §Defining a witness group). */
export interface PolicyGroup {
  name: string;
  threshold: number;
  members: string[];
}

/** A parsed policy. `quorum` is a witness name, a group name or `none`. */
export interface Policy {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  quorum: string;
}

function fail(line: number, message: string): never {
  throw new WitnessError('malformed_policy', `line ${line}: ${message}`);
}

// Allowed octets: tab, newline, 0x20–0x7E and everything from 0x80 (C2SP tlog-policy §Character set).
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const DECIMAL = /^[1-9][0-9]*$/;

function keyBytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Parses a witness vkey of type 0x04 (Ed25519) or 0x06 (ML-DSA-44), checking the key ID. */
function parseWitnessKey(vkey: string, line: number): Omit<PolicyWitness, 'name' | 'url'> {
  const parts = splitVerifierKey(vkey);
  if (parts === undefined) fail(line, 'malformed witness verifier key');
  let keyId: number;
  let type: PolicyWitness['type'];
  if (parts.type === COSIGNATURE_ED25519 && parts.key.length === 32) {
    keyId = cosignerKeyId(parts.name, parts.key);
    type = 'ed25519';
  } else if (parts.type === COSIGNATURE_ML_DSA_44 && parts.key.length === ML_DSA_44_PUBLIC_KEY_BYTES) {
    const d = sha256(concatBytes(utf8(parts.name), Uint8Array.of(0x0a, COSIGNATURE_ML_DSA_44), parts.key));
    keyId = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
    type = 'ml-dsa-44';
  } else fail(line, 'a witness key must be an Ed25519 (0x04) or ML-DSA-44 (0x06) cosigner key');
  if (keyId !== parts.keyId) fail(line, 'witness key ID does not match the key');
  return { vkey, keyName: parts.name, keyId, publicKey: parts.key, type };
}

/**
 * Parses a policy (C2SP tlog-policy): lines of tokens separated by spaces and tabs;
 * blank and `#` comment lines ignored; `log`, `witness`, `group`, `quorum` lines as
 * specified; names defined once (witnesses and groups share one namespace, `none` is
 * reserved); groups and the quorum refer only to names defined on earlier lines; each
 * member at most once per group; 1 ≤ k ≤ n; no two logs and no two witnesses with the
 * same public key; exactly one quorum line. Log keys are Ed25519 note keys (0x01),
 * witness keys cosigner keys (0x04, or 0x06 which is parsed but not verified here).
 * @throws WitnessError `malformed_policy` naming the line.
 */
export function parsePolicy(text: string): Policy {
  if (typeof text !== 'string') throw new WitnessError('malformed_policy', 'policy must be text');
  if (text.length > POLICY_LIMITS.bytes) throw new WitnessError('malformed_policy', 'policy too large');
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const groups: PolicyGroup[] = [];
  const names = new Set<string>();
  let quorum: string | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (FORBIDDEN.test(raw)) fail(n, 'control character');
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [keyword, ...args] = trimmed.split(/[ \t]+/) as [string, ...string[]];
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) fail(n, 'expected: log <vkey> [<url>]');
        let key: ReturnType<typeof parseVerifierKey>;
        try {
          key = parseVerifierKey(args[0]!);
        } catch (err) {
          if (err instanceof LedgerError) fail(n, 'malformed log verifier key');
          throw err;
        }
        if (logs.some((l) => keyBytesEqual(l.publicKey, key.publicKey))) fail(n, 'duplicate log key');
        if (logs.length === POLICY_LIMITS.logs) fail(n, 'too many logs');
        logs.push({ vkey: args[0]!, name: key.name, keyId: key.keyId, publicKey: key.publicKey, ...(args[1] !== undefined ? { url: args[1] } : {}) });
        return;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) fail(n, 'expected: witness <name> <vkey> [<url>]');
        const name = args[0]!;
        if (name === 'none') fail(n, '"none" is reserved');
        if (names.has(name)) fail(n, `name ${JSON.stringify(name)} already defined`);
        const key = parseWitnessKey(args[1]!, n);
        if (witnesses.some((w) => keyBytesEqual(w.publicKey, key.publicKey))) fail(n, 'duplicate witness key');
        if (witnesses.length === POLICY_LIMITS.witnesses) fail(n, 'too many witnesses');
        names.add(name);
        witnesses.push({ name, ...key, ...(args[2] !== undefined ? { url: args[2] } : {}) });
        return;
      }
      case 'group': {
        if (args.length < 3) fail(n, 'expected: group <name> <k|all|any> <name>...');
        const [name, k, ...members] = args as [string, string, ...string[]];
        if (name === 'none') fail(n, '"none" is reserved');
        if (names.has(name)) fail(n, `name ${JSON.stringify(name)} already defined`);
        const seen = new Set<string>();
        for (const m of members) {
          if (m === 'none') fail(n, '"none" cannot be a group member');
          if (!names.has(m)) fail(n, `member ${JSON.stringify(m)} is not defined on an earlier line`);
          if (seen.has(m)) fail(n, `member ${JSON.stringify(m)} listed twice`);
          seen.add(m);
        }
        let threshold: number;
        if (k === 'all') threshold = members.length;
        else if (k === 'any') threshold = 1;
        else if (DECIMAL.test(k) && Number(k) <= members.length) threshold = Number(k);
        else fail(n, 'threshold must be all, any, or a decimal k with 1 <= k <= number of members');
        if (groups.length === POLICY_LIMITS.groups) fail(n, 'too many groups');
        names.add(name);
        groups.push({ name, threshold, members });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) fail(n, 'expected: quorum <name>');
        if (quorum !== undefined) fail(n, 'a second quorum line');
        if (args[0] !== 'none' && !names.has(args[0]!)) fail(n, `quorum ${JSON.stringify(args[0])} is not defined on an earlier line`);
        quorum = args[0]!;
        return;
      }
      default:
        fail(n, `unknown keyword ${JSON.stringify(keyword)}`);
    }
  });
  if (quorum === undefined) throw new WitnessError('malformed_policy', 'the policy has no quorum line');
  return { logs, witnesses, groups, quorum };
}

/** Why a checkpoint does not meet a policy. */
export type PolicyFailure =
  /** The note's signature block or checkpoint body does not parse. */
  | 'malformed_note'
  /** No valid signature by a policy log whose key name is the checkpoint's origin. */
  | 'log_signature_missing'
  /** A signature line of a policy log does not verify. */
  | 'log_signature_invalid'
  /** The witnesses that validly cosigned do not satisfy the quorum. */
  | 'quorum_not_met';

/** The outcome of {@link evaluatePolicy}. */
export interface PolicyEvaluation {
  /** True when the checkpoint is signed by a policy log and the quorum is met. */
  ok: boolean;
  failure?: PolicyFailure;
  /** The parsed checkpoint body (when it parses). */
  checkpoint?: Checkpoint;
  /** The policy log that signed it. */
  log?: { name: string; keyId: number };
  /** Witnesses (policy names) with a valid cosignature, and its timestamp. */
  signed: { witness: string; timestamp: number }[];
  /** Witnesses (policy names) without a valid cosignature, in policy order. */
  missing: string[];
  /** Of the missing, those whose line was present but did not count, and why. */
  invalid: { witness: string; reason: CosignatureFailure | 'unsupported_key_type' }[];
}

/** Options of {@link evaluatePolicy}. */
export interface PolicyEvaluationOptions {
  /** The verifier's clock (POSIX seconds): cosignatures from the future fail. */
  now?: number;
  /** Tolerated clock skew with `now` (default 300 s). */
  maxFutureSeconds?: number;
}

/**
 * Says whether a signed checkpoint meets a policy (C2SP tlog-policy §What is a
 * "policy"?): it must be signed by one of the policy's logs — a key whose name is the
 * checkpoint's origin (§Defining a log) — and the witnesses with a valid Ed25519
 * cosignature (C2SP tlog-cosignature) must satisfy the quorum, each group counting
 * its satisfied members against its threshold. Signature lines of unknown keys are
 * ignored. Every policy witness is reported as signed or missing, so a failure can
 * name the missing cosignature.
 */
export async function evaluatePolicy(
  note: string,
  policy: Policy,
  verify: Ed25519Verify,
  opts: PolicyEvaluationOptions = {},
): Promise<PolicyEvaluation> {
  const result: PolicyEvaluation = { ok: false, signed: [], missing: [], invalid: [] };
  const parts = splitNote(note);
  if (parts === undefined) return { ...result, failure: 'malformed_note', missing: policy.witnesses.map((w) => w.name) };
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parts.text);
  } catch {
    return { ...result, failure: 'malformed_note', missing: policy.witnesses.map((w) => w.name) };
  }
  result.checkpoint = checkpoint;

  // Cosignatures first, so that every answer names who signed and who is missing.
  const satisfied = new Set<string>();
  for (const w of policy.witnesses) {
    if (w.type !== 'ed25519') {
      result.missing.push(w.name);
      if (parts.signatures.some((s) => s.name === w.keyName && s.keyId === w.keyId)) result.invalid.push({ witness: w.name, reason: 'unsupported_key_type' });
      continue;
    }
    const check = await checkCosignature(parts, { name: w.keyName, keyId: w.keyId, publicKey: w.publicKey }, verify, opts);
    if (check.status === 'valid') {
      satisfied.add(w.name);
      result.signed.push({ witness: w.name, timestamp: check.timestamp });
    } else {
      result.missing.push(w.name);
      if (check.status === 'invalid') result.invalid.push({ witness: w.name, reason: check.reason });
    }
  }

  // The log's signature.
  const verifiers: NoteVerifier[] = policy.logs.map((l) => ({
    name: l.name,
    keyId: l.keyId,
    verify: (message: Uint8Array, signature: Uint8Array) => signature.length === 64 && verify(l.publicKey, message, signature),
  }));
  try {
    const opened = await openNote(note, verifiers);
    const log = opened.verified.find((v) => v.name === checkpoint.origin);
    if (log === undefined) return { ...result, failure: 'log_signature_missing' };
    result.log = log;
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    if (err.code === 'note_unverified') {
      const present = parts.signatures.some((s) => policy.logs.some((l) => l.name === s.name && l.keyId === s.keyId));
      return { ...result, failure: present ? 'log_signature_invalid' : 'log_signature_missing' };
    }
    return { ...result, failure: 'malformed_note' };
  }

  // The quorum.
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const memo = new Map<string, boolean>();
  const holds = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const group = groups.get(name);
    const value = group === undefined ? satisfied.has(name) : group.members.filter(holds).length >= group.threshold;
    memo.set(name, value);
    return value;
  };
  if (policy.quorum !== 'none' && !holds(policy.quorum)) return { ...result, failure: 'quorum_not_met' };
  return { ...result, ok: true };
}

/**
 * A policy as C2SP tlog-policy text (`log`, `witness`, `group`, `quorum` lines, in that
 * order; URLs kept): what a verifier needs to check the registry's cosigned checkpoints
 * under the registry's own trust policy. `parsePolicy(formatPolicy(p))` gives `p` back.
 */
export function formatPolicy(policy: Policy): string {
  const lines = [
    ...policy.logs.map((l) => `log ${l.vkey}${l.url ? ` ${l.url}` : ''}`),
    ...policy.witnesses.map((w) => `witness ${w.name} ${w.vkey}${w.url ? ` ${w.url}` : ''}`),
    ...policy.groups.map((g) => `group ${g.name} ${g.threshold} ${g.members.join(' ')}`),
    `quorum ${policy.quorum}`,
  ];
  return `${lines.join('\n')}\n`;
}
