/**
 * The pledge registration certificate (质押登记证明) and the release notice (质押解除通知)
 * for the bank's loan file: the pledge as the log recorded it — term, pledgee, valuation
 * report hash, 中登网 number — and the receipt bundle of its entry attached (verifies
 * offline). Drawn by the certificates' document renderer and signed (PAdES).
 */
import { renderDocumentPdf } from '../../certificates/pdf/index.ts';
import { bundleFileName, serializeBundle, type Bundle, type DocumentSigner } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { localTime } from '../../time.ts';

export interface PledgeDocumentInput {
  signer?: DocumentSigner | null;
  kind: 'certificate' | 'release';
  pledge: {
    pledgeNumber: string;
    certificateNumber: string;
    term: { start: string; end: string };
    recordedAt: string;
    recordedLogIndex: number;
    releasedAt: string | null;
    releasedLogIndex: number | null;
    valuationReportHash: string | null;
    zhongdengNumber: string | null;
  };
  pledgee: string;
  holder: { name: string; uscc: string };
  dataset: string;
  leafHash: string;
  checkpoint: { origin: string; size: number };
  bundle: Bundle;
  issuer: { zh: string; en: string };
  seal: string;
  publicUrl: string;
  timeZone: string;
  now: Date;
}

const at = (iso: string, tz: string) => {
  const l = localTime(new Date(iso), tz);
  return `${l.date} ${l.time} (UTC${l.offset})`;
};

export async function renderPledgeDocumentPdf(input: PledgeDocumentInput): Promise<Uint8Array> {
  const p = input.pledge;
  const release = input.kind === 'release';
  const when = release ? p.releasedAt! : p.recordedAt;
  const day = localTime(new Date(when), input.timeZone).date;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(p.certificateNumber)}`;
  const name = bundleFileName(p.pledgeNumber);
  return renderDocumentPdf({
    signer: input.signer ?? null,
    issuer: input.issuer,
    title: release ? { zh: '数据知识产权质押解除通知', en: 'Data IP Pledge Release Notice' } : { zh: '数据知识产权质押登记证明', en: 'Data IP Pledge Registration Certificate' },
    id: { label: { zh: '质押登记编号', en: 'Pledge No.' }, value: p.pledgeNumber },
    statement: release
      ? { zh: '下列质押已由质权人解除，解除已登记于公开透明日志。', en: 'The pledge below was released by the pledgee; the release is recorded in the public transparency log.' }
      : { zh: '兹证明下列数据知识产权质押已经出质人同意并办理登记。', en: 'This certifies that the pledge of data intellectual property below was consented to by the pledgor and registered.' },
    fields: [
      { zh: '证书编号', en: 'Certificate', value: `${p.certificateNumber} · ${input.dataset}` },
      { zh: '出质人', en: 'Pledgor (holder)', value: `${input.holder.name} (${input.holder.uscc})` },
      { zh: '质权人', en: 'Pledgee', value: input.pledgee },
      { zh: '质押期限', en: 'Pledge term', value: `${p.term.start} — ${p.term.end}` },
      { zh: '评估报告哈希', en: 'Valuation report (SHA-256)', value: p.valuationReportHash ?? '—' },
      { zh: '中登网登记编号', en: 'Zhongdeng registration', value: p.zhongdengNumber ?? '—' },
      { zh: '登记时间', en: 'Registered at', value: `${at(p.recordedAt, input.timeZone)} · #${p.recordedLogIndex}` },
      ...(release && p.releasedAt ? [{ zh: '解除时间', en: 'Released at', value: `${at(p.releasedAt, input.timeZone)} · #${p.releasedLogIndex}` }] : []),
      { zh: '日志位置', en: 'Log', value: `${input.checkpoint.origin} · size ${input.checkpoint.size}` },
    ],
    fingerprint: { label: { zh: '日志条目叶子哈希', en: 'Log entry leaf hash' }, hex: input.leafHash },
    qr: { url, caption: { zh: '扫码查验证书状态', en: 'Scan to check the status' } },
    seal: { ring: input.seal, center: release ? '质押解除' : '质押登记', date: `${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日` },
    notes: [
      { zh: `内附 ${name}，可离线验证（datadeed verify）。`, en: `The attached ${name} verifies offline (datadeed verify <this file>); the live status is at:` },
      { zh: url, en: url },
    ],
    attachment: { name, bytes: utf8(serializeBundle(input.bundle)), mimeType: 'application/json', description: `${release ? 'Release' : 'Pledge'} receipt ${p.pledgeNumber}` },
    metadata: { title: release ? `数据知识产权质押解除通知 ${p.pledgeNumber}` : `数据知识产权质押登记证明 ${p.pledgeNumber}`, subject: `${p.pledgeNumber}: ${p.certificateNumber}` },
    now: input.now,
  });
}
