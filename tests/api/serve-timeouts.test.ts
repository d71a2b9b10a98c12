/**
 * The server's connections (issue 15, finding 7: "half-open connections never closed"):
 * `datadeed serve` bounds the time to a request's headers, to the whole request and the
 * idle time between kept-alive requests (src/cli/http-server.ts). A client that connects,
 * sends part of a request line and waits is answered 408 and disconnected by the real
 * server; so is one that sends nothing; an idle kept-alive connection is closed.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_TIMEOUTS, startHttpServer } from '../../src/cli/http-server.ts';
import { startServe, type ServedProcess } from '../helpers/serve-process.ts';

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

describe('the HTTP server of datadeed serve', () => {
  let served: ServedProcess;
  beforeAll(async () => {
    served = await startServe({ env: { LOG_LEVEL: 'silent' } });
  }, 120_000);
  afterAll(async () => {
    await served?.stop();
    await served?.cleanup();
  });

  it('closes a half-open connection (a partial request line, then nothing) with 408', async () => {
    const r = await openAndWait(served.port, 'GET /healthz HT');
    expect(r.closedByServer).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);

  it('closes a connection that sends nothing, and an idle kept-alive one after its response', async () => {
    const [silent, idle] = await Promise.all([
      openAndWait(served.port, ''),
      openAndWait(served.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n'),
    ]);
    expect(silent.closedByServer).toBe(true);
    expect(idle.closedByServer).toBe(true);
    expect(idle.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(idle.data).toContain('{"status":"ok"}');
  }, 60_000);
});

describe('startHttpServer', () => {
  it('sets the bounds on the Node server, well below Node’s defaults (60 s headers, 300 s request)', async () => {
    const server = startHttpServer({ fetch: () => new Response('ok'), port: 0, hostname: '127.0.0.1' });
    try {
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([
        HTTP_TIMEOUTS.headersTimeoutMs,
        HTTP_TIMEOUTS.requestTimeoutMs,
        HTTP_TIMEOUTS.keepAliveTimeoutMs,
      ]);
      expect(HTTP_TIMEOUTS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
      expect(HTTP_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(60_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a request whose body never completes is ended at the request timeout', async () => {
    const server = startHttpServer({
      fetch: async (req) => new Response(await req.text()),
      port: 0,
      hostname: '127.0.0.1',
      timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500, checkIntervalMs: 100 },
    });
    try {
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      const port = (server.address() as net.AddressInfo).port;
      const r = await openAndWait(port, 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly part of the body');
      expect(r.closedByServer).toBe(true);
      expect(r.data).not.toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
