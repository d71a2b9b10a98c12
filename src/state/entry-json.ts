/**
 * One parse of a log entry's JSON for its several readers in a replay: the state-root
 * checker's key scan (`stateKeysOfEntry`), the replay (`applyEntry`) and the write
 * guard's key scan each read the same entry in turn, and JSON.parse was most of the
 * replay's cost three times over. Pure.
 *
 * A one-entry memo keyed by the bytes themselves (compared byte for byte with a copy, so
 * a reused or changed buffer is never served an earlier parse). Readers share the parsed
 * value and must not change it.
 */

/** The entry's text (strict UTF-8) and its JSON value; `utf8: false` when the bytes are not UTF-8, `json: false` when the text is not JSON. */
export type ParsedEntryJson = { readonly ok: true; readonly text: string; readonly value: unknown } | { readonly ok: false; readonly utf8: boolean };

const strict = new TextDecoder('utf-8', { fatal: true });
/** A copy of the bytes last parsed: the first `lastLength` bytes of a reused buffer. */
let lastBytes: Uint8Array = new Uint8Array(1024);
let lastLength = -1;
let lastResult: ParsedEntryJson | undefined;

/**
 * `JSON.parse` of the strict UTF-8 decoding of `data` (a leading byte-order mark is
 * dropped, as `TextDecoder` does), remembered for the next call with the same bytes.
 * Never throws.
 */
export function parseEntryJson(data: Uint8Array): ParsedEntryJson {
  if (lastResult !== undefined && data.length === lastLength && sameBytes(data)) return lastResult;
  let result: ParsedEntryJson;
  let text: string | undefined;
  try {
    text = strict.decode(data);
  } catch {
    result = { ok: false, utf8: false };
  }
  if (text !== undefined) {
    try {
      result = { ok: true, text, value: JSON.parse(text) as unknown };
    } catch {
      result = { ok: false, utf8: true };
    }
  }
  if (lastBytes.length < data.length) lastBytes = new Uint8Array(Math.max(data.length, 2 * lastBytes.length));
  lastBytes.set(data);
  lastLength = data.length;
  lastResult = result!;
  return result!;
}

/** Whether `data` is the copy kept (same length checked by the caller). */
function sameBytes(data: Uint8Array): boolean {
  const last = lastBytes;
  for (let i = 0; i < data.length; i++) if (data[i] !== last[i]) return false;
  return true;
}
