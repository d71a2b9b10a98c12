/**
 * The verification report (验证报告) a bank files with a loan: which certificate was
 * verified, when (in the registry's time zone), against which signed checkpoint, the
 * result of each check, and the live status with its encumbrances (pledgees by name). The
 * certificate's bundle rides inside, so the report verifies offline like the certificate.
 */
import { attestedFields, renderDocumentPdf, type AttestedBy } from '../../certificates/pdf/index.ts';
import type { DocumentSigner } from '../../certificates/index.ts';
import { bundleFileName, serializeBundle, type Bundle } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { localTime } from '../../time.ts';

type Bilingual = { zh: string; en: string };

export interface VerificationReportInput {
  /** The registry's document signer (PAdES); absent renders an unsigned report. */
  signer?: DocumentSigner | null;
  number: string;
  status: Bilingual;
  verdict: Bilingual;
  holder: string;
  dataset: string;
  manifestRoot: string;
  validity: string;
  logIndex: number;
  checkedAt: Date;
  checkpoint: { origin: string; size: number; time: string; rootHash: string };
  checks: { name: string; ok: boolean; code?: string }[];
  pledges: string[];
  policies: string[];
  bundle: Bundle;
  issuer: Bilingual;
  seal: string;
  verifyUrl: string;
  timeZone: string;
  /** Independent witnesses, time-stamp and notaries to name (issue 17). */
  attestedBy?: AttestedBy;
}

const at = (d: Date, timeZone: string) => {
  const l = localTime(d, timeZone);
  return `${l.date} ${l.time} (UTC${l.offset})`;
};

export async function renderVerificationReportPdf(r: VerificationReportInput): Promise<Uint8Array> {
  const failed = r.checks.filter((c) => !c.ok);
  const day = localTime(r.checkedAt, r.timeZone).date;
  const name = bundleFileName(r.number);
  return renderDocumentPdf({
    signer: r.signer ?? null,
    issuer: r.issuer,
    title: { zh: '数据知识产权证书验证报告', en: 'Certificate Verification Report' },
    id: { label: { zh: '证书编号', en: 'Certificate No.' }, value: r.number },
    statement: {
      zh: '本报告记录对下列证书的一次验证：签名、日志条目、默克尔包含证明与检查点签名，及验证时的实时状态。',
      en: 'This report records one verification of the certificate below: signature, log entry, Merkle inclusion proof and checkpoint signature, and its live status then.',
    },
    fields: [
      { zh: '结论', en: 'Verdict', value: `${r.verdict.zh} ${r.verdict.en}（${r.status.zh} ${r.status.en}）` },
      { zh: '持有人', en: 'Holder', value: r.holder },
      { zh: '数据名称', en: 'Dataset', value: r.dataset },
      { zh: '有效期', en: 'Validity', value: r.validity },
      { zh: '验证时间', en: 'Verified at', value: at(r.checkedAt, r.timeZone) },
      { zh: '检查点', en: 'Checkpoint', value: `${r.checkpoint.origin} · size ${r.checkpoint.size} · entry #${r.logIndex}` },
      {
        zh: '各项检查',
        en: 'Checks',
        value: failed.length ? `未通过 FAILED: ${failed.map((c) => `${c.name} (${c.code ?? ''})`).join(', ')}` : `全部 ${r.checks.length} 项通过 all ${r.checks.length} checks passed`,
      },
      { zh: '质押', en: 'Pledges', value: r.pledges.length ? r.pledges.join('; ') : '无 none' },
      { zh: '保险', en: 'Insurance', value: r.policies.length ? r.policies.join('; ') : '无 none' },
      ...attestedFields(r.attestedBy),
    ],
    fingerprint: { label: { zh: '数据指纹（清单根）', en: 'Fingerprint (manifest root)' }, hex: r.manifestRoot },
    qr: { url: r.verifyUrl, caption: { zh: '扫码查看实时状态', en: 'Scan for the live status' } },
    seal: { ring: r.seal, center: '验证报告', date: `${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日` },
    notes: [
      { zh: `本报告内附证书验证包 ${name}，可离线验证（datadeed verify）。`, en: `The attached ${name} verifies offline (datadeed verify <this file>); the live status is at:` },
      { zh: r.verifyUrl, en: r.verifyUrl },
    ],
    attachment: { name, bytes: utf8(serializeBundle(r.bundle)), mimeType: 'application/json', description: `Verification bundle of ${r.number}` },
    metadata: { title: `证书验证报告 ${r.number} / Verification report`, subject: `${r.number}: ${r.verdict.en}` },
    now: r.checkedAt,
  });
}
