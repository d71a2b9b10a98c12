/**
 * The commands the registry takes from outside, as plain zod schemas — one
 * definition used by the API routes (src/api/routes, which attach OpenAPI names in
 * src/api/schemas.ts), the pages (src/api/pages) and the registry services, which
 * parse their input again before writing anything. Field rules: src/fields.ts and
 * ./fields.ts; the application form: ./form.ts. Accounts and evidence deposits, which
 * sit beneath the registry, have their own (src/accounts/commands.ts,
 * src/evidence/commands.ts).
 */
import { z } from 'zod';
import { calendarDate, fieldIssues, hex64, lineField, recordId, textField, usccField } from '../fields.ts';
import { RegistryError } from './errors.ts';
import { moneyField, TERM_DATES, termField } from './fields.ts';

// ------------------------------------------------------------------ applications

/** A reviewer's request for changes. */
export const CommentSchema = z.object({ comment: textField(5000) }).strict();
/** A reason for a rejection, a revocation or a decision on an objection. */
export const ReasonSchema = z.object({ reason: textField(2000) }).strict();

/** An objection (异议) filed by anyone during public notice. */
export const ObjectionSchema = z
  .object({
    name: lineField(200),
    contact: lineField(200, 3),
    grounds: textField(10000, 10),
    evidenceHash: hex64.optional(),
    interest: textField(2000).optional().describe('The objector’s interest in the registration (利害关系); required where only interested parties may object'),
  })
  .strict();
export type ObjectionCommand = z.infer<typeof ObjectionSchema>;

/**
 * What one objector may file (issue 15, finding 7: anonymous objections ran at 312/s, each
 * a permanent log entry). An objection with the contact (compared case-insensitively) and
 * grounds of one already filed on the application — open or decided — is a duplicate
 * (`duplicate_objection`). At most `perAddress` objections from one client address, and
 * `perApplication` in all, may be open on one application at a time (`too_many_objections`);
 * the reviewer's decisions free the places.
 */
export const OBJECTION_LIMITS = { perAddress: 3, perApplication: 20 } as const;

// ------------------------------------------------------------------ encumbrances

/** A 中登网 (动产融资统一登记公示系统) registration number: digits, capitals and hyphens. */
export const zhongdengNumber = z.string().trim().regex(/^[0-9A-Z-]{8,40}$/, 'not a 中登网 registration number (8–40 digits, capital letters or hyphens)');

/**
 * A bank's pledge request (质押登记): the loan, the secured amount, the pledge term, the
 * SHA-256 of the valuation report (评估报告) and, when the bank registered the pledge there
 * too, the 中登网 registration number.
 */
export const PledgeSchema = z
  .object({
    loanReference: lineField(100),
    amount: moneyField,
    term: termField,
    valuationReportHash: hex64.optional().describe('SHA-256 of the valuation report (评估报告)'),
    zhongdengNumber: zhongdengNumber.optional().describe('Registration number at 动产融资统一登记公示系统 (中登网)'),
  })
  .strict();

/** What a pledgee may consent to (pledge.consent_recorded). */
export const CONSENT_ACTIONS = ['change', 'licence', 'transfer'] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];
/** A pledgee's consent to one change, licence or transfer of its pledged certificate. */
export const PledgeConsentSchema = z.object({ action: z.enum(CONSENT_ACTIONS) }).strict();
export type PledgeCommand = z.infer<typeof PledgeSchema>;

/** A licence (许可) the holder records. */
export const LicenceSchema = z
  .object({ licensee: lineField(200), licenseeUscc: usccField.optional(), scope: textField(2000), term: termField, exclusive: z.boolean() })
  .strict();
export type LicenceCommand = z.infer<typeof LicenceSchema>;

export const COVERAGE_TYPES = ['infringement', 'loss', 'liability', 'pledge_credit', 'other'] as const;
/** An insurance policy (数据知识产权保险) an insurer records. */
export const PolicySchema = z
  .object({ policyNumber: lineField(100), insuredAmount: moneyField, term: termField, coverageType: z.enum(COVERAGE_TYPES) })
  .strict();
export type PolicyCommand = z.infer<typeof PolicySchema>;

/** A transfer (转让) to another organisation. */
export const TransferSchema = z.object({ toOrgId: recordId }).strict();

// ------------------------------------------------------------------ search

/**
 * Search of the register (登记公告) and of the notices (公示): dataset name and holder name
 * (substrings, case-insensitive), the holder's 统一社会信用代码, the industry (a GB/T 4754
 * code: the class and everything under it) and a date range (issue or notice date, in the
 * registry's time zone, both ends included).
 */
export const SearchSchema = z
  .object({
    name: lineField(200).optional(),
    holder: lineField(200).optional(),
    uscc: usccField.optional(),
    industry: z.string().regex(/^[A-T](\d{2,4})?$/, 'must be a GB/T 4754 code, e.g. I or I65').optional(),
    from: calendarDate(TERM_DATES).optional(),
    to: calendarDate(TERM_DATES).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });
export type SearchQuery = z.infer<typeof SearchSchema>;

// ------------------------------------------------------------------ parsing

/**
 * Parses a command with its schema, before anything is written.
 * @throws RegistryError `invalid_field` with each failing field's path in `details`.
 */
export function parseCommand<S extends z.ZodType>(schema: S, input: unknown, what = 'the request'): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new RegistryError('invalid_field', `${what} has invalid fields`, fieldIssues(r.error));
  return r.data;
}
