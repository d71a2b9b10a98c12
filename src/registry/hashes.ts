/**
 * The registry's commitments by hash (docs/log-format.md §5): what the log carries in
 * place of private text and amounts. Pure; the replay, the verifier and the services
 * share them.
 */
import { canonicalJson, sha256, toHex, utf8 } from '../ledger/index.ts';
import type { Money } from './fields.ts';

/** SHA-256 (hex) of the UTF-8 bytes of a text: `commentHash`, `reasonHash`, `groundsHash`, `scopeHash`, `nameHash`. */
export function textHash(text: string): string {
  return toHex(sha256(utf8(text)));
}

/** The version digest of `application.submitted`: SHA-256 (hex) of the RFC 8785 canonical JSON of the frozen form. */
export function formDigest(form: unknown): string {
  return toHex(sha256(utf8(canonicalJson(form))));
}

/**
 * The commitment to a secured amount in the pledge entries: SHA-256 (hex) of the RFC 8785
 * canonical JSON of `{currency, nonce, value}` (value a decimal string such as "5000000.00",
 * nonce 32 lowercase hex digits given to the pledgee), so the pledgee can prove the amount
 * without the log publishing it.
 */
export function amountCommitment(m: Money, nonce: string): string {
  return toHex(sha256(utf8(canonicalJson({ currency: m.currency, nonce, value: m.value }))));
}
