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
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

/**
 * Start serving `fetch` on `hostname:port` with the bounds above (or `timeouts`, for tests).
 * `fastPath`, when given, sees each request first and answers the ones it can (returning
 * true) straight onto the Node response; the others go to `fetch`.
 */
export function startHttpServer(opts: {
  fetch: (req: Request) => Response | Promise<Response>;
  port: number;
  hostname: string;
  timeouts?: HttpTimeouts;
  fastPath?: (req: IncomingMessage, res: ServerResponse) => boolean;
}): Server {
  const t = opts.timeouts ?? HTTP_TIMEOUTS;
  // what @hono/node-server's serve() does, with the fast path in front of its listener
  const listener = getRequestListener(opts.fetch, { hostname: opts.hostname });
  const fast = opts.fastPath;
  const http = createServer(
    {
      headersTimeout: t.headersTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      keepAliveTimeout: t.keepAliveTimeoutMs,
      connectionsCheckingInterval: t.checkIntervalMs,
    },
    fast
      ? (req, res) => {
          if (!fast(req, res)) void listener(req, res);
        }
      : listener,
  );
  http.listen(opts.port, opts.hostname);
  // the same bounds as properties (what Node reads at each check)
  http.headersTimeout = t.headersTimeoutMs;
  http.requestTimeout = t.requestTimeoutMs;
  http.keepAliveTimeout = t.keepAliveTimeoutMs;
  return http;
}
