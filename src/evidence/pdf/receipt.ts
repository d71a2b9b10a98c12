/** The evidence receipt PDF (存证证书), drawn by the certificate document renderer. */
import { attestedFields, renderDocumentPdf, DEFAULT_ISSUER, type AttestedBy } from '../../certificates/pdf/index.ts';
import { DEFAULT_TIME_ZONE, localTime } from '../../time.ts';
import { bundleFileName, type Bundle, type DocumentSigner, serializeBundle } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';

const KIND_LABELS: Record<string, string> = {
  manifest: '数据集清单根 dataset manifest root',
  file: '文件哈希 file hash',
  snapshot: '数据快照 snapshot',
  document: '文档 document',
  other: '其他 other',
};

export interface ReceiptPdfInput {
  deposit: { id: string; digest: string; kind: string; depositedAt: string; logIndex: number; files: number | null; bytes: number | null };
  depositor: { name: string; uscc: string | null };
  checkpoint: { origin: string; size: number; time: string };
  bundle: Bundle;
  publicUrl: string;
  now: Date;
  /** The registry's document signer (PAdES); null renders an unsigned receipt. */
  signer: DocumentSigner | null;
  /** The issuing authority (DATADEED_AUTHORITY_NAME, …_EN; default {@link DEFAULT_ISSUER}) and its seal text (DATADEED_SEAL_TEXT). */
  issuer?: { zh: string; en: string };
  seal?: string;
  /** The registry's time zone for the times shown (DATADEED_TIMEZONE; default Asia/Shanghai). */
  timeZone?: string;
  /** Independent witnesses, time-stamp and notaries to name. */
  attestedBy?: AttestedBy;
}

/** An instant as `YYYY-MM-DD HH:mm (UTC+08:00)` in the zone. */
function at(iso: string, timeZone: string): string {
  const l = localTime(new Date(iso), timeZone);
  return `${l.date} ${l.time} (UTC${l.offset})`;
}

export async function renderReceiptPdf(input: ReceiptPdfInput): Promise<Uint8Array> {
  const d = input.deposit;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/verify/evidence/${encodeURIComponent(d.id)}`;
  const tz = input.timeZone ?? DEFAULT_TIME_ZONE;
  const issuer = input.issuer ?? DEFAULT_ISSUER;
  const date = localTime(new Date(d.depositedAt), tz).date;
  const zhDate = `${date.slice(0, 4)}年${date.slice(5, 7)}月${date.slice(8, 10)}日`;
  return renderDocumentPdf({
    issuer,
    title: { zh: '数据存证证书', en: 'Data Evidence Deposit Certificate' },
    id: { label: { zh: '存证编号', en: 'Deposit No.' }, value: d.id },
    statement: {
      zh: '下列数字指纹已于所示时间记录于公开透明日志，原始数据未离开存证人。',
      en: 'The digital fingerprint below was recorded in the public transparency log at the time shown; the data itself never left the depositor.',
    },
    fields: [
      { zh: '存证人', en: 'Depositor', value: input.depositor.name },
      ...(input.depositor.uscc ? [{ zh: '统一社会信用代码', en: 'Unified Social Credit Code', value: input.depositor.uscc }] : []),
      { zh: '存证类型', en: 'Kind', value: KIND_LABELS[d.kind] ?? d.kind },
      { zh: '存证时间', en: 'Deposited at', value: at(d.depositedAt, tz) },
      { zh: '包含检查点', en: 'Included in checkpoint', value: `${input.checkpoint.origin} · size ${input.checkpoint.size} · ${at(input.checkpoint.time, tz)}` },
      { zh: '日志位置', en: 'Log entry', value: `#${d.logIndex}` },
      ...(d.files !== null ? [{ zh: '文件数量', en: 'Files', value: String(d.files) }] : []),
      ...attestedFields(input.attestedBy),
    ],
    fingerprint: { label: { zh: '数据指纹（SHA-256）', en: 'Fingerprint (SHA-256)' }, hex: d.digest },
    qr: { url, caption: { zh: '扫码在线验证', en: 'Scan to verify' } },
    seal: { ring: input.seal ?? issuer.zh.replace(/^DataDeed\s*/, ''), center: '存证专用章', date: zhDate },
    notes: [
      { zh: `本证书内附存证凭证 ${bundleFileName(d.id)}，可离线验证。`, en: `The attached ${bundleFileName(d.id)} verifies offline (datadeed verify <this file>) or online at:` },
      { zh: url, en: url },
    ],
    attachment: { name: bundleFileName(d.id), bytes: utf8(serializeBundle(input.bundle)), mimeType: 'application/json', description: `DataDeed evidence receipt ${d.id}` },
    metadata: { title: `数据存证证书 ${d.id} / Data Evidence Deposit Certificate`, subject: `${d.id}: ${d.digest}` },
    now: input.now,
    signer: input.signer,
  });
}
