/**
 * `datadeed verify`: offline (PDF and bundle), online (live status and log
 * consistency against a small HTTP server built from the test log), exit codes and
 * argument errors with stable codes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64, toHex } from '../../src/ledger/index.ts';
import { serializeBundle } from '../../src/certificates/index.ts';
import { renderCertificatePdf } from '../../src/certificates/pdf/index.ts';
import { runVerify, type VerifyIo } from '../../src/cli/verify.ts';
import {
  CERT_KEY_NEW,
  CERT_KEY_NEW_WINDOW,
  CERT_KEY_OLD,
  CERT_KEY_OLD_WINDOW,
  LOG_KEY,
  TestLog,
  bundleFor,
  loggedDocumentSigner,
  provenStatus,
  sampleStatusRecord,
  standardLog,
  testDocumentKey,
} from './fixtures.ts';

const { log, oldCert, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);
const bundleSize = log.size;
const documentKey = await testDocumentKey();
const signer = loggedDocumentSigner(log, documentKey); // the registry's document key, published in its log
log.fill(7); // the registry's log grew since the bundle was made

const dir = mkdtempSync(path.join(tmpdir(), 'dd-cli-'));
const bundleFile = path.join(dir, 'DIP-2025-000123.datadeed.json');
writeFileSync(bundleFile, serializeBundle(bundle));
const pdfFile = path.join(dir, 'DIP-2025-000123.pdf');
writeFileSync(pdfFile, await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: new Date('2025-07-01T08:00:05Z'), signer }));
const unsignedFile = path.join(dir, 'unsigned.pdf');
writeFileSync(unsignedFile, await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: new Date('2025-07-01T08:00:05Z'), signer: null }));
const tamperedFile = path.join(dir, 'tampered.datadeed.json');
writeFileSync(tamperedFile, serializeBundle({ ...bundle, signature: { keyId: bundle.signature!.keyId, sig: `A${bundle.signature!.sig.slice(1)}` } }));
const garbageFile = path.join(dir, 'garbage.pdf');
writeFileSync(garbageFile, `%PDF-1.7\n${'garbage '.repeat(100)}`);

const keysDocument = {
  origin: 'test.datadeed.localhost/log',
  keys: [
    { keyId: LOG_KEY.keyId, name: LOG_KEY.name, purpose: 'log', vkey: LOG_KEY.vkey, validFrom: '2024-01-01T00:00:00.000Z', validUntil: null, logIndex: 0 },
    { keyId: CERT_KEY_OLD.keyId, name: CERT_KEY_OLD.name, purpose: 'certificate', vkey: CERT_KEY_OLD.vkey, ...CERT_KEY_OLD_WINDOW, logIndex: 1 },
    { keyId: CERT_KEY_NEW.keyId, name: CERT_KEY_NEW.name, purpose: 'certificate', vkey: CERT_KEY_NEW.vkey, ...CERT_KEY_NEW_WINDOW, logIndex: 2 },
    {
      keyId: documentKey.keyId,
      name: documentKey.name,
      purpose: 'document',
      vkey: null,
      validFrom: '2025-01-01T00:00:00.000Z',
      validUntil: null,
      logIndex: 3,
      certificate: toBase64(documentKey.certificate),
      caCertificate: toBase64(documentKey.caCertificate),
    },
  ],
};
const keysFile = path.join(dir, 'keys.json');
writeFileSync(keysFile, JSON.stringify(keysDocument));

const LOG_ARG = ['--key', LOG_KEY.vkey];
const CERT_ARGS = ['--key', `${CERT_KEY_NEW.vkey},${CERT_KEY_NEW_WINDOW.validFrom}`, '--key', `${CERT_KEY_OLD.vkey},${CERT_KEY_OLD_WINDOW.validFrom},${CERT_KEY_OLD_WINDOW.validUntil}`];

/** The registry as the CLI sees it: a served log (switchable to a forked one) and certificate statuses. */
let servedLog: TestLog = log;
const statuses = new Map<string, Record<string, unknown>>([['DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active' }]]);
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (url.pathname === '/checkpoint') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(await servedLog.checkpoint());
      } else if (url.pathname === '/v1/keys') json(200, keysDocument);
      else if (url.pathname === '/v1/log/proof/consistency') {
        const from = Number(url.searchParams.get('from'));
        const to = Number(url.searchParams.get('to'));
        json(200, { from, to, proof: servedLog.consistencyProof(from, to).map(toHex) });
      } else {
        const m = /^\/v1\/certificates\/([^/]+)\/status$/.exec(url.pathname);
        const s = m ? statuses.get(decodeURIComponent(m[1]!)) : undefined;
        // the registry's answer carries the state proof of the status it states, unless the test gave one (or none: null)
        if (s)
          json(200, {
            ...s,
            stateProof:
              s.stateProof === undefined ? await provenStatus(log, String(s.number), sampleStatusRecord(String(s.status), { supersededBy: s.supersededBy ?? null })) : (s.stateProof ?? undefined),
          });
        else json(404, { type: 'about:blank', status: 404, code: 'certificate_not_found' });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: VerifyIo = { out: (t) => void (out += t), err: (t) => void (err += t), fetch: (...a) => fetch(...a) };
  const code = await runVerify(args, io);
  return { code, out, err };
}

function row(out: string, name: string): string | undefined {
  return out.split('\n').find((l) => l.trim().startsWith(`${name} `));
}

describe('datadeed verify (offline)', () => {
  it('verifies a bundle file with pinned keys: exit 0 and a table', async () => {
    const r = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('VERIFIED: certificate DIP-2025-000123');
    for (const c of ['format', 'checkpoint_signature', 'inclusion_proof', 'entry_matches_payload', 'certificate_signature', 'key_validity']) {
      expect(row(r.out, c)).toMatch(/PASS\s+ok/);
    }
    expect(r.out).toContain('福建数据科技有限公司 (91350100M000100Y43)');
  });

  it('verifies a certificate PDF from its attachment (with pdf_binding) and its signature by the logged document key', async () => {
    const r = await run([pdfFile, ...LOG_ARG, ...CERT_ARGS]);
    expect(r.code, r.out).toBe(0);
    expect(row(r.out, 'pdf_binding')).toMatch(/PASS\s+ok/);
    expect(row(r.out, 'pdf_signature')).toMatch(new RegExp(`PASS\\s+ok\\s+the whole file is signed by document key ${documentKey.keyId}`));
    // the document key from a saved /v1/keys document, too
    const k = await run([pdfFile, '--keys', keysFile]);
    expect(k.code, k.out).toBe(0);
  });

  it('an unsigned PDF: exit 1 with pdf_signature failing pdf_unsigned (its bundle verifies)', async () => {
    const r = await run([unsignedFile, ...LOG_ARG, ...CERT_ARGS]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('NOT VERIFIED: certificate DIP-2025-000123');
    expect(row(r.out, 'pdf_signature')).toMatch(/FAIL\s+pdf_unsigned/);
    expect(row(r.out, 'certificate_signature')).toMatch(/PASS\s+ok/);
  });

  it('takes keys and windows from a saved /v1/keys document', async () => {
    expect((await run([bundleFile, '--keys', keysFile])).code).toBe(0);
    expect((await run([await oldBundleFile(), '--keys', keysFile])).code).toBe(0);
  });

  it('a certificate key without a window is trusted at any date, and says so', async () => {
    const r = await run([bundleFile, ...LOG_ARG, '--key', CERT_KEY_NEW.vkey]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('without a validity window');
  });

  it('a tampered bundle: exit 1, and the table names the failed check', async () => {
    const r = await run([tamperedFile, ...LOG_ARG, ...CERT_ARGS]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('NOT VERIFIED');
    expect(row(r.out, 'certificate_signature')).toMatch(/FAIL\s+bad_signature/);
    expect(r.out).toContain('NOT verified');
  });

  it('a key used outside its window: exit 1 with key_validity', async () => {
    const r = await run([bundleFile, ...LOG_ARG, '--key', `${CERT_KEY_NEW.vkey},2026-01-01T00:00:00Z`]);
    expect(r.code).toBe(1);
    expect(row(r.out, 'key_validity')).toMatch(/FAIL\s+key_not_valid_at_issue_date/);
  });

  it('an unreadable PDF: exit 1 with a stable code', async () => {
    const r = await run([garbageFile, ...LOG_ARG]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('[pdf_unreadable]');
  });

  it('--json prints the checks as JSON', async () => {
    const r = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--json']);
    const parsed = JSON.parse(r.out) as { ok: boolean; checks: { name: string; code: string }[]; payload: { number: string } };
    expect(parsed.ok).toBe(true);
    expect(parsed.checks).toHaveLength(6);
    expect(parsed.payload.number).toBe('DIP-2025-000123');
  });

  it('bad arguments exit 2, unreadable input 3, an unreachable registry 4, each with a stable code', async () => {
    const cases: [string[], string, number][] = [
      [[], 'bad_arguments', 2],
      [[bundleFile, bundleFile, ...LOG_ARG], 'bad_arguments', 2],
      [[bundleFile, '--bogus'], 'bad_arguments', 2],
      [[bundleFile], 'no_trusted_keys', 2],
      [[bundleFile, '--key', 'not-a-vkey'], 'bad_key', 2],
      [[bundleFile, '--key', `${CERT_KEY_NEW.vkey},someday`], 'bad_key', 2],
      [[bundleFile, ...LOG_ARG, '--online', 'ftp://example.com'], 'bad_url', 2],
      [[path.join(dir, 'missing.pdf'), ...LOG_ARG], 'file_not_found', 3],
      [[dir, ...LOG_ARG], 'file_not_found', 3],
      [[bundleFile, '--keys', path.join(dir, 'missing.json')], 'bad_keys_file', 3],
      [[bundleFile, '--keys', bundleFile], 'bad_keys_file', 3],
      // a network failure is not a usage error (issue 15, finding 10)
      [[bundleFile, '--online', 'http://127.0.0.1:9/'], 'keys_unavailable', 4],
    ];
    for (const [args, code, exit] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(exit);
      expect(r.err, args.join(' ')).toContain(`datadeed verify: [${code}]`);
    }
  });

  it('is registered as `datadeed verify`', async () => {
    const { main } = await import('../../src/cli/main.ts');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(['verify', bundleFile, ...LOG_ARG, ...CERT_ARGS])).toBe(0);
      expect(await main(['verify', tamperedFile, ...LOG_ARG, ...CERT_ARGS])).toBe(1);
    } finally {
      process.stdout.write = write;
    }
  });
});

describe('datadeed verify --online', () => {
  it('checks log consistency and live status; trusts the server’s keys only when none are pinned, and says so', async () => {
    const r = await run([bundleFile, '--online', `${base}/`]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`trusting the keys served by ${base}/v1/keys`);
    expect(row(r.out, 'log_consistency')).toMatch(new RegExp(`PASS\\s+ok\\s+tree size ${bundleSize} → ${log.size}`));
    expect(row(r.out, 'live_status')).toMatch(/PASS\s+ok\s+active/);
    const pinned = await run([pdfFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
    expect(pinned.code).toBe(0);
    expect(pinned.err).toBe('');
  });

  it('a revoked or superseded certificate: exit 1 naming the status', async () => {
    statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'revoked' });
    try {
      const r = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
      expect(r.code).toBe(1);
      expect(row(r.out, 'live_status')).toMatch(/FAIL\s+revoked/);
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'superseded', supersededBy: 'DIP-2026-000007' });
      expect(row((await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base])).out, 'live_status')).toMatch(/FAIL\s+superseded\s+superseded by DIP-2026-000007/);
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'pledged' });
      expect((await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base])).code).toBe(0);
      statuses.delete('DIP-2025-000123');
      expect(row((await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base])).out, 'live_status')).toMatch(/FAIL\s+unknown_certificate/);
    } finally {
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active' });
    }
  });

  it('a proxy rewriting the status of a pledged certificate to active: the state proof contradicts it, exit 1', async () => {
    const pledged = sampleStatusRecord('pledged', { pledges: [{ pledgeNumber: 'PLG-2025-000001', pledgee: '3f0c6a52-5a57-4d2e-9f51-2b7c0c1f8e11', termStart: '2025-08-01', termEnd: '2026-08-01' }] });
    const proof = await provenStatus(log, 'DIP-2025-000123', pledged);
    try {
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'pledged', stateProof: proof });
      const honest = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
      expect(honest.code, honest.out).toBe(0);
      expect(row(honest.out, 'status_proof')).toMatch(/PASS\s+ok\s+pledged \(pledges: PLG-2025-000001/);
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active', stateProof: proof });
      const r = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
      expect(r.code).toBe(1);
      expect(row(r.out, 'status_proof')).toMatch(/FAIL\s+status_contradicts_proof/);
      // and a proxy that also rewrites the record: the map proof fails
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active', stateProof: { ...proof, record: { ...pledged, status: 'active', pledges: [] } } });
      expect(row((await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base])).out, 'status_proof')).toMatch(/FAIL\s+bad_map_proof/);
      // or drops the proof
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active', stateProof: null });
      const none = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
      expect(none.code).toBe(1);
      expect(row(none.out, 'status_proof')).toMatch(/FAIL\s+no_status_proof/);
      // a proven record of another holder than the bundle's
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active', stateProof: await provenStatus(log, 'DIP-2025-000123', sampleStatusRecord('active', { holderUscc: '91110000100000000A' })) });
      expect(row((await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base])).out, 'status_proof')).toMatch(/FAIL\s+contradicts_bundle/);
    } finally {
      statuses.set('DIP-2025-000123', { number: 'DIP-2025-000123', status: 'active' });
    }
  });

  it('a registry whose log does not extend the bundle’s checkpoint (a fork): exit 1 with log_consistency', async () => {
    const fork = new TestLog();
    for (const e of log.entries.slice(0, bundleSize - 2)) fork.append(e);
    for (let i = 0; i < 12; i++) fork.appendEvent({ kind: 'test.fork', time: '2025-09-01T00:00:00Z', n: i });
    servedLog = fork;
    try {
      const r = await run([bundleFile, ...LOG_ARG, ...CERT_ARGS, '--online', base]);
      expect(r.code).toBe(1);
      expect(row(r.out, 'log_consistency')).toMatch(/FAIL\s+inconsistent/);
    } finally {
      servedLog = log;
    }
  });
});

async function oldBundleFile(): Promise<string> {
  const file = path.join(dir, 'DIP-2025-000045.datadeed.json');
  writeFileSync(file, serializeBundle(await bundleFor(log, oldCert, bundleSize)));
  return file;
}
