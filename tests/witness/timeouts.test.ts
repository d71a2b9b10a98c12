/**
 * Time and size bounds on both sides of C2SP tlog-witness (issue 17): the witness's HTTP
 * server ends a half-open connection (408), a connection that sends nothing, a request
 * whose body never completes and an idle kept-alive connection; the registry's client
 * gives up on a witness that accepts the connection and never answers (its deadline) and
 * stops reading an answer that streams past 64 KiB.
 */
import net from 'node:net';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCosignature, MAX_RESPONSE_BYTES } from '../../src/witness/index.ts';
import { initWitness } from '../../src/witness/node/datadir.ts';
import { startWitnessServer, WITNESS_HTTP_TIMEOUTS, type RunningWitness } from '../../src/witness/node/serve.ts';
import { TestLog, verify, witnessKey } from './fixtures.ts';

/** Connect, send `payload` (maybe nothing), and resolve with what came back once the server closes the socket. */
function openAndWait(port: number, payload: string): Promise<{ data: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    let data = '';
    let closedByServer = false;
    const s = net.connect(port, '127.0.0.1', () => {
      if (payload) s.write(payload);
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('end', () => (closedByServer = true));
    s.on('error', reject);
    s.on('close', () => resolve({ data, closedByServer }));
  });
}

const root = mkdtempSync(path.join(tmpdir(), 'datadeed-witness-timeouts-'));
let running: RunningWitness;

beforeAll(async () => {
  const dir = path.join(root, 'w');
  await initWitness(dir, 'notary.test/timeouts');
  running = await startWitnessServer({
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
    timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500, checkIntervalMs: 100 },
  });
}, 300_000);

afterAll(async () => {
  await running?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the witness HTTP server', { timeout: 60_000 }, () => {
  it('uses bounds well below Node’s defaults', () => {
    expect(WITNESS_HTTP_TIMEOUTS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(WITNESS_HTTP_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(60_000);
    expect(WITNESS_HTTP_TIMEOUTS.keepAliveTimeoutMs).toBeLessThanOrEqual(10_000);
  });

  it('closes a half-open connection (a partial request line, then nothing) with 408', async () => {
    const r = await openAndWait(running.port, 'POST /add-checkpoint HT');
    expect(r.closedByServer).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that sends nothing, one whose body never completes, and an idle kept-alive one', async () => {
    const [silent, partial, idle] = await Promise.all([
      openAndWait(running.port, ''),
      openAndWait(running.port, 'POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: 1000\r\n\r\nold 0\n'),
      openAndWait(running.port, 'GET /healthz HTTP/1.1\r\nHost: w\r\nConnection: keep-alive\r\n\r\n'),
    ]);
    expect(silent.closedByServer).toBe(true);
    expect(partial.closedByServer).toBe(true);
    expect(partial.data).not.toMatch(/^HTTP\/1\.1 200 /);
    expect(idle.closedByServer).toBe(true);
    expect(idle.data).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses a body above 64 KiB with 413 before reading it', async () => {
    const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('request_too_large');
  });
});

describe('the registry’s witness client', { timeout: 60_000 }, () => {
  const W = witnessKey('notary.test/slow', 'timeouts slow');
  let server: http.Server;
  let url = '';
  /** What the fake witness does with a request. */
  let behaviour: 'hang' | 'flood' = 'hang';
  const open = new Set<net.Socket>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      if (behaviour === 'hang') return; // accepts, reads, never answers
      res.writeHead(200, { 'content-type': 'text/plain' }); // no content-length: streams
      const chunk = `— notary.test/slow ${'A'.repeat(1000)}\n`;
      const push = () => {
        while (res.write(chunk)) if (res.writableLength > 1 << 20) break;
      };
      push();
      res.on('drain', push);
    });
    server.on('connection', (s) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  });
  afterAll(async () => {
    for (const s of open) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const request = async (signal?: AbortSignal) => {
    const log = new TestLog().append(3);
    return requestCosignature({
      url,
      checkpoint: await log.checkpoint(),
      size: 3,
      oldSize: 0,
      consistencyProof: () => [],
      cosigners: [W.key],
      verify,
      fetch: (u, init) => fetch(u, init),
      ...(signal ? { signal } : {}),
    });
  };

  it('gives up on a witness that never answers at its deadline', async () => {
    behaviour = 'hang';
    await expect(request(AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('stops reading an answer that streams past 64 KiB', async () => {
    behaviour = 'flood';
    await expect(request(AbortSignal.timeout(30_000))).rejects.toMatchObject({ code: 'malformed_response', message: 'response too large' });
    expect(MAX_RESPONSE_BYTES).toBe(64 * 1024);
  });
});
