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
import { bytesEqual } from '../ledger/index.ts';

/** The entry's text (strict UTF-8) and its JSON value; `utf8: false` when the bytes are not UTF-8, `json: false` when the text is not JSON. */
export type ParsedEntryJson = { readonly ok: true; readonly text: string; readonly value: unknown } | { readonly ok: false; readonly utf8: boolean };

const strict = new TextDecoder('utf-8', { fatal: true });
let lastBytes: Uint8Array = new Uint8Array(0);
let lastResult: ParsedEntryJson | undefined;

/**
 * `JSON.parse` of the strict UTF-8 decoding of `data` (a leading byte-order mark is
 * dropped, as `TextDecoder` does), remembered for the next call with the same bytes.
 * Never throws.
 */
export function parseEntryJson(data: Uint8Array): ParsedEntryJson {
  if (lastResult !== undefined && data.length === lastBytes.length && bytesEqual(data, lastBytes)) return lastResult;
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
  lastBytes = data.slice();
  lastResult = result!;
  return result!;
}
