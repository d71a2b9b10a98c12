/**
 * The domains' command schemas (src/registry, src/accounts, src/evidence: plain zod)
 * as the API documents them: OpenAPI component names and examples are attached here,
 * at the HTTP edge, never in a domain. Validation is the domains' own, unchanged — the
 * routes validate with these schemas, the pages and services with the originals, and
 * both are the same rules. Also the path and query parameters the routes share.
 */
import { z } from '@hono/zod-openapi';
import { OrganisationSchema, TokenSchema, UserSchema } from '../accounts/index.ts';
import { AttestSchema, DepositSchema, depositId } from '../evidence/index.ts';
import { accountRef, hex64, instantField, lineField, recordId } from '../fields.ts';
import {
  certificateNumber,
  CommentSchema,
  DraftSchema,
  LicenceSchema,
  ObjectionSchema,
  PledgeConsentSchema,
  PledgeSchema,
  PolicySchema,
  ReasonSchema,
  TransferSchema,
} from '../registry/index.ts';

type OpenApiMethod = (this: z.ZodType, refId: string, metadata?: Record<string, unknown>) => z.ZodType;

/**
 * `schema.openapi(refId, metadata)`: the schema as an OpenAPI component with its name
 * and example. zod 4 copies prototype methods onto a schema when the schema is made,
 * and the registry's schemas may be made before @hono/zod-openapi adds `openapi` to
 * zod's prototype (start-up imports the registry first), so the method is taken from
 * the prototype rather than from the schema.
 */
function documented<T extends z.ZodType>(schema: T, refId: string, metadata: Record<string, unknown> = {}): T {
  return (z.ZodType.prototype.openapi as unknown as OpenApiMethod).call(schema, refId, metadata) as T;
}

const USCC_EXAMPLE = '91350100M000100Y43';
const TERM_EXAMPLE = { start: '2026-02-01', end: '2027-01-31' };

// ------------------------------------------------------------------ bodies

export const ApplicationDraftBody = documented(DraftSchema, 'ApplicationDraft', {
  description: 'Any subset of the application form (数据知识产权登记申请); each field given must be valid.',
  example: {
    datasetName: '鄂尔多斯盆地钻井记录 Ordos drilling records',
    holder: { name: '示例能源科技有限公司', uscc: USCC_EXAMPLE },
    updateFrequency: 'monthly',
    timeSpan: { from: '2019-01-01', to: '2024-12-31' },
  },
});
export const CommentBody = documented(CommentSchema, 'Comment', { example: { comment: 'Please describe the collection method in more detail.' } });
export const ReasonBody = documented(ReasonSchema, 'Reason', { example: { reason: 'The data source is not documented.' } });
export const ObjectionBody = documented(ObjectionSchema, 'Objection', {
  example: { name: '李四', contact: 'li.si@example.com', grounds: 'The dataset includes records we collected and hold (see evidence).', evidenceHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
});
export const PledgeBody = documented(PledgeSchema, 'PledgeRequest', {
  example: {
    loanReference: 'LOAN-2026-0042',
    amount: { value: '5000000.00', currency: 'CNY' },
    term: TERM_EXAMPLE,
    valuationReportHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    zhongdengNumber: '06123456000123456789',
  },
});
export const PledgeConsentBody = documented(PledgeConsentSchema, 'PledgeConsent', {
  description: 'The pledgee consents to one change, licence or transfer of its pledged certificate (pledge.consent_recorded).',
  example: { action: 'licence' },
});
export const LicenceBody = documented(LicenceSchema, 'Licence', {
  example: { licensee: 'Acme Analytics Ltd.', scope: 'Model training, China only', term: TERM_EXAMPLE, exclusive: false },
});
export const PolicyBody = documented(PolicySchema, 'InsurancePolicy', {
  example: { policyNumber: 'POL-2026-0007', insuredAmount: { value: '2000000.00', currency: 'CNY' }, term: TERM_EXAMPLE, coverageType: 'infringement' },
});
export const TransferBody = documented(TransferSchema, 'Transfer');
export const DepositBody = documented(DepositSchema, 'DepositRequest', {
  example: { items: [{ digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', kind: 'manifest', title: 'Ordos drilling records, 2024 release', files: 3, bytes: 1048576 }] },
});
export const AttestBody = documented(AttestSchema, 'AttestationRequest', {
  example: {
    digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    notarialNumber: '(2026)京长安内经证字第01234号',
    attestedAt: '2026-11-30T02:00:00Z',
    notaryKey: 'notary.example/witness+1a2b3c4d+BLuTj3ZvbPkiB0Zn/X33HFhg7Nd4x7mwjpSWvwlVOxwY',
    signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==',
  },
});
export const NewOrganisationBody = documented(OrganisationSchema, 'NewOrganisation', { example: { name: '示例能源科技有限公司', kind: 'enterprise', uscc: USCC_EXAMPLE } });
export const NewUserBody = documented(UserSchema, 'NewUser');
export const NewTokenBody = documented(TokenSchema, 'NewToken', { example: { userId: 'bank1', name: 'loan system', expiresAt: '2027-01-01T00:00:00Z' } });

// ------------------------------------------------------------------ parameters

/** `{id}` of an application, objection or pledge. */
export const RecordIdParam = z.object({ id: recordId });
/** `{id}` of a user or token: an id or a username. */
export const AccountRefParam = z.object({ id: accountRef });
/** `{number}` of a certificate. */
export const CertificateNumberParam = z.object({ number: certificateNumber.meta({ example: 'DIP-2026-000123' }) });
/** `{id}` of an evidence deposit. */
export const DepositIdParam = z.object({ id: depositId.meta({ example: 'EV-2026-00000001' }) });
/** A SHA-256 digest: 64 lowercase hex digits. */
export const digestField = hex64;
/** An RFC 3339 UTC instant in a query. */
export const instantQuery = instantField;
/** A holder name (substring) or 统一社会信用代码 to search for. */
export const holderQuery = lineField(200);
/** A file name: one line of text without `/` or `\\`. */
export const fileNameQuery = lineField(200).regex(/^[^/\\]+$/, 'a file name without / or \\');
/** A cursor from `nextCursor` (checked by the registry: `invalid_cursor`). */
export const cursorQuery = z.string().max(700);
/**
 * Search of the register and notices (query parameters): validated again by the registry's
 * SearchSchema; here only their documentation.
 */
export const searchQuery = {
  name: z.string().max(200).optional().openapi({ description: 'Dataset name contains (case-insensitive)' }),
  holder: z.string().max(200).optional().openapi({ description: 'Holder name contains (case-insensitive)' }),
  uscc: z.string().max(18).optional().openapi({ description: "The holder's 统一社会信用代码" }),
  industry: z.string().max(5).optional().openapi({ description: 'GB/T 4754 code: the class and everything under it (I, I65, …)' }),
  from: z.string().max(10).optional().openapi({ description: 'From this date (YYYY-MM-DD, registry time zone)' }),
  to: z.string().max(10).optional().openapi({ description: 'To this date, included' }),
};
/** The search members of a validated query (undefined ones dropped). */
export function searchOf(q: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(searchQuery)) if (q[k] !== undefined && q[k] !== '') out[k] = q[k];
  return out;
}
/** Page size. */
export const limitQuery = z.coerce.number().int().min(1).max(200).default(50);
