/**
 * The application form (数据知识产权登记申请), validated field by field with plain zod.
 * A draft may be incomplete (every field optional); submission requires the
 * complete form. The API routes and the pages use these schemas alike; src/api
 * attaches their OpenAPI names and examples. Names (dataset, holder) follow the
 * certificate payload's own rule, so an accepted form always makes a valid
 * certificate.
 */
import { z } from 'zod';
import { depositId } from '../evidence/index.ts';
import { calendarDate, hex64, lineField, nameField, textField, usccField } from '../fields.ts';
import { DATA_DATES, TERM_DATES } from './fields.ts';
import { DATA_SOURCE_TYPES } from './numbering.ts';

export const UPDATE_FREQUENCIES = ['once', 'realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;

const Holder = z.object({ name: nameField(), uscc: usccField }).strict();
const Legality = z
  .object({
    lawfulCollection: z.boolean().describe('The data was collected lawfully (合法来源声明)'),
    containsPersonalInfo: z.boolean(),
    containsStateSecrets: z.boolean(),
    protectionMeasures: textField(5000, 0).optional().describe('How personal information or sensitive data is protected'),
  })
  .strict();
const Scale = z
  .object({ records: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), files: z.number().int().min(0).max(1e12) })
  .strict();
const TimeSpan = z.object({ from: calendarDate(DATA_DATES), to: calendarDate(DATA_DATES) }).strict();
const Manifest = z
  .object({ root: hex64, files: z.number().int().min(1).max(1e12), bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .strict()
  .describe('From fingerprinting: RFC 6962 manifest root, file count and total bytes');
const Contact = z
  .object({ name: lineField(100), phone: z.string().trim().regex(/^[+0-9 ()-]{5,30}$/, 'not a phone number'), email: z.string().trim().email().max(200) })
  .strict();

const fields = {
  datasetName: nameField().describe('Dataset name (数据名称)'),
  holder: Holder,
  dataSource: textField(2000).describe('Data source (数据来源)'),
  collectionMethod: textField(2000).describe('Collection method (采集方式)'),
  legality: Legality,
  scale: Scale,
  structure: textField(2000).describe('Data structure (数据结构)'),
  format: lineField(200),
  updateFrequency: z.enum(UPDATE_FREQUENCIES),
  timeSpan: TimeSpan,
  processingRules: textField(5000).describe('Processing rules / algorithms (算法规则)'),
  scenarios: z.array(lineField(500)).min(1).max(20).describe('Application scenarios (应用场景)'),
  industry: z.string().regex(/^[A-T](\d{2,4})?$/, 'must be a GB/T 4754 code, e.g. I or I65').describe('Industry classification (GB/T 4754)'),
  manifest: Manifest,
  contact: Contact,
  evidenceDepositId: depositId.optional().describe('The evidence deposit (存证) of the manifest root; found automatically when omitted'),
  dataSourceType: z
    .enum(DATA_SOURCE_TYPES as [string, ...string[]])
    .optional()
    .describe('How the holder obtained the data (the data-source code of the 登记号): own, licensed, purchased, public, other'),
  sourceAgreementEnd: calendarDate(TERM_DATES)
    .optional()
    .describe('End of the data-source agreement (数据来源协议): the certificate is valid no longer (Beijing Art. 13)'),
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
    dataSourceType: fields.dataSourceType,
    sourceAgreementEnd: fields.sourceAgreementEnd,
  })
  .strict();
export type Draft = z.infer<typeof DraftSchema>;

/**
 * A draft started from the new-application page: the dataset's name, its holder and
 * its fingerprint are required there (the rest of the form follows as a draft).
 */
export const NewApplicationSchema = DraftSchema.extend({ datasetName: fields.datasetName, holder: Holder, manifest: Manifest });

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
  });
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
    dataSourceType: f.dataSourceType,
    sourceAgreementEnd: f.sourceAgreementEnd,
  };
}
