/** The data sample upload: bounded size, and a type checked against the bytes, not just the header. */
import { RegistryError } from '../registry/index.ts';

export const MAX_SAMPLE_BYTES = 1024 * 1024;

const TEXT_TYPES: Record<string, string> = {
  'text/csv': 'text/csv',
  'text/plain': 'text/plain',
  'application/json': 'application/json',
  'application/x-ndjson': 'application/x-ndjson',
};
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Returns the media type to store, or throws sample_type_not_allowed / sample_too_large. */
export function checkSample(contentType: string, bytes: Uint8Array): string {
  if (bytes.length > MAX_SAMPLE_BYTES) throw new RegistryError('sample_too_large', `the sample may be at most ${MAX_SAMPLE_BYTES} bytes`);
  if (bytes.length === 0) throw new RegistryError('sample_type_not_allowed', 'the sample is empty');
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === XLSX) {
    if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04))
      throw new RegistryError('sample_type_not_allowed', 'the body is not an XLSX (zip) file');
    return XLSX;
  }
  const t = TEXT_TYPES[type];
  if (!t) throw new RegistryError('sample_type_not_allowed', `samples may be CSV, JSON, NDJSON, plain text or XLSX, not ${type || 'untyped'}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RegistryError('sample_type_not_allowed', 'the sample is not valid UTF-8 text');
  }
  if (text.includes('\0')) throw new RegistryError('sample_type_not_allowed', 'the sample contains NUL bytes');
  if (t === 'application/json') {
    try {
      JSON.parse(text);
    } catch {
      throw new RegistryError('sample_type_not_allowed', 'the sample is not valid JSON');
    }
  }
  if (t === 'application/x-ndjson') {
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      try {
        JSON.parse(line);
      } catch {
        throw new RegistryError('sample_type_not_allowed', `line ${i + 1} of the sample is not JSON`);
      }
    }
  }
  return t.startsWith('text/') ? `${t}; charset=utf-8` : t;
}
