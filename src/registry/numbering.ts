/**
 * Certificate numbers and registration numbers (登记号) in the national format of
 * 国家知识产权局 规发〔2024〕79号 (in use from 2024-09-09). Pure: no clock, no database.
 *
 * - **Certificate number** (证书编号), 17 digits: year (4) ‖ month (2) ‖ registry code (4,
 *   the registry's GB/T 2260 region code, e.g. Guangdong 4400, Tianjin 1200) ‖ serial (7,
 *   gap-free per registry year). Example: `20251012000000007`.
 * - **Registration number** (登记号), 16 characters: application year (4) ‖ data-source
 *   code (1) ‖ registrant-type code (1) ‖ sequence (9) ‖ check character (1). The check
 *   character is ISO/IEC 7064 MOD 37,36 (the hybrid system over the 36 characters `0–9A–Z`;
 *   it detects every single-character substitution; most, not all, adjacent transpositions).
 *
 * The notice names the parts of the 登记号 but publishes no check algorithm; DataDeed
 * chooses ISO 7064 MOD 37,36 (the same family as the 统一社会信用代码's GB 32100 check)
 * and documents it in README and docs/log-format.md.
 *
 * An older registry keeps its `DIP-2026-000123` numbers (`legacy` format): the format is
 * fixed when a database is first started.
 */

/** How a registry numbers its certificates (fixed at the first start of its database). */
export const NUMBER_FORMATS = ['national', 'legacy'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

/** A 17-digit national certificate number. */
export const NATIONAL_CERTIFICATE_NUMBER = /^[0-9]{4}(0[1-9]|1[0-2])[0-9]{4}[0-9]{7}$/;
/** A 16-character registration number (登记号), its check character not checked. */
export const REGISTRATION_NUMBER = /^[0-9]{4}[0-9][0-9][0-9]{9}[0-9A-Z]$/;
/** A 4-digit registry code (GB/T 2260 province-level code, e.g. 1200 Tianjin, 4400 Guangdong). */
export const REGISTRY_CODE = /^[0-9]{4}$/;

/** Data-source codes (数据来源) of the 登记号. */
export const DATA_SOURCE_CODES = {
  /** produced or collected by the holder itself (自行产生/采集) */
  own: '1',
  /** obtained under a licence or agreement (授权/协议取得) */
  licensed: '2',
  /** bought or obtained in a trade (交易取得) */
  purchased: '3',
  /** public data under authorised operation (公共数据授权运营) */
  public: '4',
  /** other or not stated (其他) */
  other: '9',
} as const;
export type DataSourceType = keyof typeof DATA_SOURCE_CODES;
export const DATA_SOURCE_TYPES = Object.keys(DATA_SOURCE_CODES) as DataSourceType[];

/** Registrant-type codes (登记主体类型) of the 登记号. */
export const REGISTRANT_TYPE_CODES = {
  /** enterprise legal person (企业法人) */
  enterprise: '1',
  /** other organisation (事业单位、社会组织等) */
  organisation: '2',
  /** natural person (自然人) */
  person: '3',
} as const;
export type RegistrantType = keyof typeof REGISTRANT_TYPE_CODES;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * ISO/IEC 7064 MOD 37,36 (hybrid system, M = 36): the check character of `body`.
 * Precondition: `body` is non-empty and only `0–9A–Z`.
 * @throws RangeError on another character.
 */
export function mod3736CheckCharacter(body: string): string {
  let p = 36;
  for (const ch of body) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new RangeError(`mod3736CheckCharacter: ${JSON.stringify(ch)} is not in 0-9A-Z`);
    let s = (p + v) % 36;
    if (s === 0) s = 36;
    p = (s * 2) % 37;
  }
  return ALPHABET[(37 - p) % 36]!;
}

/** Whether `value` (body ‖ check character) passes ISO/IEC 7064 MOD 37,36. */
export function mod3736Valid(value: string): boolean {
  if (value.length < 2 || !/^[0-9A-Z]+$/.test(value)) return false;
  return mod3736CheckCharacter(value.slice(0, -1)) === value.slice(-1);
}

/**
 * The 17-digit national certificate number.
 * @param year - the registry year (0–9999), @param month - 1–12 (registry time zone),
 * @param registryCode - 4 digits, @param serial - 1–9,999,999 (gap-free per year).
 * @throws RangeError when a part is out of range.
 */
export function nationalCertificateNumber(year: number, month: number, registryCode: string, serial: number): string {
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError('nationalCertificateNumber: year out of range');
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError('nationalCertificateNumber: month out of range');
  if (!REGISTRY_CODE.test(registryCode)) throw new RangeError('nationalCertificateNumber: the registry code must be 4 digits');
  if (!Number.isInteger(serial) || serial < 1 || serial > 9_999_999) throw new RangeError('nationalCertificateNumber: serial out of range (1–9999999)');
  return `${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}${registryCode}${String(serial).padStart(7, '0')}`;
}

/** The legacy number `DIP-2026-000123` (prefix, year, at least 6 digits). */
export function legacyCertificateNumber(prefix: string, year: number, serial: number): string {
  return `${prefix}-${year}-${String(serial).padStart(6, '0')}`;
}

/**
 * The 16-character registration number (登记号) with its MOD 37,36 check character.
 * @param year - the application year (0–9999), @param sequence - 1–999,999,999.
 * @throws RangeError when a part is out of range.
 */
export function registrationNumber(year: number, source: DataSourceType, registrant: RegistrantType, sequence: number): string {
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError('registrationNumber: year out of range');
  const s = DATA_SOURCE_CODES[source];
  const r = REGISTRANT_TYPE_CODES[registrant];
  if (s === undefined || r === undefined) throw new RangeError('registrationNumber: unknown source or registrant type');
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999_999) throw new RangeError('registrationNumber: sequence out of range');
  const body = `${String(year).padStart(4, '0')}${s}${r}${String(sequence).padStart(9, '0')}`;
  return body + mod3736CheckCharacter(body);
}

/** Whether `value` is a well-formed registration number whose check character is right. */
export function validRegistrationNumber(value: string): boolean {
  return REGISTRATION_NUMBER.test(value) && mod3736Valid(value);
}

/** The parts of a national certificate number, or undefined for another string. */
export function parseNationalCertificateNumber(value: string): { year: number; month: number; registryCode: string; serial: number } | undefined {
  if (!NATIONAL_CERTIFICATE_NUMBER.test(value)) return undefined;
  return { year: Number(value.slice(0, 4)), month: Number(value.slice(4, 6)), registryCode: value.slice(6, 10), serial: Number(value.slice(10)) };
}
