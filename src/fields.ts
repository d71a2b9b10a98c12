/**
 * The field rules every domain builds its commands from (registry, accounts,
 * evidence), in plain zod: text fields following the text rules of ./text.ts, the
 * 统一社会信用代码, hex digests, record ids, calendar dates, and instants. No OpenAPI
 * metadata but JSON Schema's own (`minLength`, `maxLength`, `format`): src/api names and
 * documents the commands. Pure: no I/O.
 */
import { z } from 'zod';
import { validateUscc } from './certificates/index.ts';
import { daysInMonth } from './ledger/index.ts';
import { NAME_RULE, textCheck, wellFormedCheck, type TextRule } from './text.ts';
import type { FieldIssue } from './errors.ts';

/**
 * One line of text from outside: surrounding white space trimmed, then the text rules
 * with `maxChars` characters and at most 3 UTF-8 bytes a character (any CJK text fits).
 */
export function lineField(maxChars: number, minChars = 1) {
  return z
    .string()
    .trim()
    .check(textCheck({ minChars, maxChars, maxBytes: 3 * maxChars }))
    .meta({ minLength: minChars, maxLength: maxChars }); // JSON Schema counts characters as this rule does
}

/**
 * Free text over several lines: CR LF and lone CR become LF (what HTML forms send),
 * surrounding white space is trimmed, then the text rules for multi-line text.
 */
export function textField(maxChars: number, minChars = 1) {
  const rule: TextRule = { minChars, maxChars, maxBytes: 3 * maxChars, multiline: true };
  return z
    .string()
    .overwrite((s) => s.replace(/\r\n?/g, '\n'))
    .trim()
    .check(textCheck(rule))
    .meta({ minLength: minChars, maxLength: maxChars });
}

/**
 * A name shown on certificates and in the register (holder, dataset, organisation):
 * the certificate payload's own rule ({@link NAME_RULE}), after trimming.
 */
export function nameField() {
  return z
    .string()
    .trim()
    .check(textCheck(NAME_RULE))
    .meta({ minLength: NAME_RULE.minChars, maxLength: NAME_RULE.maxChars });
}

/** A secret (password): well-formed text, neither trimmed nor normalised. */
export function secretField(minChars: number, maxChars: number) {
  return z.string().min(minChars).max(maxChars).check(wellFormedCheck());
}

/** 统一社会信用代码 (GB 32100), its check character verified. */
export const usccField = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const r = validateUscc(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: `统一社会信用代码 invalid: ${r.message}` });
  })
  .describe('18-character unified social credit code (GB 32100), check character verified');

/** 64 lowercase hexadecimal digits: a SHA-256 digest or a manifest root. */
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** A record id DataDeed made (application, objection, pledge, organisation, user …): a UUID. */
export const recordId = z.uuid();

/**
 * An account identifier as an administrator types it: a record id or a username
 * (ASCII letters, digits, `.`, `_`, `-`; 1–100 characters).
 */
export const accountRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'an id or a username');

// ------------------------------------------------------------------ dates

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is `YYYY-MM-DD` naming a day of the proleptic Gregorian calendar (no 2025-02-30, no month 00). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A real calendar date `YYYY-MM-DD` between `range.min` and `range.max` (inclusive). */
export function calendarDate(range: { min: string; max: string }) {
  return z
    .string()
    .superRefine((s, ctx) => {
      if (!DATE.test(s)) ctx.addIssue({ code: 'custom', message: 'must be a date YYYY-MM-DD' });
      else if (!isCalendarDate(s)) ctx.addIssue({ code: 'custom', message: 'not a real calendar date' });
      else if (s < range.min || s > range.max) ctx.addIssue({ code: 'custom', message: `must be between ${range.min} and ${range.max}` });
    })
    .meta({ format: 'date', description: `a date from ${range.min} to ${range.max}` });
}

// ------------------------------------------------------------------ instants

/** The instants the registry accepts from outside: from 1970-01-01 to the end of year 9999, UTC. */
export const INSTANT_RANGE = { min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) } as const;

/** True for a millisecond time within {@link INSTANT_RANGE}. */
export function isSaneInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= INSTANT_RANGE.min && ms <= INSTANT_RANGE.max;
}

/** An RFC 3339 UTC date-time (`Z`) naming a real instant in {@link INSTANT_RANGE}. */
export const instantField = z.iso.datetime().refine((s) => isSaneInstant(Date.parse(s)), 'must be between 1970-01-01 and 9999-12-31');

/** The failed fields of a zod parse, by dotted path, for a domain error's `details`. */
export function fieldIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
