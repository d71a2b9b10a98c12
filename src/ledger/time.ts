/** Timestamps as log entries and certificate payloads carry them. */

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** The number written by the ASCII digits of `text` at [from, to) (the form is checked first). */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
}

/**
 * True for an RFC 3339 §5.6 `date-time` in UTC with `Z`: four-digit year, seconds
 * 00–59 (no leap second), optional milliseconds (exactly three digits), and a real
 * calendar date (no 30 February). The form of `time` in log entries (DESIGN §3) and
 * of the timestamps in certificate payloads (DESIGN §5).
 */
export function isUtcTimestamp(text: string): boolean {
  // the form first, then the fields at their fixed places (no captures: a replay checks several times an entry)
  if (!TIME.test(text)) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  return day <= daysInMonth(year, month);
}

/**
 * Days in `month` (1–12) of the proleptic Gregorian `year` (0–9999): 28–31.
 * Precondition: integers in range.
 */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
