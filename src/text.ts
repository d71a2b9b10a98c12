/**
 * The text rules: what a string that comes from outside may hold, checked the same
 * way everywhere — the HTTP boundary (body, path, query, form fields), the command
 * schemas of the registry, and the certificate payload — so a dataset name the form
 * accepts is one the certificate accepts, and no string that PostgreSQL cannot store
 * (a NUL, a lone surrogate) gets past the boundary.
 *
 * A string that follows a {@link TextRule}:
 * - holds no NUL and no unpaired surrogate (it is well-formed Unicode);
 * - holds no control character: C0 (tab included), DEL, C1, and the line and paragraph
 *   separators U+2028/U+2029 — except the line feed U+000A in multi-line text;
 * - holds no bidirectional embedding, override or isolate control (U+202A–U+202E,
 *   U+2066–U+2069), which make text display as something other than what it is;
 * - has no white space at either end (`String.prototype.trim`);
 * - is in Unicode Normalization Form C. Non-NFC text is refused, not normalised: what
 *   is signed and logged is exactly what the applicant sent, so the boundary does not
 *   rewrite it. (Browsers and keyboards produce NFC; a refusal names the field.)
 * - has between `minChars` and `maxChars` characters (Unicode scalar values, not UTF-16
 *   code units) and at most `maxBytes` bytes in UTF-8.
 *
 * Forms trim surrounding white space before applying the rule (and pages turn the
 * CRLF of HTML form submission into LF); everything else is refused, never repaired.
 *
 * Pure: no I/O, runs in browsers (the certificate verifier uses it).
 */
import * as z from 'zod/mini';

/** What a string must be; see the module comment for the rules every string follows. */
export interface TextRule {
  /** Fewest characters (Unicode scalar values). Default 1. */
  readonly minChars?: number;
  /** Most characters (Unicode scalar values). */
  readonly maxChars: number;
  /** Most bytes in UTF-8. Default 4 × `maxChars` (no further bound). */
  readonly maxBytes?: number;
  /** Free text over several lines: line feeds (U+000A) are allowed. Default: one line. */
  readonly multiline?: boolean;
}

/**
 * The rule for names shown on certificates, in the register and in the log explorer:
 * holder and dataset names (the certificate payload, DESIGN §5), organisation names
 * (a transfer's new holder). One line, 1–200 characters, at most 600 UTF-8 bytes
 * (200 CJK characters).
 */
export const NAME_RULE: TextRule = { minChars: 1, maxChars: 200, maxBytes: 600 };

const NUL = /\u0000/;
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Why `value` is not well-formed text — it holds a NUL or an unpaired surrogate, which
 * no field accepts and PostgreSQL cannot store — or `undefined` when it is.
 */
export function malformedTextProblem(value: string): string | undefined {
  if (NUL.test(value)) return 'must not contain NUL';
  if (LONE_SURROGATE.test(value)) return 'must not contain an unpaired surrogate';
  return undefined;
}

/**
 * Why `value` breaks `rule`, as a fixed message naming the first rule broken (NUL,
 * surrogates, controls, bidirectional controls, surrounding white space, NFC, then
 * lengths), or `undefined` when it follows it.
 */
export function textProblem(value: string, rule: TextRule): string | undefined {
  const malformed = malformedTextProblem(value);
  if (malformed !== undefined) return malformed;
  if ((rule.multiline ? CONTROL_BUT_LF : CONTROL).test(value)) return 'must not contain control characters';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional controls';
  if (value !== value.trim()) return 'must not begin or end with white space';
  if (value.normalize('NFC') !== value) return 'must be in Unicode NFC';
  let chars = 0;
  let bytes = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    chars++;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  const min = rule.minChars ?? 1;
  if (chars < min) return `must have at least ${min} character${min === 1 ? '' : 's'}`;
  if (chars > rule.maxChars) return `must have at most ${rule.maxChars} characters`;
  if (rule.maxBytes !== undefined && bytes > rule.maxBytes) return `must have at most ${rule.maxBytes} UTF-8 bytes`;
  return undefined;
}

/**
 * The zod check of `rule` on a string schema (zod or zod/mini: `.check(textCheck(rule))`),
 * reporting the broken rule as a custom issue at the field's path.
 */
export function textCheck(rule: TextRule) {
  return z.superRefine((value: string, ctx) => {
    const problem = textProblem(value, rule);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

/** The zod check that a string is well-formed (see {@link malformedTextProblem}): for secrets, which are neither trimmed nor normalised. */
export function wellFormedCheck() {
  return z.superRefine((value: string, ctx) => {
    const problem = malformedTextProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}
