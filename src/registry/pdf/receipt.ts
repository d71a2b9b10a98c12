/**
 * The pledge receipt PDF (质押登记回执) for the pledgee's loan file: the pledge as the
 * log recorded it, the secured amount and its commitment (the log holds only the
 * commitment), the checkpoint that includes the entry, and the receipt bundle attached
 * inside (it verifies offline with the log's key alone). Drawn by the certificates'
 * document renderer; the issuer and seal are the registry authority's. Times in the
 * registry's time zone.
 */
import { attestedFields, renderDocumentPdf, type AttestedBy } from '../../certificates/pdf/index.ts';
import type { DocumentSigner } from '../../certificates/index.ts';

type Bilingual = { zh: string; en: string };
import { bundleFileName, serializeBundle, type Bundle } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { localTime } from '../../time.ts';

export interface PledgeReceiptPdfInput {
  /** The registry's document signer (PAdES); absent renders an unsigned receipt. */
  signer?: DocumentSigner | null;
  pledge: {
    pledgeNumber: string;
    certificateNumber: string;
    loanReference: string;
    amount: { value: string; currency: string };
    term: { start: string; end: string };
    recordedAt: string;
    logIndex: number;
    /** SHA-256 of JCS {currency, nonce, value}: what the log entry holds instead of the amount. */
    amountCommitment?: string;
    amountNonce?: string;
  };
  pledgee: string;
  holder: { name: string; uscc: string | null };
  dataset: string;
  checkpoint: { origin: string; size: number; time: string };
  /** The entry's leaf hash (hex). */
  leafHash: string;
  bundle: Bundle;
  /** The registry authority (issuer) and its seal text. */
  issuer: Bilingual;
  seal: string;
  publicUrl: string;
  timeZone: string;
  /** Independent witnesses, time-stamp and notaries to name (issue 17). */
  attestedBy?: AttestedBy;
  now: Date;
}

const at = (iso: string, timeZone: string) => {
  const l = localTime(new Date(iso), timeZone);
  return `${l.date} ${l.time} (UTC${l.offset})`;
};

export async function renderPledgeReceiptPdf(input: PledgeReceiptPdfInput): Promise<Uint8Array> {
  const p = input.pledge;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(p.certificateNumber)}`;
  const day = localTime(new Date(p.recordedAt), input.timeZone).date;
  const zhDate = `${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日`;
  const name = bundleFileName(p.pledgeNumber);
  return renderDocumentPdf({
    signer: input.signer ?? null,
    issuer: input.issuer,
    title: { zh: '数据知识产权质押登记回执', en: 'Data IP Pledge Registration Receipt' },
    id: { label: { zh: '质押登记编号', en: 'Pledge No.' }, value: p.pledgeNumber },
    statement: {
      zh: '下列质押经出质人同意，已于所示时间登记于公开透明日志。',
      en: 'The pledge below was consented to by the pledgor and recorded in the public transparency log at the time shown.',
    },
    fields: [
      { zh: '证书编号', en: 'Certificate', value: `${p.certificateNumber} · ${input.dataset}` },
      { zh: '出质人', en: 'Pledgor (holder)', value: input.holder.uscc ? `${input.holder.name} (${input.holder.uscc})` : input.holder.name },
      { zh: '质权人', en: 'Pledgee', value: input.pledgee },
      { zh: '贷款编号', en: 'Loan reference', value: p.loanReference },
      { zh: '担保金额', en: 'Secured amount', value: `${p.amount.value} ${p.amount.currency}` },
      { zh: '质押期限', en: 'Term', value: `${p.term.start} — ${p.term.end}` },
      { zh: '登记时间', en: 'Recorded at', value: at(p.recordedAt, input.timeZone) },
      { zh: '日志位置', en: 'Log entry', value: `#${p.logIndex} · ${input.checkpoint.origin} · size ${input.checkpoint.size} · leaf ${input.leafHash.slice(0, 16)}…` },
      ...(p.amountNonce ? [{ zh: '承诺随机数', en: 'Commitment nonce', value: p.amountNonce }] : []),
      ...attestedFields(input.attestedBy),
    ],
    fingerprint: p.amountCommitment
      ? { label: { zh: '金额承诺（SHA-256）', en: 'Amount commitment (SHA-256)' }, hex: p.amountCommitment }
      : { label: { zh: '日志条目叶子哈希', en: 'Log entry leaf hash' }, hex: input.leafHash },
    qr: { url, caption: { zh: '扫码查验证书状态', en: 'Scan to check the status' } },
    seal: { ring: input.seal, center: '质押登记', date: zhDate },
    notes: [
      { zh: `本回执内附 ${name}，可离线验证（datadeed verify）。`, en: `The attached ${name} verifies offline (datadeed verify <this file>); the live status is at:` },
      { zh: url, en: url },
    ],
    attachment: { name, bytes: utf8(serializeBundle(input.bundle)), mimeType: 'application/json', description: `Pledge receipt ${p.pledgeNumber}` },
    metadata: { title: `数据知识产权质押登记回执 ${p.pledgeNumber} / Pledge receipt`, subject: `${p.pledgeNumber}: ${p.certificateNumber}` },
    now: input.now,
  });
}
