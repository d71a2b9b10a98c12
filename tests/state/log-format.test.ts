/**
 * docs/log-format.md against a second, independent implementation: the python3
 * reference (tests/state/log_format_ref.py, written from the document alone) computes
 * each byte construction — canonical entries, RFC 6962 leaf and node hashes, the text
 * hash, the application version digest, the certificate `payloadDigest` and its
 * `certificate.issued` entry, the pledge `amountCommitment` — from the inputs in
 * tests/vectors/log-format/cases.json. Its answers are the known answers
 * (tests/vectors/log-format/expected.json); ours must equal them byte for byte, and the
 * document's worked examples must show them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeEntry, fromHex, rfc6962, sha256, toHex, utf8, type LogEvent } from '../../src/ledger/index.ts';
import { certificateIssuedEvent, certificatePayloadDigest, type CertificatePayload, type IssuanceLinks } from '../../src/certificates/index.ts';
import { amountCommitment, formDigest, textHash } from '../../src/registry/index.ts';
import { hasPython } from './helpers.ts';

const dir = new URL('../vectors/log-format/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  entries: LogEvent[];
  payloads: { payload: CertificatePayload; links?: IssuanceLinks }[];
  amounts: { value: string; currency: string; nonce: string }[];
  forms: Record<string, unknown>[];
  texts: string[];
  nodes: [string, string][];
};
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
  entries: { entry: string; leaf: string }[];
  payloads: { payloadDigest: string; issuedEntry: string; leaf: string }[];
  amounts: string[];
  forms: string[];
  texts: string[];
  nodes: string[];
};
const REFERENCE = fileURLToPath(new URL('./log_format_ref.py', import.meta.url));
const DOC = readFileSync(new URL('../../docs/log-format.md', import.meta.url), 'utf8');

describe('log format byte constructions', () => {
  it.runIf(hasPython)('the python3 reference reproduces the known answers from the inputs', () => {
    const run = spawnSync('python3', [REFERENCE], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it('entries: canonical bytes and RFC 6962 leaf hashes', () => {
    cases.entries.forEach((event, i) => {
      const bytes = encodeEntry(event);
      expect(new TextDecoder().decode(bytes)).toBe(expected.entries[i]!.entry);
      expect(toHex(rfc6962.hashLeaf(bytes))).toBe(expected.entries[i]!.leaf);
    });
  });

  it('interior node hash', () => {
    cases.nodes.forEach(([l, r], i) => expect(toHex(rfc6962.hashChildren(fromHex(l), fromHex(r)))).toBe(expected.nodes[i]));
  });

  it('payloadDigest over the payload without log, and the certificate.issued entry', () => {
    cases.payloads.forEach(({ payload, links }, i) => {
      expect(certificatePayloadDigest(payload)).toBe(expected.payloads[i]!.payloadDigest);
      const entry = encodeEntry(certificateIssuedEvent(payload, links));
      expect(new TextDecoder().decode(entry)).toBe(expected.payloads[i]!.issuedEntry);
      expect(toHex(rfc6962.hashLeaf(entry))).toBe(expected.payloads[i]!.leaf);
    });
  });

  it('pledge amountCommitment', () => {
    cases.amounts.forEach((a, i) => expect(amountCommitment({ value: a.value, currency: a.currency }, a.nonce)).toBe(expected.amounts[i]));
  });

  it('application version digest', () => {
    cases.forms.forEach((f, i) => expect(formDigest(f as never)).toBe(expected.forms[i]));
  });

  it('text hash', () => {
    cases.texts.forEach((t, i) => {
      expect(textHash(t)).toBe(expected.texts[i]);
      expect(toHex(sha256(utf8(t)))).toBe(expected.texts[i]);
    });
  });

  it('the document shows the worked examples', () => {
    const shown = [
      expected.entries[0]!.leaf,
      expected.nodes[0]!,
      expected.payloads[0]!.payloadDigest,
      expected.payloads[0]!.leaf,
      expected.amounts[0]!,
      expected.forms[0]!,
      expected.texts[0]!,
    ];
    for (const h of shown) expect(DOC, h).toContain(h);
    expect(DOC).toContain(expected.entries[0]!.entry);
    expect(DOC).toContain(expected.payloads[0]!.issuedEntry);
    expect(DOC).toContain(expected.payloads[1]!.issuedEntry);
    expect(DOC).toContain(expected.payloads[1]!.leaf);
  });
});
