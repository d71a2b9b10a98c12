/**
 * The 数据资产入表 disclosure PDF (bilingual): the facts of a certificate's disclosure pack
 * (财会〔2023〕11号), each with the log entry that states it, and the signed pack attached —
 * every fact verifies offline from the attachment with the log's key alone. Drawn by the
 * certificates' document renderer and signed with the document key (PAdES).
 */
import { renderDocumentPdf } from '../../certificates/pdf/index.ts';
import type { DocumentSigner } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { localTime } from '../../time.ts';
import type { DisclosurePack } from '../disclosure.ts';

export interface DisclosurePdfInput {
  signer?: DocumentSigner | null;
  pack: DisclosurePack;
  /** The signed pack (datadeed-signed-json/1), attached. */
  signedJson: string;
  holder: { name: string; uscc: string };
  dataset: string;
  manifestRoot: string;
  issuer: { zh: string; en: string };
  seal: string;
  publicUrl: string;
  timeZone: string;
  now: Date;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(text).join('；') : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k} ${text(x)}`).join(', ') : String(v));

export async function renderDisclosurePdf(input: DisclosurePdfInput): Promise<Uint8Array> {
  const { pack } = input;
  const fact = (key: string) => pack.facts.find((f) => f.key === key);
  const at = (key: string) => `#${fact(key)?.proof.index ?? '—'}`;
  const f = pack.form;
  const lic = pack.facts.filter((x) => x.key === 'licence');
  const pl = pack.facts.filter((x) => x.key === 'pledge');
  const released = new Set(pack.facts.filter((x) => x.key === 'pledgeRelease').map((x) => x.value.pledgeNumber));
  const day = localTime(input.now, input.timeZone).date;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(pack.number)}`;
  const validity = fact('validity')?.value ?? {};
  const v = (iso: unknown) => (typeof iso === 'string' ? localTime(new Date(iso), input.timeZone).date : '—');
  return renderDocumentPdf({
    signer: input.signer ?? null,
    issuer: input.issuer,
    title: { zh: '数据资产入表披露包', en: 'Data Asset Disclosure Pack' },
    id: { label: { zh: '证书编号', en: 'Certificate' }, value: pack.number },
    statement: {
      zh: '依财会〔2023〕11号披露要求列示下列事项；每项附其日志条目，内附签名披露包可离线逐项验证。',
      en: 'The facts below, as 财会〔2023〕11号 asks them disclosed, each with the log entry stating it; the attached signed pack verifies each one offline.',
    },
    fields: [
      { zh: '持有人 / 登记号', en: 'Holder / Reg. No.', value: `${input.holder.name} (${input.holder.uscc}) · ${pack.registrationNumber ?? '—'} ${at('ownership')}` },
      { zh: '数据类型', en: 'Data type', value: `${input.dataset} · ${f.format} · ${f.structure} · ${f.industry} ${at('dataType')}` },
      { zh: '数据规模', en: 'Scale', value: `${f.scale.records} records · ${f.scale.files} files · ${f.scale.bytes} bytes ${at('scale')}` },
      { zh: '来源与权属', en: 'Source and ownership', value: `${f.dataSource} · ${f.collectionMethod} ${at('source')}` },
      { zh: '加工处理', en: 'Processing', value: `${f.processingRules} ${at('processing')}` },
      { zh: '应用场景', en: 'Application scenarios', value: `${text(f.scenarios)} ${at('scenarios')}` },
      { zh: '有效期与限制', en: 'Validity and restrictions', value: `${v(validity.validFrom)} — ${v(validity.validUntil)}${f.sourceAgreementEnd ? ` · agreement ends ${f.sourceAgreementEnd}` : ''} ${at('validity')}` },
      {
        zh: '许可',
        en: 'Licences',
        value: lic.length ? lic.map((l) => `${text(l.value.licensee)} ${l.value.exclusive ? 'exclusive' : 'non-exclusive'} ${text(l.value.termStart)}—${text(l.value.termEnd)} #${l.proof.index}`).join('; ') : '—',
      },
      {
        zh: '质押',
        en: 'Pledges',
        value: pl.length ? pl.map((p) => `${text(p.value.pledgeNumber)} ${text(p.value.pledgeeName)} ${text(p.value.termStart)}—${text(p.value.termEnd)}${released.has(p.value.pledgeNumber) ? ' released' : ''} #${p.proof.index}`).join('; ') : '—',
      },
      { zh: '日志检查点', en: 'Checkpoint', value: `size ${pack.treeSize} · ${pack.facts.length} facts, each with its inclusion proof` },
    ],
    fingerprint: { label: { zh: '数据清单根哈希', en: 'Manifest root (SHA-256)' }, hex: input.manifestRoot },
    qr: { url, caption: { zh: '扫码查验证书状态', en: 'Scan to check the status' } },
    seal: { ring: input.seal, center: '入表披露', date: `${day.slice(0, 4)}年${day.slice(5, 7)}月${day.slice(8, 10)}日` },
    notes: [
      { zh: '内附 disclosure.json：登记机构签名的披露包，每项事实附日志条目与包含证明，可离线验证。', en: 'The attached disclosure.json is the signed pack: each fact carries its log entry and inclusion proof and verifies offline.' },
      { zh: url, en: url },
    ],
    attachment: { name: 'disclosure.json', bytes: utf8(input.signedJson), mimeType: 'application/json', description: `Disclosure pack of ${pack.number}` },
    metadata: { title: `数据资产入表披露包 ${pack.number} / Data asset disclosure pack`, subject: `${pack.number}: 财会〔2023〕11号` },
    now: input.now,
  });
}
