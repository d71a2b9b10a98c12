/**
 * Log entries: the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of
 * `{"v":1,"kind":…,"time":…, …}` (DESIGN §3). Canonical bytes make an entry's leaf hash
 * a function of its content alone, and let anyone re-derive it.
 */
import { fromUtf8, utf8 } from './bytes.ts';
import { LedgerError } from './errors.ts';
import { canonicalJson, isCanonicalJsonText } from './json.ts';
import { isUtcTimestamp } from './time.ts';

/** Largest entry: the uint16 length prefix of C2SP tlog-tiles entry bundles. */
export const MAX_ENTRY_BYTES = 65535;

/**
 * A fact recorded in the log. `kind` is a dotted lowercase name such as
 * `certificate.issued`; `time` is RFC 3339 UTC with `Z`. Other fields are JSON values
 * (hashes and identifiers, never personal data).
 */
export interface LogEvent {
  kind: string;
  time: string;
  [k: string]: unknown;
}

const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function malformed(message: string): never {
  throw new LedgerError('malformed_entry', message);
}

function checkEnvelope(event: { kind?: unknown; time?: unknown; v?: unknown }): void {
  if (typeof event.kind !== 'string' || !KIND.test(event.kind)) malformed('invalid kind');
  if (typeof event.time !== 'string' || !isUtcTimestamp(event.time)) malformed('invalid time');
}

/**
 * Encodes an event as a log entry: the UTF-8 bytes of the RFC 8785 canonical JSON of
 * `{ v: 1, ...event }` (JCS §3.2: sorted keys by UTF-16 code units, ECMAScript number
 * and string serialisation, no whitespace).
 * @throws LedgerError `malformed_entry` (bad kind or time, a `v` other than 1,
 *   non-JSON or non-finite values) or `entry_too_large` (over 65,535 bytes).
 */
export function encodeEntry(event: LogEvent): Uint8Array<ArrayBuffer> {
  const bytes = utf8(encodeEntryText(event));
  if (bytes.length > MAX_ENTRY_BYTES) throw new LedgerError('entry_too_large', 'entry exceeds 65535 bytes');
  return bytes;
}

/**
 * The text of {@link encodeEntry}: the canonical JSON of `{ v: 1, ...event }`, the
 * same checks but the size (which is of the UTF-8 bytes). For a caller that compares
 * it with the text of an entry it holds (UTF-8 decoding is strict and keeps a BOM, so
 * equal text is equal bytes) instead of encoding it again.
 * @throws LedgerError `malformed_entry`.
 */
export function encodeEntryText(event: LogEvent): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) malformed('event must be an object');
  if ('v' in event && event.v !== 1) malformed('v must be 1');
  checkEnvelope(event);
  return canonicalJson({ v: 1, ...event });
}

/**
 * Decodes a log entry and checks that its bytes are exactly the canonical encoding
 * (RFC 8785) of a valid event with `v: 1` — re-encoding must reproduce them, so no two
 * byte strings decode to the same event.
 * @throws LedgerError `entry_too_large` (over 65,535 bytes) or `malformed_entry`.
 */
export function decodeEntry(bytes: Uint8Array): LogEvent & { v: 1 } {
  return decodeEntryWithText(bytes).event;
}

/**
 * {@link decodeEntry}, with the entry's text (its strict UTF-8 decoding) as well.
 * @throws LedgerError `entry_too_large` or `malformed_entry`.
 */
export function decodeEntryWithText(bytes: Uint8Array): { event: LogEvent & { v: 1 }; text: string } {
  if (bytes.length > MAX_ENTRY_BYTES) throw new LedgerError('entry_too_large', 'entry exceeds 65535 bytes');
  let text: string;
  let parsed: unknown;
  try {
    text = fromUtf8(bytes);
    parsed = JSON.parse(text);
  } catch {
    malformed('entry is not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) malformed('entry is not an object');
  const record = parsed as { v?: unknown; kind?: unknown; time?: unknown };
  if (record.v !== 1) malformed('unsupported entry version');
  checkEnvelope(record);
  // Strict UTF-8 decoding keeps a BOM and refuses bad sequences: equal text is equal
  // bytes. The quick tests settle the common case; the JCS writer the rest.
  if (!isCanonicalJsonText(text, record, bytes)) {
    let again: string;
    try {
      again = canonicalJson(record);
    } catch (e) {
      if (e instanceof LedgerError) malformed('entry is not a valid event');
      throw e;
    }
    if (again !== text) malformed('entry is not in canonical form');
  }
  return { event: record as LogEvent & { v: 1 }, text };
}
