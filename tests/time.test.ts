/**
 * The registry's calendar year (src/time.ts). Known answers from each zone's UTC offset
 * at the instant (Asia/Shanghai +08:00, America/New_York −05:00 in winter,
 * Pacific/Kiritimati +14:00), checked with Python's zoneinfo.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_ZONE, registryYear } from '../src/time.ts';

describe('registryYear', () => {
  it('defaults to China Standard Time: a year starts at 16:00 UTC on 31 December', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai');
    expect(registryYear(new Date('2025-12-31T15:59:59.999Z'))).toBe(2025);
    expect(registryYear(new Date('2025-12-31T16:00:00.000Z'))).toBe(2026);
    expect(registryYear(new Date('1990-12-31T16:00:00.000Z'))).toBe(1991);
  });

  it('takes the time zone as a parameter', () => {
    expect(registryYear(new Date('2026-01-01T04:59:59Z'), 'America/New_York')).toBe(2025);
    expect(registryYear(new Date('2026-01-01T05:00:00Z'), 'America/New_York')).toBe(2026);
    expect(registryYear(new Date('2026-12-31T23:59:59Z'), 'UTC')).toBe(2026);
    expect(registryYear(new Date('2026-12-31T09:59:59Z'), 'Pacific/Kiritimati')).toBe(2026);
    expect(registryYear(new Date('2026-12-31T10:59:59Z'), 'Pacific/Kiritimati')).toBe(2027);
  });

  it('counts years as ISO 8601 does (1 BC is year 0), and refuses bad input', () => {
    expect(registryYear(new Date('0001-06-01T00:00:00Z'), 'UTC')).toBe(1);
    expect(registryYear(new Date('0000-06-01T00:00:00Z'), 'UTC')).toBe(0);
    expect(registryYear(new Date('-000001-06-01T00:00:00Z'), 'UTC')).toBe(-1);
    expect(() => registryYear(new Date('nope'))).toThrow(RangeError);
    expect(() => registryYear(new Date(), 'Not/AZone')).toThrow(RangeError);
  });
});

describe('instantOfLocal', () => {
  it('reads a wall-clock reading of a zone back to its instant (the inverse of localTime)', async () => {
    const { instantOfLocal } = await import('../src/time.ts');
    // known answers: Beijing is UTC+8 all year; New York is UTC-5 in January, UTC-4 in July
    expect(instantOfLocal('2026-01-01T10:00', 'Asia/Shanghai')!.toISOString()).toBe('2026-01-01T02:00:00.000Z');
    expect(instantOfLocal('2026-01-15T08:30', 'America/New_York')!.toISOString()).toBe('2026-01-15T13:30:00.000Z');
    expect(instantOfLocal('2026-07-15T08:30:15', 'America/New_York')!.toISOString()).toBe('2026-07-15T12:30:15.000Z');
    for (const bad of ['', '2026-02-30T10:00', '2026-01-01 10:00', '2026-13-01T10:00', '2026-01-01T24:00']) expect(instantOfLocal(bad, 'Asia/Shanghai'), bad).toBeUndefined();
  });
});
