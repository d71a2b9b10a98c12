/**
 * 统一社会信用代码 — the Unified Social Credit Code of GB 32100-2015 ("法人和其他组织
 * 统一社会信用代码编码规则"), which identifies a certificate's holder.
 *
 * Structure (18 characters from the 31-character set 0-9 A-H J-N P-R T-U W-Y; the
 * letters I, O, S, V, Z are never used):
 *
 * | positions | part                                                     | rule checked here |
 * | --------- | -------------------------------------------------------- | ----------------- |
 * | 1         | 登记管理部门代码 registration authority                    | from the published table |
 * | 2         | 机构类别代码 organisation type, per authority               | from the published table |
 * | 3–8       | 登记管理机关行政区划码 (GB/T 2260 administrative division)  | six digits |
 * | 9–17      | 主体标识码 = 组织机构代码 (GB 11714)                        | GB 11714 check digit |
 * | 18        | 校验码 check character                                    | GB 32100 mod 31 |
 *
 * Pure; runs in browsers.
 */

/** The GB 32100-2015 code character set, in value order: character i has value i. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100-2015 §4.2 weights W_i = 3^(i-1) mod 31 for positions 1–17. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** GB 11714-1997 weights for the first eight characters of an organisation code. */
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The registration authorities (position 1) and the organisation types each may use
 * (position 2), as published with GB 32100-2015 and extended since (A: 中央军委改革和编制
 * 办公室, N: 农业); Y (其他) has the single type 1. When the authorities publish a new
 * code, add it here.
 */
export const USCC_REGISTRATION_AUTHORITIES: Readonly<Record<string, { name: string; types: string }>> = {
  '1': { name: '机构编制', types: '1239' }, // 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
  '2': { name: '外交', types: '19' }, // 外国常驻新闻机构, 其他
  '3': { name: '司法行政', types: '123459' }, // 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
  '4': { name: '文化', types: '19' }, // 外国在华文化中心, 其他
  '5': { name: '民政', types: '1239' }, // 社会团体, 民办非企业单位, 基金会, 其他
  '6': { name: '旅游', types: '129' }, // 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地代表机构, 其他
  '7': { name: '宗教', types: '129' }, // 宗教活动场所, 宗教院校, 其他
  '8': { name: '工会', types: '19' }, // 基层工会, 其他
  '9': { name: '工商', types: '123' }, // 企业, 个体工商户, 农民专业合作社
  A: { name: '中央军委改革和编制办公室', types: '19' }, // 军队事业单位, 其他
  N: { name: '农业', types: '1239' }, // 组级, 村级, 乡镇级集体经济组织, 其他
  Y: { name: '其他', types: '1' },
};

/** Why a code is not a valid 统一社会信用代码 (stable codes, checked in this order). */
export type UsccErrorCode =
  | 'uscc_length'
  | 'uscc_charset'
  | 'uscc_check_character'
  | 'uscc_org_code_check'
  | 'uscc_registration_authority'
  | 'uscc_division_code';

/** The result of {@link validateUscc}. */
export type UsccValidation = { ok: true } | { ok: false; code: UsccErrorCode; message: string };

const MESSAGES: Record<UsccErrorCode, string> = {
  uscc_length: '统一社会信用代码 must be 18 characters',
  uscc_charset: '统一社会信用代码 uses only 0-9 and the capital letters A-H J-N P-R T-U W-Y',
  uscc_check_character: '统一社会信用代码 check character (position 18) does not match',
  uscc_org_code_check: 'organisation code (positions 9-17) check digit does not match (GB 11714)',
  uscc_registration_authority: 'registration authority and organisation type (positions 1-2) are not a published combination',
  uscc_division_code: 'administrative division code (positions 3-8) must be six digits',
};

function fail(code: UsccErrorCode): UsccValidation {
  return { ok: false, code, message: MESSAGES[code] };
}

/**
 * The GB 32100-2015 check character for the first 17 characters:
 * C18 = 31 − (Σ value(c_i)·W_i mod 31), with 31 written as '0'.
 * @param first17 - 17 characters of {@link USCC_CHARSET} (not checked).
 */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/**
 * The GB 11714-1997 check digit of an organisation code's first eight characters
 * (digits 0–9, letters A=10 … Z=35): C9 = 11 − (Σ value·W mod 11), with 10 written
 * 'X' and 11 written '0'.
 * @param first8 - eight characters from 0-9 A-Z (not checked).
 */
export function orgCodeCheckDigit(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8.charCodeAt(i);
    const value = c <= 0x39 ? c - 0x30 : c - 0x41 + 10;
    sum += value * ORG_CODE_WEIGHTS[i]!;
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

const CHARSET_PATTERN = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;
const DIVISION_PATTERN = /^[0-9]{6}$/;

/**
 * Validates a 统一社会信用代码 (GB 32100-2015) exactly as written: no normalisation,
 * no lowercase, no spaces. Checks, in order: length 18; character set; the check
 * character (position 18); the organisation code's GB 11714 check digit (position 17
 * over positions 9–16); the registration authority and organisation type (positions
 * 1–2) against {@link USCC_REGISTRATION_AUTHORITIES}; the administrative division code
 * (positions 3–8) being six digits.
 */
export function validateUscc(code: string): UsccValidation {
  if (typeof code !== 'string' || code.length !== 18) return fail('uscc_length');
  if (!CHARSET_PATTERN.test(code)) return fail('uscc_charset');
  if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) return fail('uscc_check_character');
  if (orgCodeCheckDigit(code.slice(8, 16)) !== code[16]) return fail('uscc_org_code_check');
  const authority = USCC_REGISTRATION_AUTHORITIES[code[0]!];
  if (authority === undefined || !authority.types.includes(code[1]!)) return fail('uscc_registration_authority');
  if (!DIVISION_PATTERN.test(code.slice(2, 8))) return fail('uscc_division_code');
  return { ok: true };
}
