/** Timestamps as log entries and certificate payloads carry them. */

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;

/**
 * True for an RFC 3339 §5.6 `date-time` in UTC with `Z`: four-digit year, seconds
 * 00–59 (no leap second), optional milliseconds (exactly three digits), and a real
 * calendar date (no 30 February). The form of `time` in log entries (DESIGN §3) and
 * of the timestamps in certificate payloads (DESIGN §5).
 */
export function isUtcTimestamp(text: string): boolean {
  const m = TIME.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
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
