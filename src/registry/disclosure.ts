/**
 * The 数据资产入表 disclosure pack of a certificate: the facts 财会〔2023〕11号
 * (企业数据资源相关会计处理暂行规定, 四、披露) asks an enterprise to disclose about a data
 * resource — data type, scale, source and 权属 (ownership), processing, application
 * scenarios, validity and restrictions, licences, pledges — each with its log proof: the
 * entry that states it, that entry's RFC 9162 inclusion proof, and one signed checkpoint
 * for the whole pack. A fact is bound to its entry in one of three ways:
 *
 * - `form`: the value is fields of the frozen application form the pack carries, whose
 *   digest (§5.2 of docs/log-format.md) the `application.submitted` entry holds;
 * - `entry`: the value's members are the entry's own members;
 * - `scope`: a licence, whose scope text hashes (§5.1) to the entry's `scopeHash` and
 *   whose other members are the entry's.
 *
 * So the holder's auditors verify every fact offline with the log's verifier key alone
 * (`verifyDisclosurePack`). Pure: no I/O, no clock.
 */
import { decodeEntry, fromBase64, fromHex, rfc6962, toBase64, toHex, verifyInclusion } from '../ledger/index.ts';
import { canonicalJson } from '../ledger/index.ts';
import { openCheckpoint, type Ed25519Verify } from '../certificates/index.ts';
import { formDigest, textHash } from './hashes.ts';
import type { CompleteForm } from './form.ts';

export const DISCLOSURE_FORMAT = 'datadeed-disclosure/1';
export const DISCLOSURE_BASIS = '财会〔2023〕11号《企业数据资源相关会计处理暂行规定》四、披露';

export type FactBinding = { kind: 'form'; fields: string[] } | { kind: 'entry'; members: string[] } | { kind: 'scope'; members: string[] };

export interface DisclosureFact {
  key: 'dataType' | 'scale' | 'source' | 'ownership' | 'processing' | 'scenarios' | 'validity' | 'licence' | 'pledge' | 'pledgeRelease';
  label: { zh: string; en: string };
  value: Record<string, unknown>;
  binding: FactBinding;
  /** The entry stating it, and its inclusion proof in the pack's checkpoint. */
  proof: { index: number; entry: string; inclusion: string[] };
}

export interface DisclosurePack {
  format: typeof DISCLOSURE_FORMAT;
  basis: typeof DISCLOSURE_BASIS;
  number: string;
  registrationNumber: string | null;
  generatedAt: string;
  /** The signed checkpoint every proof is to. */
  checkpoint: string;
  treeSize: number;
  /** The frozen application form (its digest is in the `application.submitted` entry). */
  form: CompleteForm;
  facts: DisclosureFact[];
}

/** What the pack is built from (read by the registry; entries and proofs from the log). */
export interface DisclosureInput {
  number: string;
  registrationNumber: string | null;
  generatedAt: string;
  checkpoint: { note: string; size: number };
  form: CompleteForm;
  submittedIndex: number;
  issuedIndex: number;
  licences: { licensee: string; scope: string; exclusive: boolean; term: { start: string; end: string }; licenseeUscc: string | null; logIndex: number }[];
  pledges: { pledgeNumber: string; pledgee: string; term: { start: string; end: string }; recordedLogIndex: number; releasedLogIndex: number | null }[];
  /** Entry bytes and inclusion proofs (to `checkpoint.size`) of every index above. */
  entries: Map<number, { data: Uint8Array; proof: Uint8Array[] }>;
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/** Builds the pack (unsigned: the caller signs it with the document key). */
export function buildDisclosurePack(input: DisclosureInput): DisclosurePack {
  const proofOf = (index: number) => {
    const e = input.entries.get(index);
    if (!e) throw new RangeError(`buildDisclosurePack: no entry ${index}`);
    return { index, entry: toBase64(e.data), inclusion: e.proof.map(toHex) };
  };
  const entryOf = (index: number) => decodeEntry(input.entries.get(index)!.data) as unknown as Record<string, unknown>;
  const form = input.form as unknown as Record<string, unknown>;
  const fromForm = (key: DisclosureFact['key'], label: DisclosureFact['label'], fields: string[]): DisclosureFact => ({
    key,
    label,
    value: pick(form, fields),
    binding: { kind: 'form', fields: fields.filter((f) => form[f] !== undefined) },
    proof: proofOf(input.submittedIndex),
  });
  const fromEntry = (key: DisclosureFact['key'], label: DisclosureFact['label'], index: number, members: string[], extra: Record<string, unknown> = {}): DisclosureFact => {
    const e = entryOf(index);
    const present = members.filter((m) => e[m] !== undefined);
    return { key, label, value: { ...pick(e, present), ...extra }, binding: { kind: 'entry', members: present }, proof: proofOf(index) };
  };
  const facts: DisclosureFact[] = [
    fromForm('dataType', { zh: '数据类型与结构', en: 'Data type and structure' }, ['structure', 'format', 'updateFrequency', 'timeSpan', 'industry']),
    fromForm('scale', { zh: '数据规模', en: 'Scale' }, ['scale', 'manifest']),
    fromForm('source', { zh: '数据来源', en: 'Source' }, ['dataSource', 'collectionMethod', 'legality', 'dataSourceType', 'sourceAgreementEnd']),
    fromEntry('ownership', { zh: '权属（持有人与登记）', en: 'Ownership (holder and registration)' }, input.issuedIndex, ['number', 'holderUscc', 'manifestRoot', 'registrationNumber', 'basis']),
    fromForm('processing', { zh: '加工处理', en: 'Processing' }, ['processingRules']),
    fromForm('scenarios', { zh: '应用场景', en: 'Application scenarios' }, ['scenarios']),
    fromEntry('validity', { zh: '有效期与限制', en: 'Validity and restrictions' }, input.issuedIndex, ['validFrom', 'validUntil', 'supersedes']),
  ];
  for (const l of input.licences) {
    const e = entryOf(l.logIndex);
    const members = ['number', 'licenceId', 'exclusive', 'termStart', 'termEnd', 'licenseeUscc'].filter((m) => e[m] !== undefined);
    facts.push({
      key: 'licence',
      label: { zh: '许可', en: 'Licence' },
      value: { ...pick(e, members), licensee: l.licensee, scope: l.scope },
      binding: { kind: 'scope', members },
      proof: proofOf(l.logIndex),
    });
  }
  for (const p of input.pledges) {
    facts.push(fromEntry('pledge', { zh: '质押', en: 'Pledge' }, p.recordedLogIndex, ['pledgeNumber', 'number', 'termStart', 'termEnd', 'currency', 'valuationReportHash', 'zhongdengNumber'], { pledgeeName: p.pledgee }));
    if (p.releasedLogIndex !== null) facts.push(fromEntry('pledgeRelease', { zh: '质押解除', en: 'Pledge released' }, p.releasedLogIndex, ['pledgeNumber', 'number']));
  }
  return {
    format: DISCLOSURE_FORMAT,
    basis: DISCLOSURE_BASIS,
    number: input.number,
    registrationNumber: input.registrationNumber,
    generatedAt: input.generatedAt,
    checkpoint: input.checkpoint.note,
    treeSize: input.checkpoint.size,
    form: input.form,
    facts,
  };
}

/** One fact's verification. */
export interface FactCheck {
  key: string;
  index: number;
  ok: boolean;
  /** Why not: `inclusion`, `form_digest`, `value_mismatch`, `scope_hash`, `entry`. */
  reason?: string;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/**
 * Verifies a pack offline: its checkpoint is signed by one of `logKeys` and names
 * `origin` with the pack's tree size; then each fact — the entry is included in that tree,
 * and the value is bound to it (form digest, the entry's members, the scope's hash).
 * Returns every fact's check (`ok` overall only when all pass).
 */
export async function verifyDisclosurePack(pack: DisclosurePack, logKeys: string[], origin: string, crypto: Ed25519Verify): Promise<{ ok: boolean; checkpoint: boolean; facts: FactCheck[] }> {
  const opened = await openCheckpoint(pack.checkpoint, logKeys, crypto).catch(() => null);
  if (!opened?.ok || opened.checkpoint.origin !== origin || opened.checkpoint.size !== pack.treeSize) return { ok: false, checkpoint: false, facts: [] };
  const root = opened.checkpoint.rootHash;
  const digest = formDigest(pack.form);
  // the form must be the one of the application the certificate's issuance names
  let issuedFor: unknown;
  try {
    const own = pack.facts.find((f) => f.key === 'ownership');
    issuedFor = own ? (decodeEntry(fromBase64(own.proof.entry)) as unknown as Record<string, unknown>).applicationId : undefined;
  } catch {
    issuedFor = undefined;
  }
  const facts = pack.facts.map((f): FactCheck => {
    const out = (ok: boolean, reason?: string): FactCheck => ({ key: f.key, index: f.proof.index, ok, ...(reason ? { reason } : {}) });
    let data: Uint8Array;
    let entry: Record<string, unknown>;
    try {
      data = fromBase64(f.proof.entry);
      entry = decodeEntry(data) as unknown as Record<string, unknown>;
      verifyInclusion(rfc6962, f.proof.index, pack.treeSize, rfc6962.hashLeaf(data), f.proof.inclusion.map(fromHex), root);
    } catch {
      return out(false, 'inclusion');
    }
    const b = f.binding;
    if (b.kind === 'form') {
      if (entry.kind !== 'application.submitted' || entry.digest !== digest || (issuedFor !== undefined && entry.applicationId !== issuedFor)) return out(false, 'form_digest');
      const form = pack.form as unknown as Record<string, unknown>;
      return b.fields.every((k) => same(f.value[k], form[k])) && Object.keys(f.value).every((k) => b.fields.includes(k)) ? out(true) : out(false, 'value_mismatch');
    }
    if (entry.number !== pack.number && entry.supersedes !== pack.number && f.key !== 'pledge' && f.key !== 'pledgeRelease' && f.key !== 'licence') return out(false, 'entry');
    if (!b.members.every((m) => same(f.value[m], entry[m]))) return out(false, 'value_mismatch');
    if (b.kind === 'scope' && (typeof f.value.scope !== 'string' || textHash(f.value.scope) !== entry.scopeHash)) return out(false, 'scope_hash');
    return out(true);
  });
  return { ok: facts.every((x) => x.ok), checkpoint: true, facts };
}
