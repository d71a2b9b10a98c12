/**
 * Integer bit helpers for tree sizes and indices up to 2^53 − 1. JavaScript's bitwise
 * operators work on 32 bits only, so these split numbers into two 32-bit halves or use
 * exact arithmetic (division by a power of two is exact in binary floating point).
 * Internal to `src/ledger`; not part of the public surface.
 */

const TWO_32 = 2 ** 32;

/** True when `n` is an integer in [0, 2^53 − 1]. */
export function isNonNegativeSafeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Number of bits needed to represent `n` (0 for 0). Precondition: safe non-negative integer. */
export function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 32 + (32 - Math.clz32(Math.floor(n / TWO_32)));
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of set bits of `n`. Precondition: safe non-negative integer. */
export function popcount(n: number): number {
  return popcount32(n >>> 0) + popcount32(Math.floor(n / TWO_32));
}

/** Number of trailing zero bits of `n` (`n` > 0). */
export function trailingZeros(n: number): number {
  let lo = n >>> 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  lo = Math.floor(n / TWO_32) >>> 0;
  return 32 + (31 - Math.clz32(lo & -lo));
}

/** Bitwise XOR of two safe non-negative integers. */
export function xor(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  return hi * TWO_32 + lo;
}

/** `n >> k` for safe non-negative integers (any k ≥ 0). */
export function shr(n: number, k: number): number {
  return Math.floor(n / 2 ** k);
}

/** True when `n` is a power of two (n ≥ 1). */
export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && popcount(n) === 1;
}
