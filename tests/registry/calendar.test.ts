/**
 * The working-day calendar (src/calendar.ts) on real dates. Known answers from the
 * official arrangement, not from our output: 国务院办公厅关于2025年部分节假日安排的通知
 * (国办发明电〔2024〕12号) — 国庆节、中秋节 10月1日（周三）至8日（周三）放假调休，共8天；
 * 9月28日（周日）、10月11日（周六）上班. Counting a notice opened on Sunday 2025-09-28
 * (itself an adjusted working day, not counted: 民法典 Art. 201) by hand:
 * 29 Sep (1), 30 Sep (2), 1–8 Oct holiday, 9 Oct (3), 10 Oct (4), Sat 11 Oct worked (5),
 * Sun 12 Oct off, 13–17 Oct (6–10) → the 10th working day is Friday 2025-10-17.
 */
import { describe, expect, it } from 'vitest';
import { addWorkingDays, chineseWorkingCalendar, endOfLocalDay, periodEnd, validityEnd, weekdayCalendar } from '../../src/calendar.ts';

describe('working calendar (chinese-days)', () => {
  it('follows the 2025 National Day arrangement: holidays and the adjusted working days', () => {
    const cal = chineseWorkingCalendar;
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday worked
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday worked
    for (let d = 1; d <= 8; d++) expect(cal.isWorkingDay(`2025-10-0${d}`), `2025-10-0${d}`).toBe(false);
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // an ordinary Sunday
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
  });

  it('a notice opened on 2025-09-28 for 10 working days ends on 2025-10-17 (24:00 Beijing time)', () => {
    expect(addWorkingDays(chineseWorkingCalendar, '2025-09-28', 10)).toBe('2025-10-17');
    const opened = new Date('2025-09-28T02:30:00.000Z'); // 10:30 in Beijing
    const ends = periodEnd(opened, { unit: 'working_days', days: 10, calendar: chineseWorkingCalendar }, 'Asia/Shanghai');
    expect(ends.toISOString()).toBe('2025-10-17T16:00:00.000Z'); // 2025-10-18 00:00 +08:00
    // the same count on a calendar without the holidays ends a week earlier
    expect(addWorkingDays(weekdayCalendar, '2025-09-28', 10)).toBe('2025-10-10');
  });

  it('the opening day counts in the registry zone: 23:30 UTC on 27 Sep is 28 Sep in Beijing', () => {
    const ends = periodEnd(new Date('2025-09-27T23:30:00.000Z'), { unit: 'working_days', days: 10, calendar: chineseWorkingCalendar }, 'Asia/Shanghai');
    expect(ends.toISOString()).toBe('2025-10-17T16:00:00.000Z');
  });

  it('Spring Festival 2026: a notice opened on Friday 2026-02-13', () => {
    // 国办发明电〔2025〕7号: 春节 2月15日（周日）至23日（周一）放假调休，共9天；2月14日（周六）、2月28日（周六）上班
    // 14 Feb worked (1), 15–23 off, 24,25,26,27 (2–5), Sat 28 worked (6), 2–5 Mar (7–10)
    expect(addWorkingDays(chineseWorkingCalendar, '2026-02-13', 10)).toBe('2026-03-05');
  });

  it('calendar days: exactly n × 24 h; zero days end at the opening', () => {
    const t = new Date('2026-01-15T08:00:00.000Z');
    expect(periodEnd(t, { unit: 'days', days: 10 }, 'Asia/Shanghai').toISOString()).toBe('2026-01-25T08:00:00.000Z');
    expect(periodEnd(t, { unit: 'working_days', days: 0, calendar: chineseWorkingCalendar }, 'Asia/Shanghai').toISOString()).toBe(t.toISOString());
  });

  it('validity: 3 years from the 登记公告 date, capped by the data-source agreement end', () => {
    const announced = new Date('2025-10-20T02:00:00.000Z');
    expect(validityEnd(announced, 3, 'Asia/Shanghai').toISOString()).toBe('2028-10-20T02:00:00.000Z');
    expect(validityEnd(announced, 3, 'Asia/Shanghai', '2027-06-30').toISOString()).toBe('2027-06-30T16:00:00.000Z');
    expect(validityEnd(announced, 3, 'Asia/Shanghai', '2030-01-01').toISOString()).toBe('2028-10-20T02:00:00.000Z');
    expect(endOfLocalDay('2027-06-30', 'UTC').toISOString()).toBe('2027-07-01T00:00:00.000Z');
  });
});
