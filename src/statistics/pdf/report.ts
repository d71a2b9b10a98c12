/**
 * The statistics report PDF (数据知识产权登记统计报告) for a period: the figures the replay
 * computed at the named checkpoint, the amounts the registry states (marked as its
 * statement: the log holds only their commitments), and the signed statistics JSON
 * attached inside. Drawn by the certificates' document renderer and signed (PAdES) with
 * the registry's document key like every other PDF.
 */
import { renderDocumentPdf } from '../../certificates/pdf/index.ts';
import type { DocumentSigner } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { localTime } from '../../time.ts';
import type { Statistics } from '../statistics.ts';
import { INDUSTRY_SECTIONS, PROVINCES } from '../regions.ts';

type Bilingual = { zh: string; en: string };

export interface StatisticsReportInput {
  signer?: DocumentSigner | null;
  statistics: Statistics;
  /** The registry's statement of amounts (not recomputable from the log). */
  amounts: { pledgedAmounts: { currency: string; total: string; count: number }[]; insuredAmounts: { currency: string; total: string; count: number }[] };
  checkpoint: { origin: string; size: number; rootHash: string };
  /** The signed statistics document (datadeed-signed-json/1), attached. */
  signedJson: string;
  issuer: Bilingual;
  seal: string;
  publicUrl: string;
  now: Date;
}

const top = <T extends { certificates: number }>(rows: T[], key: (r: T) => string, n = 4) =>
  [...rows]
    .sort((a, b) => b.certificates - a.certificates)
    .slice(0, n)
    .map((r) => `${key(r)} ${r.certificates}`)
    .join('; ') || '—';

export async function renderStatisticsReportPdf(input: StatisticsReportInput): Promise<Uint8Array> {
  const s = input.statistics;
  const c = s.certificates;
  const period = `${s.period.from ?? '…'} — ${s.period.to ?? (s.asOf ? localTime(new Date(s.asOf), s.timeZone).date : '…')}`;
  const id = `STAT-${input.checkpoint.size}`;
  const money = (rows: { currency: string; total: string; count: number }[]) => rows.map((r) => `${r.total} ${r.currency} (${r.count})`).join('; ') || '0';
  const today = localTime(input.now, s.timeZone).date;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/statistics?at=${input.checkpoint.size}`;
  const byState = Object.entries(s.applications.byState)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return renderDocumentPdf({
    signer: input.signer ?? null,
    issuer: input.issuer,
    title: { zh: '数据知识产权登记统计报告', en: 'Data IP Registration Statistics Report' },
    id: { label: { zh: '日志检查点', en: 'Checkpoint' }, value: id },
    statement: {
      zh: `统计期间 ${period}。以下数字由日志前 ${s.treeSize} 条条目重放计算，任何持有日志者均可复算；金额为登记机构声明。`,
      en: `Period ${period}. Figures recomputed by replaying the first ${s.treeSize} log entries (anyone with the log gets the same); amounts are the registry's statement.`,
    },
    fields: [
      { zh: '申请（按状态）', en: 'Applications by state', value: `${s.applications.submitted} submitted · ${byState || '—'}` },
      { zh: '证书 发放/有效', en: 'Certificates issued / in force', value: `${c.issued} issued (${c.initial} initial, ${c.changes} changes, ${c.renewals} renewals, ${c.transfers} transfers) · ${c.inForce} in force` },
      { zh: '证书 撤销/到期', en: 'Revoked / expired', value: `${c.revoked} revoked · ${c.expired} expired · ${c.cancelled} cancelled · ${c.superseded} superseded` },
      { zh: '质押 登记/解除', en: 'Pledges recorded / released', value: `${s.pledges.recorded} recorded · ${s.pledges.released} released · ${s.pledges.current} current · ${s.pledges.pledgedFirms} firms` },
      { zh: '许可与转让', en: 'Licences and transfers', value: `${s.licences.recorded} licences (${s.licences.exclusive} exclusive) · ${c.transfers} transfers` },
      { zh: '保险', en: 'Insurance', value: `${s.insurance.policies} policies · ${s.insurance.insuredFirms} insured firms` },
      { zh: '按月（证书）', en: 'By month (certificates)', value: s.byMonth.map((m) => `${m.month} ${m.certificates}`).join('; ') || '—' },
      { zh: '按行业（证书）', en: 'By industry (certificates)', value: top(s.byIndustry, (r) => `${r.section} ${INDUSTRY_SECTIONS[r.section]?.en ?? 'unknown'}`) },
      { zh: '按地区（证书）', en: 'By region (certificates)', value: top(s.byRegion, (r) => `${PROVINCES[r.province]?.zh ?? '其他'} ${PROVINCES[r.province]?.en ?? 'other'}`) },
      { zh: '质押金额（机构声明）', en: 'Pledged amounts (registry statement)', value: `${money(input.amounts.pledgedAmounts)} — registry statement, not in the log` },
      { zh: '承保金额（机构声明）', en: 'Insured amounts (registry statement)', value: `${money(input.amounts.insuredAmounts)} — registry statement, not in the log` },
      { zh: '检查点', en: 'Checkpoint', value: `${input.checkpoint.origin} · size ${input.checkpoint.size} · anomalies ${s.anomalies}` },
    ],
    fingerprint: { label: { zh: '检查点根哈希', en: 'Checkpoint root hash' }, hex: input.checkpoint.rootHash },
    qr: { url, caption: { zh: '扫码查看统计', en: 'Scan for the statistics' } },
    seal: { ring: input.seal, center: '统计报告', date: `${today.slice(0, 4)}年${today.slice(5, 7)}月${today.slice(8, 10)}日` },
    notes: [
      { zh: '内附 statistics.json：登记机构签名的统计与金额声明；按日志重放即可复算统计数字。', en: 'The attached statistics.json is the signed statistics and amount statement; replay the log to recompute the figures.' },
      { zh: url, en: url },
    ],
    attachment: { name: 'statistics.json', bytes: utf8(input.signedJson), mimeType: 'application/json', description: `Signed statistics at checkpoint ${input.checkpoint.size}` },
    metadata: { title: `数据知识产权登记统计报告 / Registration statistics ${period}`, subject: `${id}: ${period}` },
    now: input.now,
  });
}
