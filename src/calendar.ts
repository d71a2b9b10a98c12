/**
 * Working days (工作日) of the registry: periods that rules count in working days — the
 * public notice (公示) — skip weekends and public holidays and count the adjusted working
 * days (调休, a Saturday or Sunday worked in exchange). The calendar is injected; the
 * default reads `chinese-days`, a maintained library that follows the State Council's
 * yearly holiday arrangement (国务院办公厅关于节假日安排的通知), not a table kept here.
 *
 * Counting follows 民法典 Art. 201: a period in days starts on the day after the event,
 * and ends at the end (24:00 in the registry's time zone) of its last day.
 */
import chineseDays from 'chinese-days'; // CommonJS: the default export holds the functions
import { localTime } from './time.ts';

/** Which calendar days are working days. Dates are `YYYY-MM-DD`. */
export interface WorkingCalendar {
  isWorkingDay(date: string): boolean;
  /** A name for the day when it is a holiday or an adjusted working day (for pages), else undefined. */
  describe?(date: string): string | undefined;
}

/** The People's Republic of China's working days from `chinese-days` (holidays and 调休). */
export const chineseWorkingCalendar: WorkingCalendar = {
  isWorkingDay: (date) => chineseDays.isWorkday(date),
  describe: (date) => {
    const d = chineseDays.getDayDetail(date);
    const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
    if (!d.work || weekend) return d.name && d.name.includes(',') ? d.name : undefined;
    return undefined;
  },
};

/** Monday to Friday, no holidays (tests; a registry outside the PRC's arrangement). */
export const weekdayCalendar: WorkingCalendar = {
  isWorkingDay: (date) => {
    const d = new Date(`${date}T00:00:00Z`).getUTCDay();
    return d !== 0 && d !== 6;
  },
};

/** The calendar date `days` after `date` (`YYYY-MM-DD`, proleptic Gregorian). */
export function addCalendarDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) throw new RangeError(`addCalendarDays: not a date ${JSON.stringify(date)}`);
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The `n`-th working day after `date` (the day itself not counted).
 * @throws RangeError when n < 1 or no working day is found within 10 years.
 */
export function addWorkingDays(cal: WorkingCalendar, date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('addWorkingDays: n must be a positive integer');
  let d = date;
  let left = n;
  for (let guard = 0; guard < 3660 * n; guard++) {
    d = addCalendarDays(d, 1);
    if (cal.isWorkingDay(d) && --left === 0) return d;
  }
  throw new RangeError('addWorkingDays: no working day found');
}

/** The instant a calendar day ends (24:00, i.e. 00:00 of the next day) in `timeZone`. */
export function endOfLocalDay(date: string, timeZone: string): Date {
  // 00:00 of the next day in the zone: start from UTC midnight and correct by the zone's offset there
  const next = addCalendarDays(date, 1);
  const guess = new Date(`${next}T00:00:00Z`);
  const off = localTime(guess, timeZone).offset; // e.g. +08:00
  const sign = off.startsWith('-') ? -1 : 1;
  const [h, m] = off.slice(1).split(':').map(Number) as [number, number];
  return new Date(guess.getTime() - sign * (h * 60 + m) * 60_000);
}

/** How a period is counted: working days in a calendar, or calendar days. */
export type PeriodRule = { unit: 'working_days'; days: number; calendar: WorkingCalendar } | { unit: 'days'; days: number };

/**
 * When a period that opens at `openedAt` ends: with working days, at the end (registry
 * time zone) of the `days`-th working day after the opening day; with calendar days,
 * exactly `days` × 24 h after the opening (a zero-day period ends when it opens).
 */
export function periodEnd(openedAt: Date, rule: PeriodRule, timeZone: string): Date {
  if (rule.unit === 'days' || rule.days === 0) return new Date(openedAt.getTime() + rule.days * 86_400_000);
  const opened = localTime(openedAt, timeZone).date;
  return endOfLocalDay(addWorkingDays(rule.calendar, opened, rule.days), timeZone);
}

/**
 * The validity of a certificate: `years` from the 登记公告 date (the issuance), ending no
 * later than the data-source agreement's end when one is given (Beijing 数据知识产权登记管理办法 Art. 13).
 * @param agreementEnd - `YYYY-MM-DD`: the agreement holds to the end of that day in `timeZone`.
 */
export function validityEnd(announcedAt: Date, years: number, timeZone: string, agreementEnd?: string): Date {
  const full = new Date(announcedAt);
  full.setUTCFullYear(full.getUTCFullYear() + years);
  if (agreementEnd === undefined) return full;
  const cap = endOfLocalDay(agreementEnd, timeZone);
  return cap.getTime() < full.getTime() ? cap : full;
}
