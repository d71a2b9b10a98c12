/**
 * The application form (数据知识产权登记申请), validated field by field with zod.
 * A draft may be incomplete (every field optional); submission requires the
 * complete form. The same schemas feed the OpenAPI document.
 */
import { z } from '@hono/zod-openapi';
import { validateUscc } from '../certificates/uscc.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

export const usccField = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const r = validateUscc(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: `统一社会信用代码 invalid: ${r.message}` });
  })
  .openapi({ description: '18-character unified social credit code (GB 32100), check character verified', example: '91350100M000100Y43' });

export const UPDATE_FREQUENCIES = ['once', 'realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;

const Holder = z.object({ name: text(200), uscc: usccField }).strict();
const Legality = z
  .object({
    lawfulCollection: z.boolean().openapi({ description: 'The data was collected lawfully (合法来源声明)' }),
    containsPersonalInfo: z.boolean(),
    containsStateSecrets: z.boolean(),
    protectionMeasures: z.string().trim().max(5000).optional().openapi({ description: 'How personal information or sensitive data is protected' }),
  })
  .strict();
const Scale = z
  .object({ records: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), files: z.number().int().min(0).max(1e12) })
  .strict();
const TimeSpan = z.object({ from: isoDate, to: isoDate }).strict();
const Manifest = z
  .object({ root: hex64, files: z.number().int().min(1).max(1e12), bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .strict()
  .openapi({ description: 'From fingerprinting: RFC 6962 manifest root, file count and total bytes' });
const Contact = z.object({ name: text(100), phone: z.string().trim().regex(/^[+0-9 ()-]{5,30}$/, 'not a phone number'), email: z.string().trim().email().max(200) }).strict();

const fields = {
  datasetName: text(200).openapi({ description: 'Dataset name (数据名称)' }),
  holder: Holder,
  dataSource: text(2000).openapi({ description: 'Data source (数据来源)' }),
  collectionMethod: text(2000).openapi({ description: 'Collection method (采集方式)' }),
  legality: Legality,
  scale: Scale,
  structure: text(2000).openapi({ description: 'Data structure (数据结构)' }),
  format: text(200),
  updateFrequency: z.enum(UPDATE_FREQUENCIES),
  timeSpan: TimeSpan,
  processingRules: text(5000).openapi({ description: 'Processing rules / algorithms (算法规则)' }),
  scenarios: z.array(text(500)).min(1).max(20).openapi({ description: 'Application scenarios (应用场景)' }),
  industry: z.string().regex(/^[A-T](\d{2,4})?$/, 'must be a GB/T 4754 code, e.g. I or I65').openapi({ description: 'Industry classification (GB/T 4754)' }),
  manifest: Manifest,
  contact: Contact,
  evidenceDepositId: z
    .string()
    .regex(/^EV-\d{4}-\d{8}$/, 'an evidence deposit id like EV-2026-00000001')
    .optional()
    .openapi({ description: 'The evidence deposit (存证) of the manifest root; found automatically when omitted' }),
};

/** A draft: any subset of the fields, each valid where present. */
export const DraftSchema = z
  .object({
    datasetName: fields.datasetName.optional(),
    holder: Holder.partial().strict().optional(),
    dataSource: fields.dataSource.optional(),
    collectionMethod: fields.collectionMethod.optional(),
    legality: Legality.partial().strict().optional(),
    scale: Scale.partial().strict().optional(),
    structure: fields.structure.optional(),
    format: fields.format.optional(),
    updateFrequency: fields.updateFrequency.optional(),
    timeSpan: TimeSpan.partial().strict().optional(),
    processingRules: fields.processingRules.optional(),
    scenarios: fields.scenarios.optional(),
    industry: fields.industry.optional(),
    manifest: Manifest.partial().strict().optional(),
    contact: Contact.partial().strict().optional(),
    evidenceDepositId: fields.evidenceDepositId,
  })
  .strict()
  .openapi('ApplicationDraft');
export type Draft = z.infer<typeof DraftSchema>;

/** The complete form required at submission. */
export const CompleteSchema = z
  .object(fields)
  .strict()
  .superRefine((f, ctx) => {
    if (!f.legality.lawfulCollection) ctx.addIssue({ code: 'custom', path: ['legality', 'lawfulCollection'], message: 'the data must have been collected lawfully' });
    if (f.legality.containsStateSecrets) ctx.addIssue({ code: 'custom', path: ['legality', 'containsStateSecrets'], message: 'data containing state secrets cannot be registered' });
    if (f.legality.containsPersonalInfo && !f.legality.protectionMeasures)
      ctx.addIssue({ code: 'custom', path: ['legality', 'protectionMeasures'], message: 'required when the data contains personal information' });
    if (f.timeSpan.from > f.timeSpan.to) ctx.addIssue({ code: 'custom', path: ['timeSpan', 'to'], message: 'must not be before from' });
    if (f.scale.files !== f.manifest.files) ctx.addIssue({ code: 'custom', path: ['scale', 'files'], message: 'must equal the manifest file count' });
    if (f.scale.bytes !== f.manifest.bytes) ctx.addIssue({ code: 'custom', path: ['scale', 'bytes'], message: 'must equal the manifest byte count' });
  })
  .openapi('ApplicationForm');
export type CompleteForm = z.infer<typeof CompleteSchema>;

/** Merge a draft patch into a draft: top-level fields replace, nested objects merge. */
export function mergeDraft(base: Draft, patch: Draft): Draft {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...prev, ...v } : v;
  }
  return out as Draft;
}

/** The public fields of an application shown during public notice (never the sample or contact). */
export function publicFields(f: Partial<CompleteForm>) {
  return {
    datasetName: f.datasetName,
    holder: f.holder,
    dataSource: f.dataSource,
    scale: f.scale,
    format: f.format,
    updateFrequency: f.updateFrequency,
    timeSpan: f.timeSpan,
    scenarios: f.scenarios,
    industry: f.industry,
    manifest: f.manifest,
  };
}
