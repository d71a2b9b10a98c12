/**
 * Subscriptions (订阅) of an organisation or a bank to what the log records, delivered as
 * signed webhooks: a certificate (every entry naming it, and its successors'), a holder's
 * 统一社会信用代码 (its certificates and filings), a digest (deposits, filings and
 * certificates of that manifest root), or new notices (公示) in an industry — so a
 * right-holder learns of a conflicting filing while objections are still open. Pure:
 * the subscription schema, which entry a subscription wants, the event body, and the
 * HMAC-SHA256 signature (given a MAC function).
 *
 * Signature: header `X-DataDeed-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>`; the receiver recomputes it over the raw body and rejects old `t`.
 */
import { z } from 'zod';
import { hex64, usccField } from '../fields.ts';
import { certificateNumber } from './fields.ts';

export const SUBSCRIPTION_TOPICS = ['certificate', 'holder', 'digest', 'industry'] as const;
export type SubscriptionTopic = (typeof SUBSCRIPTION_TOPICS)[number];

const webhookUrl = z
  .string()
  .max(500)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

/** A new subscription: what to watch and where to POST. */
export const SubscriptionSchema = z.discriminatedUnion('topic', [
  z.object({ topic: z.literal('certificate'), target: certificateNumber, url: webhookUrl }).strict(),
  z.object({ topic: z.literal('holder'), target: usccField, url: webhookUrl }).strict(),
  z.object({ topic: z.literal('digest'), target: hex64, url: webhookUrl }).strict(),
  z.object({ topic: z.literal('industry'), target: z.string().regex(/^[A-T](\d{2,4})?$/, 'must be a GB/T 4754 code, e.g. I or I65'), url: webhookUrl }).strict(),
]);
export type SubscriptionCommand = z.infer<typeof SubscriptionSchema>;

/** What the registry knows about an entry beyond its members (from its application or certificate). */
export interface EntryContext {
  /** Certificate numbers the entry is about (its `number`, `supersedes`, `certificate`). */
  certificates: string[];
  /** Holders' 统一社会信用代码 concerned (the certificate's, the application's holder). */
  holders: string[];
  /** Digests concerned (`digest`, `manifestRoot`, the application's manifest root). */
  digests: string[];
  /** The application's GB/T 4754 industry, for notices. */
  industry: string | null;
}

/** Whether a subscription wants an entry of `kind` with this context. */
export function subscriptionWants(sub: { topic: string; target: string }, kind: string, c: EntryContext): boolean {
  switch (sub.topic) {
    case 'certificate':
      return c.certificates.includes(sub.target);
    case 'holder':
      return c.holders.includes(sub.target);
    case 'digest':
      return c.digests.includes(sub.target);
    case 'industry':
      // new notices in the industry: the notice opening (and its restart after a dismissed objection)
      return (kind === 'notice.opened' || kind === 'objection.dismissed') && c.industry !== null && c.industry.startsWith(sub.target);
    default:
      return false;
  }
}

/** The members of an entry that name certificates, holders and digests directly. */
export function directContext(entry: Record<string, unknown>): EntryContext {
  const s = (k: string) => (typeof entry[k] === 'string' ? [entry[k] as string] : []);
  return {
    certificates: [...s('number'), ...s('supersedes'), ...s('certificate')],
    holders: [...s('holderUscc'), ...s('licenseeUscc')],
    digests: [...s('digest'), ...s('manifestRoot')],
    industry: typeof entry.industry === 'string' ? entry.industry : null,
  };
}

/** The exponential back-off before attempt `attempt` (1-based), bounded. */
export function retryDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
}

/** The signature header value for `body` sent at unix time `t`, given HMAC-SHA256 keyed by the secret. */
export function webhookSignature(body: string, t: number, hmac: (message: string) => string): string {
  return `t=${t},v1=${hmac(`${t}.${body}`)}`;
}
