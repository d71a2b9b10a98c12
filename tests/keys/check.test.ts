/** The pure rule `checkKeys`: the keys on disk against the keys the log holds, case by case. */
import { describe, expect, it } from 'vitest';
import { checkDocumentKeys, checkKeys, KeyError, trustedKeys, type DiskDocumentKeys, type DiskKeys, type LogKeyState, type PublishedKey } from '../../src/keys/index.ts';

const ORIGIN = 'rule.datadeed.localhost/log';
const key = (id: string, purpose: string, validFrom = '2026-01-01T00:00:00Z', validUntil: string | null = null): PublishedKey => ({
  keyId: id,
  name: purpose === 'log' ? ORIGIN : `${ORIGIN}/certificate`,
  purpose,
  vkey: `vkey-${id}`,
  validFrom: new Date(validFrom),
  validUntil: validUntil ? new Date(validUntil) : null,
  logIndex: null,
});
const found = (id: string) => ({ keyId: id, vkey: `vkey-${id}` });
const disk = (log: string | null, ...certificates: string[]): DiskKeys => ({
  log: log ? found(log) : null,
  logFile: '/data/keys/log.key',
  certificates: certificates.map(found),
  certificateDir: '/data/keys',
});
const empty: LogKeyState = { origin: ORIGIN, treeSize: 0, held: [] };
const running: LogKeyState = { origin: ORIGIN, treeSize: 9, held: [key('11111111', 'log'), key('22222222', 'certificate', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), key('33333333', 'certificate', '2026-02-01T00:00:00Z')] };

function refusal(fn: () => unknown): KeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyError);
    return e as KeyError;
  }
  throw new Error('expected a KeyError');
}

describe('checkKeys on an empty log', () => {
  it('asks to generate what is missing, and only there', () => {
    expect(checkKeys(empty, disk(null))).toEqual({ kind: 'generate', log: true, certificate: true });
    expect(checkKeys(empty, disk('aaaaaaaa'))).toEqual({ kind: 'generate', log: false, certificate: true });
    expect(checkKeys(empty, disk(null, 'bbbbbbbb'))).toEqual({ kind: 'generate', log: true, certificate: false });
    expect(checkKeys(empty, disk(null), 'rotate')).toEqual({ kind: 'generate', log: true, certificate: false });
  });

  it('publishes the keys found (made by keys generate, or just generated), log key first', () => {
    expect(checkKeys(empty, disk('aaaaaaaa', 'bbbbbbbb'))).toEqual({
      kind: 'ready',
      log: found('aaaaaaaa'),
      certificate: found('bbbbbbbb'),
      publish: [
        { purpose: 'log', key: found('aaaaaaaa') },
        { purpose: 'certificate', key: found('bbbbbbbb') },
      ],
    });
    expect(checkKeys(empty, disk('aaaaaaaa'), 'rotate')).toMatchObject({ kind: 'ready', certificate: null, publish: [{ purpose: 'log' }] });
  });

  it('refuses to choose among several certificate keys', () => {
    const e = refusal(() => checkKeys(empty, disk('aaaaaaaa', 'bbbbbbbb', 'cccccccc')));
    expect(e.code).toBe('certificate_key_ambiguous');
    expect(e.found).toEqual(['bbbbbbbb', 'cccccccc']);
  });
});

describe('checkKeys on a log that holds keys', () => {
  it('accepts the log key and the active certificate key (other certificate key files may lie beside it) and publishes nothing', () => {
    expect(checkKeys(running, disk('11111111', '22222222', '33333333', '44444444'))).toEqual({
      kind: 'ready',
      log: found('11111111'),
      certificate: found('33333333'),
      publish: [],
    });
  });

  it('never generates: a missing log key file refuses, naming the expected key', () => {
    const e = refusal(() => checkKeys(running, disk(null, '33333333')));
    expect(e).toMatchObject({ code: 'log_key_missing', expected: '11111111', found: [] });
    expect(e.message).toContain('11111111');
    expect(e.message).toContain('/data/keys/log.key');
  });

  it('a different log key refuses, naming both key IDs', () => {
    const e = refusal(() => checkKeys(running, disk('99999999', '33333333')));
    expect(e).toMatchObject({ code: 'log_key_mismatch', expected: '11111111', found: ['99999999'] });
    expect(e.message).toContain('11111111');
    expect(e.message).toContain('99999999');
  });

  it('a log key with the expected ID but another public key refuses', () => {
    const impostor = { ...disk('11111111', '33333333'), log: { keyId: '11111111', vkey: 'vkey-other' } };
    expect(refusal(() => checkKeys(running, impostor)).code).toBe('log_key_mismatch');
  });

  it('the log key that counts is the first one published (a second, stray log key is not accepted)', () => {
    const damaged: LogKeyState = { ...running, held: [...running.held, key('55555555', 'log', '2026-03-01T00:00:00Z')] };
    expect(refusal(() => checkKeys(damaged, disk('55555555', '33333333')))).toMatchObject({ code: 'log_key_mismatch', expected: '11111111' });
  });

  it('the active certificate key must be on disk: missing or different refuses, naming both', () => {
    expect(refusal(() => checkKeys(running, disk('11111111')))).toMatchObject({ code: 'certificate_key_missing', expected: '33333333', found: [] });
    const e = refusal(() => checkKeys(running, disk('11111111', '22222222', '44444444')));
    expect(e).toMatchObject({ code: 'certificate_key_mismatch', expected: '33333333', found: ['22222222', '44444444'] });
    expect(e.message).toContain('33333333');
    expect(e.message).toContain('44444444');
  });

  it('in rotate mode only the log key is checked', () => {
    expect(checkKeys(running, disk('11111111'), 'rotate')).toEqual({ kind: 'ready', log: found('11111111'), certificate: null, publish: [] });
    expect(refusal(() => checkKeys(running, disk('99999999'), 'rotate')).code).toBe('log_key_mismatch');
  });

  it('a log with entries but no published log key refuses rather than adopt a key', () => {
    const e = refusal(() => checkKeys({ origin: ORIGIN, treeSize: 3, held: [] }, disk('aaaaaaaa', 'bbbbbbbb')));
    expect(e.code).toBe('log_key_missing');
  });

  it('the race loser: keys published meanwhile by another instance refuse different keys, accept the same ones', () => {
    const raced: LogKeyState = { origin: ORIGIN, treeSize: 2, held: [key('aaaaaaaa', 'log'), key('bbbbbbbb', 'certificate')] };
    expect(refusal(() => checkKeys(raced, disk('cccccccc', 'dddddddd'))).code).toBe('log_key_mismatch');
    expect(refusal(() => checkKeys(raced, disk('aaaaaaaa', 'dddddddd'))).code).toBe('certificate_key_mismatch');
    expect(checkKeys(raced, disk('aaaaaaaa', 'bbbbbbbb'))).toMatchObject({ kind: 'ready', publish: [] });
  });
});

describe('trustedKeys', () => {
  it('turns the published keys into the verifier trust: log vkeys, certificate vkeys with their windows, document certificates', () => {
    expect(trustedKeys(running.held)).toEqual({
      logKeys: ['vkey-11111111'],
      certificateKeys: [
        { vkey: 'vkey-22222222', validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2026-02-01T00:00:00.000Z' },
        { vkey: 'vkey-33333333', validFrom: '2026-02-01T00:00:00.000Z', validUntil: null },
      ],
      documentKeys: [],
    });
    const withDocument = [...running.held, documentKey('0123456789abcdef', 'CERT-A')];
    expect(trustedKeys(withDocument).documentKeys).toEqual([{ certificate: 'CERT-A', caCertificate: 'CA' }]);
    expect(trustedKeys(withDocument).logKeys).toEqual(['vkey-11111111']);
  });
});

/** A published document key: its certificate (base64 DER, here a label) and its CA's. */
function documentKey(id: string, certificate: string, validFrom = '2026-01-01T00:00:00Z', validUntil: string | null = null): PublishedKey {
  return { keyId: id, name: `${ORIGIN}/document`, purpose: 'document', vkey: null, certificate, caCertificate: 'CA', validFrom: new Date(validFrom), validUntil: validUntil ? new Date(validUntil) : null, logIndex: null };
}
const docFile = (id: string, certificate = `CERT-${id}`) => ({ keyId: id, certificate, caCertificate: 'CA' });
const docDisk = (...keys: ReturnType<typeof docFile>[]): DiskDocumentKeys => ({ keys, dir: '/data/keys' });

describe('checkDocumentKeys', () => {
  it('a log that holds no document key (empty, or from before document signatures): generate one, or publish the one file found', () => {
    expect(checkDocumentKeys(empty, docDisk())).toEqual({ kind: 'generate' });
    expect(checkDocumentKeys(running, docDisk())).toEqual({ kind: 'generate' });
    expect(checkDocumentKeys(running, docDisk(docFile('aaaaaaaaaaaaaaaa')))).toEqual({ kind: 'ready', key: docFile('aaaaaaaaaaaaaaaa'), publish: true });
  });

  it('refuses to choose among several document key files for a log that holds none', () => {
    const e = refusal(() => checkDocumentKeys(running, docDisk(docFile('aaaaaaaaaaaaaaaa'), docFile('bbbbbbbbbbbbbbbb'))));
    expect(e).toMatchObject({ code: 'document_key_ambiguous', expected: null, found: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'] });
  });

  it('the log’s active document key must be on disk with the certificate the log holds; others may lie beside it', () => {
    const held: LogKeyState = { ...running, held: [...running.held, documentKey('aaaaaaaaaaaaaaaa', 'CERT-aaaaaaaaaaaaaaaa', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), documentKey('cccccccccccccccc', 'CERT-cccccccccccccccc', '2026-02-01T00:00:00Z')] };
    expect(checkDocumentKeys(held, docDisk(docFile('aaaaaaaaaaaaaaaa'), docFile('cccccccccccccccc')))).toEqual({ kind: 'ready', key: docFile('cccccccccccccccc'), publish: false });
    const missing = refusal(() => checkDocumentKeys(held, docDisk()));
    expect(missing).toMatchObject({ code: 'document_key_missing', expected: 'cccccccccccccccc', found: [] });
    const other = refusal(() => checkDocumentKeys(held, docDisk(docFile('aaaaaaaaaaaaaaaa'), docFile('dddddddddddddddd'))));
    expect(other).toMatchObject({ code: 'document_key_mismatch', expected: 'cccccccccccccccc', found: ['aaaaaaaaaaaaaaaa', 'dddddddddddddddd'] });
    expect(other.message).toContain('cccccccccccccccc');
    expect(other.message).toContain('dddddddddddddddd');
    // the expected key ID, but another certificate
    const impostor = refusal(() => checkDocumentKeys(held, docDisk(docFile('cccccccccccccccc', 'CERT-other'))));
    expect(impostor).toMatchObject({ code: 'document_key_mismatch', expected: 'cccccccccccccccc' });
  });

  it('a log whose document keys are all retired refuses rather than adopt a file', () => {
    const retired: LogKeyState = { ...running, held: [...running.held, documentKey('aaaaaaaaaaaaaaaa', 'CERT-aaaaaaaaaaaaaaaa', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')] };
    expect(refusal(() => checkDocumentKeys(retired, docDisk(docFile('bbbbbbbbbbbbbbbb')))).code).toBe('document_key_missing');
  });
});
