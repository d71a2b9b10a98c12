/**
 * Calendar arithmetic in the registry's time zone. Pure (Intl only): runs unchanged in a
 * browser. The registry numbers certificates and deposits per calendar year of its own
 * time zone, not UTC: `DIP-2026-…` starts at midnight 1 January in that zone.
 */

/** The registry's time zone unless configured otherwise (China Standard Time, UTC+8, no DST). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const yearFormats = new Map<string, Intl.DateTimeFormat>();

function yearFormat(timeZone: string): Intl.DateTimeFormat {
  let f = yearFormats.get(timeZone);
  if (!f) {
    // the proleptic Gregorian calendar with Latin digits; the era tells 1 BC (ISO year 0) from AD 1
    f = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', { timeZone, year: 'numeric', era: 'short' });
    yearFormats.set(timeZone, f);
  }
  return f;
}

/**
 * The calendar year, in `timeZone`, of the instant `at`.
 * @param at - a valid instant (not an Invalid Date).
 * @param timeZone - an IANA time zone name; throws RangeError for an unknown one.
 * @throws RangeError when `at` is not a valid date or the zone is unknown.
 */
export function registryYear(at: Date, timeZone: string = DEFAULT_TIME_ZONE): number {
  if (Number.isNaN(at.getTime())) throw new RangeError('registryYear: invalid date');
  const parts = yearFormat(timeZone).formatToParts(at);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  if (!Number.isSafeInteger(year)) throw new RangeError('registryYear: no year for this instant');
  // ISO 8601 years: 1 BC is year 0, 2 BC is year -1
  return parts.find((p) => p.type === 'era')?.value === 'BC' ? 1 - year : year;
}

const localFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of an instant in a time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** `HH:mm` (24-hour) in the zone. */
  time: string;
  /** The zone's offset from UTC at that instant, `+08:00`. */
  offset: string;
}

/**
 * The calendar date, time of day and UTC offset of `at` in `timeZone` — what a person in
 * the registry's zone reads on a clock (a certificate issued at 06:48 on 1 December in
 * Beijing is dated 1 December, not 30 November as in UTC).
 * @throws RangeError when `at` is not a valid date or the zone is unknown.
 */
export function localTime(at: Date, timeZone: string = DEFAULT_TIME_ZONE): LocalTime {
  if (Number.isNaN(at.getTime())) throw new RangeError('localTime: invalid date');
  let f = localFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    localFormats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const offset = /([+-]\d{2}:\d{2})/.exec(parts.timeZoneName ?? '')?.[1] ?? '+00:00';
  return { date: `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, offset };
}

/**
 * The instant a clock in `timeZone` shows as `YYYY-MM-DDTHH:mm` (what an
 * `<input type="datetime-local">` holds): the inverse of {@link localTime}. In a
 * daylight-saving gap or overlap the earlier offset's reading wins.
 * @returns undefined when the text is not such a date and time.
 */
export function instantOfLocal(text: string, timeZone: string = DEFAULT_TIME_ZONE): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, se);
  if (new Date(wall).getUTCDate() !== d) return undefined;
  const offsetMs = (at: number) => {
    const o = localTime(new Date(at), timeZone).offset;
    const sign = o.startsWith('-') ? -1 : 1;
    return sign * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4, 6))) * 60_000;
  };
  let at = wall - offsetMs(wall);
  at = wall - offsetMs(at);
  return new Date(at);
}
