/**
 * The registry's own field rules (certificate numbers, terms, money, the dates of a
 * dataset's time span), in plain zod; the generic ones are in src/fields.ts.
 */
import { z } from 'zod';
import { CERTIFICATE_NUMBER } from '../certificates/index.ts';
import { calendarDate } from '../fields.ts';

/** A certificate number such as DIP-2026-000123 (prefix, year, sequence). */
export const certificateNumber = z.string().regex(CERTIFICATE_NUMBER, 'not a certificate number like 20260112000000123 (or DIP-2026-000123)');

/** The range of dates in terms of pledges, licences and policies. */
export const TERM_DATES = { min: '2000-01-01', max: '2200-12-31' } as const;
/** The range of dates in the time span a dataset covers. */
export const DATA_DATES = { min: '1000-01-01', max: '2200-12-31' } as const;

/** A term of days: real dates in {@link TERM_DATES}, the end after the start. */
export const termField = z
  .object({ start: calendarDate(TERM_DATES), end: calendarDate(TERM_DATES) })
  .strict()
  .superRefine((t, ctx) => {
    if (t.end <= t.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  });
export type Term = z.infer<typeof termField>;

/** An amount of money: a decimal with at most two places, and its ISO 4217 currency. */
export const moneyField = z
  .object({
    value: z.string().regex(/^(0|[1-9]\d{0,15})(\.\d{1,2})?$/, 'a decimal amount like 1000000.00'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217, e.g. CNY'),
  })
  .strict();
export type Money = z.infer<typeof moneyField>;
