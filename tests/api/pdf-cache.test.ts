/**
 * Certificate PDFs are rendered once per (certificate, checkpoint, status) and served from a
 * bounded cache (issue 15, finding 7: four anonymous clients fetching PDFs raised other
 * requests' p99 from 32 ms to 574 ms). The renderer is spied on: a second request, or four
 * at once, render nothing more; a newer checkpoint or a status change renders afresh.
 * Checkpoints are published on demand only here (no interval), so each one is the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { PdfCache } from '../../src/api/pdf-cache.ts';
import { parseBundle } from '../../src/certificates/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { renderCertificatePdf, verifyPdf } from '../../src/certificates/pdf/index.ts';
import { extractBundleFromPdf } from '../../src/certificates/pdf/extract.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let applicant: Actor;
let reviewer: Actor;
let number: string;
const renders: string[] = [];
const spy: typeof renderCertificatePdf = async (input) => {
  renders.push(`${input.payload.number}@${input.bundle.inclusion.treeSize}`);
  return renderCertificatePdf(input);
};
const newApp = () => createApp(ctx.services, { certificatePdfs: { render: spy, cache: new PdfCache() } });
let app: ReturnType<typeof newApp>;

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  return app.request(p, { method, headers: { ...(who ? who.auth : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
}
const pdfOf = async (n = number) => {
  const res = await call('GET', `/v1/certificates/${n}/pdf`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
};
async function trust() {
  const keys = (await (await call('GET', '/v1/keys')).json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
}
/** A newer published checkpoint: one more entry (an append is acknowledged with a checkpoint that includes it). */
async function newerCheckpoint(): Promise<number> {
  return (await ctx.appendEvent({ kind: 'test.filler', n: renders.length } as never)).checkpoint.size;
}

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_CHECKPOINT_INTERVAL_MS: '3600000' });
  app = newApp();
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  const id = ((await (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).json()) as { id: string }).id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * 86_400_000);
  number = ((await (await call('POST', `/v1/applications/${id}/approve`, reviewer)).json()) as { certificate: { number: string } }).certificate.number;
});
afterAll(async () => {
  await ctx?.close();
});

describe('certificate PDF cache', () => {
  it('a second request does not render again, and serves the same verifying bytes', async () => {
    const first = await pdfOf();
    expect(renders).toHaveLength(1);
    const second = await pdfOf();
    expect(renders).toHaveLength(1);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect((await verifyPdf(second, await trust(), nodeCrypto)).ok).toBe(true);
  });

  it('four requests at once render once', async () => {
    app = newApp(); // an empty cache
    const before = renders.length;
    const pdfs = await Promise.all([pdfOf(), pdfOf(), pdfOf(), pdfOf()]);
    expect(renders.length - before).toBe(1);
    for (const p of pdfs) expect(Buffer.from(p).equals(Buffer.from(pdfs[0]!))).toBe(true);
  });

  it('a newer checkpoint renders afresh, with the bundle proven to it', async () => {
    const before = renders.length;
    const size = await newerCheckpoint();
    const pdf = await pdfOf();
    expect(renders.length - before).toBe(1);
    expect(renders.at(-1)).toBe(`${number}@${size}`);
    expect(parseBundle(new TextDecoder().decode((await extractBundleFromPdf(pdf)).bytes)).inclusion.treeSize).toBe(size);
    await pdfOf();
    expect(renders.length - before).toBe(1);
  });

  it('a status change renders afresh, even without a newer checkpoint (validity runs out on the clock)', async () => {
    const before = renders.length;
    const cp = (await ctx.services.log.latestCheckpoint())!.size;
    const cert = (await (await call('GET', `/v1/certificates/${number}`)).json()) as { status: string; validUntil: string };
    expect(cert.status).toBe('active');
    ctx.clock.t = new Date(Date.parse(cert.validUntil) + 86_400_000);
    expect(((await (await call('GET', `/v1/certificates/${number}`)).json()) as { status: string }).status).toBe('expired');
    expect((await ctx.services.log.latestCheckpoint())!.size).toBe(cp);
    await pdfOf();
    expect(renders.length - before).toBe(1);
    await pdfOf();
    expect(renders.length - before).toBe(1);
  });
});

describe('PdfCache', () => {
  const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

  it('keeps at most maxEntries, least recently used out first', async () => {
    const cache = new PdfCache(2, 1000);
    let made = 0;
    const make = (n: number) => async () => (made++, bytes(10, n));
    await cache.get('a', make(1));
    await cache.get('b', make(2));
    await cache.get('a', make(1)); // a is now the most recent
    await cache.get('c', make(3)); // b goes
    expect(made).toBe(3);
    await cache.get('a', make(1));
    expect(made).toBe(3);
    await cache.get('b', make(2));
    expect(made).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('keeps at most maxBytes, and never keeps a failed render or a PDF larger than the bound', async () => {
    const cache = new PdfCache(100, 25);
    await cache.get('a', async () => bytes(10));
    await cache.get('b', async () => bytes(10));
    await cache.get('c', async () => bytes(10));
    expect([cache.size, cache.bytes]).toEqual([2, 20]);
    await cache.get('big', async () => bytes(26));
    expect([cache.size, cache.bytes]).toEqual([2, 20]);
    await expect(cache.get('bad', async () => Promise.reject(new Error('render failed')))).rejects.toThrow('render failed');
    let tried = false;
    await cache.get('bad', async () => ((tried = true), bytes(1)));
    expect(tried).toBe(true);
  });
});
