/**
 * Runs a witness over HTTP (node:http through @hono/node-server) on an initialised data
 * directory. The database is opened once and closed by `close()`.
 *
 * A witness faces the network (a notary office's server): its connections are bounded
 * well below Node's defaults (60 s for headers, 300 s for a request), so a client that
 * opens connections and trickles bytes cannot hold its sockets:
 *
 * | bound | value | what it ends |
 * | --- | --- | --- |
 * | `headersTimeout` | 5 s | a connection whose request headers are not complete 5 s after they began (408) |
 * | `requestTimeout` | 15 s | a request not received in full (add-checkpoint bodies are at most 64 KiB, see request.ts) |
 * | `keepAliveTimeout` | 5 s | an idle kept-alive connection between requests (the registry's client keeps one per witness) |
 * | `connectionsCheckingInterval` | 1 s | how often the first two are checked |
 *
 * The body itself is bounded by the app (413 above 64 KiB, before it is read).
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createWitnessApp } from '../http/app.ts';
import { Witness } from '../witness.ts';
import { openWitness } from './datadir.ts';
import { nodeEd25519Verify } from './ed25519.ts';

/** A running witness server. */
export interface RunningWitness {
  url: string;
  port: number;
  name: string;
  vkey: string;
  origins: string[];
  close(): Promise<void>;
}

/** The connection bounds of a witness's HTTP server, in milliseconds. */
export interface WitnessHttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  checkIntervalMs: number;
}

/** The bounds `datadeed witness serve` uses (see the module comment). */
export const WITNESS_HTTP_TIMEOUTS: Readonly<WitnessHttpTimeouts> = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** Options of {@link startWitnessServer}. */
export interface WitnessServerOptions {
  dataDir: string;
  port: number;
  host: string;
  /** The clock (tests). */
  now?: () => Date;
  /** Where unexpected errors go (default: stderr as a JSON line). */
  logError?: (msg: string, fields: Record<string, unknown>) => void;
  /** Connection bounds (tests; default {@link WITNESS_HTTP_TIMEOUTS}). */
  timeouts?: WitnessHttpTimeouts;
}

/**
 * Opens the data directory and listens.
 * @throws the key / store errors of `openWitness`, or an Error naming a port in use.
 */
export async function startWitnessServer(opts: WitnessServerOptions): Promise<RunningWitness> {
  const logError =
    opts.logError ?? ((msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'datadeed-witness', msg, ...fields })}\n`));
  const { key, store } = await openWitness(opts.dataDir);
  const witness = new Witness({
    store,
    cosigners: [key.cosigner],
    verify: nodeEd25519Verify,
    ...(opts.now ? { now: opts.now } : {}),
    onEvidenceError: (err) => logError('keeping evidence failed', { err: String(err) }),
  });
  const origins = [...(await witness.trustedLogs()).keys()];
  const app = createWitnessApp({
    witness,
    identity: { name: key.name, vkey: key.vkey },
    onError: (err, path) => logError('internal error', { path, err: err instanceof Error ? err.message : String(err) }),
  });
  const t = opts.timeouts ?? WITNESS_HTTP_TIMEOUTS;
  const server = serve({
    fetch: app.fetch,
    port: opts.port,
    hostname: opts.host,
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
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
  } catch (err) {
    await store.close();
    const e = err as NodeJS.ErrnoException;
    throw new Error(e.code === 'EADDRINUSE' ? `${opts.host}:${opts.port} is already in use` : e.message);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    name: key.name,
    vkey: key.vkey,
    origins,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // In-flight requests finish; idle keep-alive connections would hold close() open.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }).then(() => store.close());
      return closed;
    },
  };
}
