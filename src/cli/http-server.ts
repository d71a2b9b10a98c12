/**
 * The Node HTTP server of `datadeed serve` (issue 15, finding 7: half-open connections were
 * never closed). Node's defaults wait 60 s for a request's headers and 300 s for the whole
 * request, and check for expired ones every 30 s; a client that opens connections and
 * trickles bytes holds sockets for minutes. The registry answers small requests, so:
 *
 * | bound | value | what it ends |
 * | --- | --- | --- |
 * | `headersTimeout` | 10 s | a connection whose request headers are not complete 10 s after they began |
 * | `requestTimeout` | 60 s | a request not received in full (4 MiB deposit bodies included) |
 * | `keepAliveTimeout` | 5 s | an idle kept-alive connection between requests |
 * | `connectionsCheckingInterval` | 1 s | how often the first two are checked |
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  checkIntervalMs: number;
}

export const HTTP_TIMEOUTS: Readonly<HttpTimeouts> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** Start serving `fetch` on `hostname:port` with the bounds above (or `timeouts`, for tests). */
export function startHttpServer(opts: { fetch: (req: Request) => Response | Promise<Response>; port: number; hostname: string; timeouts?: HttpTimeouts }): Server {
  const t = opts.timeouts ?? HTTP_TIMEOUTS;
  const server: ServerType = serve({
    fetch: opts.fetch,
    port: opts.port,
    hostname: opts.hostname,
    serverOptions: {
      headersTimeout: t.headersTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      keepAliveTimeout: t.keepAliveTimeoutMs,
      connectionsCheckingInterval: t.checkIntervalMs,
    },
  });
  const http = server as Server;
  // the same bounds as properties (what Node reads at each check)
  http.headersTimeout = t.headersTimeoutMs;
  http.requestTimeout = t.requestTimeoutMs;
  http.keepAliveTimeout = t.keepAliveTimeoutMs;
  return http;
}
