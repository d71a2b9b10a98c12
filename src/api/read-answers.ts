/**
 * The read path's ready answers (issue #20). A full tile, an entry bundle or a partial
 * tile of a width the tree has reached never changes (C2SP tlog-tiles), and the served
 * checkpoint changes at most once per publication: each is kept as the answer itself —
 * body bytes, ETag, Content-Type, Cache-Control, Content-Length — built once, in a
 * byte-bounded LRU keyed by the request path (tile paths are canonical: one path, one
 * tile). An inclusion proof in a tree of a given size never changes either: it is kept
 * as its JSON up to the checkpoint, which is added per answer (cosignatures may be added
 * to a published checkpoint).
 *
 * Two doors serve them, with the same headers:
 *
 * - the hono routes (`routes/tlog.ts`), which build an answer on a miss and keep it;
 * - `readFastPath`, in front of hono in `datadeed serve`: a GET or HEAD of `/checkpoint`,
 *   `/tile/…` or `/v1/log/proof/inclusion?index=I&size=S` whose answer is ready is written
 *   straight to the Node response — no Request object, no routing, no middleware — with
 *   what the app's chain would have added to it (the request id, the security headers,
 *   the metrics and the request's log line) and 304 for a matching `If-None-Match` (tiles
 *   and checkpoint). Anything else (a miss, a stale checkpoint, an encoded path, another
 *   method, a query in any other form, a request with credentials) goes on to hono
 *   unchanged. The proof route is public and not rate limited (rate-limit.ts), which is
 *   what lets its ready answers skip the chain; the fast path checks the latter itself.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { ByteLru, toHex, type LogCheckpoint, type LogReader } from '../ledger/index.ts';
import type { ServerMetrics } from './metrics.ts';
import { securityHeaders } from './headers.ts';
import { limitedBucket } from './rate-limit.ts';

/** The inclusion proof route (routes/log.ts). */
export const INCLUSION_PROOF_PATH = '/v1/log/proof/inclusion';

/** Full tiles and bundles: never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Partial tiles: a wider one will follow (C2SP tlog-tiles asks for a short cache). */
export const SHORT = 'public, max-age=5';

/** One answer, built once and served many times. */
export interface ReadyAnswer {
  readonly etag: string;
  readonly body: Uint8Array<ArrayBuffer>;
  /** The 200's own headers (Content-Type, Cache-Control, ETag; the checkpoint's nosniff). */
  readonly headers: Readonly<Record<string, string>>;
  /** The 304's (no body, no Content-Type). */
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

/** True when an If-None-Match header names `etag` (or is `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch === etag) return true;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

function answer(etag: string, body: Uint8Array<ArrayBuffer>, type: string, cacheControl: string, extra: Record<string, string> = {}): ReadyAnswer {
  return {
    etag,
    body,
    headers: { 'Content-Type': type, 'Cache-Control': cacheControl, ETag: etag, ...extra },
    notModifiedHeaders: { 'Cache-Control': cacheControl, ETag: etag, ...extra },
  };
}

/** The ready answers of one app: its tiles and bundles (LRU), inclusion proofs (LRU) and the current checkpoint's. */
export class ReadAnswers {
  private readonly tiles: ByteLru<ReadyAnswer>;
  private readonly proofs: ByteLru<string>;
  private checkpoint: { note: string; answer: ReadyAnswer } | undefined;
  private readonly checkpointMembers = new WeakMap<LogCheckpoint, string>();

  /** `cacheBytes`: bytes of tiles and bundles kept (DATADEED_TILE_CACHE_MB; 0 keeps none), and an eighth of it of proofs. */
  constructor(
    private readonly log: Pick<LogReader, 'servedCheckpointIfFresh' | 'checkpointAtIfFresh'>,
    cacheBytes: number,
  ) {
    this.tiles = new ByteLru<ReadyAnswer>(cacheBytes, (a) => a.body.byteLength + a.etag.length + 256);
    this.proofs = new ByteLru<string>(cacheBytes / 8, (s) => 2 * s.length + 64);
  }

  /** The answer kept for a tile path (`tile/0/000`, no leading slash), if any. */
  tile(path: string): ReadyAnswer | undefined {
    return this.tiles.get(path);
  }

  /** Keeps and returns the answer of a tile or entry bundle whose bytes never change. */
  keepTile(path: string, etag: string, body: Uint8Array<ArrayBuffer>, cacheControl: string): ReadyAnswer {
    const a = answer(etag, body, 'application/octet-stream', cacheControl);
    this.tiles.set(path, a);
    return a;
  }

  /** The answer of a served checkpoint (built once per note: a cosignature added makes a new one). */
  checkpointAnswer(cp: LogCheckpoint): ReadyAnswer {
    if (this.checkpoint?.note === cp.note) return this.checkpoint.answer;
    const etag = `"cp-${cp.size}-${createHash('sha256').update(cp.note).digest('hex').slice(0, 16)}"`;
    const a = answer(etag, new TextEncoder().encode(cp.note), 'text/plain; charset=utf-8', 'no-cache', { 'X-Content-Type-Options': 'nosniff' });
    this.checkpoint = { note: cp.note, answer: a };
    return a;
  }

  /**
   * The JSON of the inclusion proof of `index` in the tree of `size` as `c.json` writes
   * `{ index, treeSize, leafHash, proof }`, but for its closing brace, if kept.
   */
  proofHead(index: number, size: number): string | undefined {
    return this.proofs.get(`${index}/${size}`);
  }

  /** Builds, keeps and returns the head of a proof (see `proofHead`). */
  keepProofHead(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): string {
    const head = `{"index":${index},"treeSize":${size},"leafHash":"${toHex(leafHash)}","proof":[${proof.map((h) => `"${toHex(h)}"`).join(',')}]`;
    this.proofs.set(`${index}/${size}`, head);
    return head;
  }

  /** A proof's whole JSON: its head, and the checkpoint of its size when one was published. */
  proofBody(head: string, cp: LogCheckpoint | undefined): string {
    if (!cp) return head + '}';
    let member = this.checkpointMembers.get(cp);
    if (member === undefined) {
      member = `,"checkpoint":${JSON.stringify(cp.note)}}`;
      this.checkpointMembers.set(cp, member);
    }
    return head + member;
  }

  /** A kept proof's JSON when the checkpoint of its size is in memory now (else undefined: ask the route). */
  proofIfFresh(index: number, size: number): string | undefined {
    const head = this.proofHead(index, size);
    if (head === undefined) return undefined;
    const cp = this.log.checkpointAtIfFresh(size);
    return cp && this.proofBody(head, cp);
  }

  /** The served checkpoint's answer when the checkpoint needs no read now (else undefined: ask the route). */
  checkpointIfFresh(): ReadyAnswer | undefined {
    const cp = this.log.servedCheckpointIfFresh();
    return cp && this.checkpointAnswer(cp);
  }
}

/** Writes a ready answer onto a Node response, or declines (false) and leaves it to the app. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The app's request-id rule (hono's requestId with `limitLength: 64`): a client's well-formed id, else a new one. */
const REQUEST_ID_MAX = 64;
const MALFORMED_ID = /[^\w\-=]/;
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && given && given.length <= REQUEST_ID_MAX && !MALFORMED_ID.test(given) ? given : randomUUID();
}

/** `index=I&size=S` or `size=S&index=I`, each a decimal as `uintParam` takes it (no sign, no leading zeros). */
const DECIMAL = '(0|[1-9][0-9]{0,15})';
const PROOF_QUERY = new RegExp(`^(?:index=${DECIMAL}&size=${DECIMAL}|size=${DECIMAL}&index=${DECIMAL})$`);

/**
 * The headers `securityHeaders()` puts on every answer, as the middleware itself writes
 * them (read once from a one-route app, so the two can never differ).
 */
async function securityHeaderList(): Promise<string[]> {
  const probe = new Hono();
  probe.use('*', securityHeaders());
  probe.get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  const flat: string[] = [];
  res.headers.forEach((value, name) => flat.push(name, value));
  return flat;
}

/**
 * The fast path of `datadeed serve` for the ready answers (see the module comment). It
 * counts each request in `metrics` under the route pattern hono would have matched
 * (`/checkpoint`, `/tile/*`, `/v1/log/proof/inclusion`) and logs the same `request` line
 * as the app.
 */
export function readFastPath(answers: ReadAnswers, opts: { metrics: ServerMetrics; logger?: Logger }): FastPath {
  const { metrics, logger } = opts;
  let security: string[] | undefined;
  // what the app adds to a JSON answer of its own (the security headers, then c.json's type)
  let proofHeaders: string[] = [];
  const proofsOpen = limitedBucket('GET', INCLUSION_PROOF_PATH) === undefined;
  void securityHeaderList().then((flat) => {
    proofHeaders = [...flat, 'Content-Type', 'application/json'];
    security = flat;
  });
  // per answer, the full header lists but for the request id
  const lists = new WeakMap<ReadyAnswer, { ok: string[]; notModified: string[] }>();
  const listsOf = (a: ReadyAnswer, sec: string[]) => {
    let l = lists.get(a);
    if (!l) {
      // as on the app's answers: the security headers, the answer's own replacing any of the same name
      const merge = (own: Readonly<Record<string, string>>) => {
        const m = new Map<string, [string, string]>();
        for (let i = 0; i < sec.length; i += 2) m.set(sec[i]!.toLowerCase(), [sec[i]!, sec[i + 1]!]);
        for (const [k, v] of Object.entries(own)) m.set(k.toLowerCase(), [k, v]);
        return [...m.values()].flat();
      };
      l = { ok: [...merge(a.headers), 'Content-Length', String(a.body.byteLength)], notModified: merge(a.notModifiedHeaders) };
      lists.set(a, l);
    }
    return l;
  };
  let started = 0; // of the request being answered (each is answered synchronously)
  const done = (method: string, route: string, path: string, status: number, reqId: string) => {
    const seconds = (performance.now() - started) / 1000;
    metrics.request(method, route, status, seconds);
    logger?.info({ reqId, method, path, status, ms: Math.round(seconds * 1000) }, 'request');
  };
  return (req, res) => {
    started = performance.now();
    const method = req.method;
    const url = req.url;
    if ((method !== 'GET' && method !== 'HEAD') || url === undefined || security === undefined) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let ready: ReadyAnswer | undefined;
    let route: string;
    if (path === '/checkpoint') {
      ready = answers.checkpointIfFresh();
      route = '/checkpoint';
    } else if (path.startsWith('/tile/') && !path.includes('%')) {
      ready = answers.tile(path.slice(1));
      route = '/tile/*';
    } else if (path === INCLUSION_PROOF_PATH && proofsOpen && q >= 0) {
      // only what the route validates the same way: index and size, once each, plain decimals, no credentials to check
      if (req.headers.authorization !== undefined || req.headers.cookie !== undefined) return false;
      const m = PROOF_QUERY.exec(url.slice(q + 1));
      if (!m) return false;
      const index = Number(m[1] ?? m[4]);
      const size = Number(m[2] ?? m[3]);
      if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size)) return false;
      const body = answers.proofIfFresh(index, size);
      if (body === undefined) return false;
      const reqId = requestIdOf(req);
      res.writeHead(200, [...proofHeaders, 'Content-Length', String(Buffer.byteLength(body)), 'X-Request-Id', reqId]);
      if (method === 'HEAD') res.end();
      else res.end(body);
      done(method, INCLUSION_PROOF_PATH, path, 200, reqId);
      return true;
    } else return false;
    if (ready === undefined) return false;

    const reqId = requestIdOf(req);
    const lists = listsOf(ready, security);
    const fresh = matchesEtag(req.headers['if-none-match'], ready.etag);
    const status = fresh ? 304 : 200;
    const headers = (fresh ? lists.notModified : lists.ok).slice();
    headers.push('X-Request-Id', reqId);
    res.writeHead(status, headers);
    if (fresh || method === 'HEAD') res.end();
    else res.end(ready.body);
    done(method, route, path, status, reqId);
    return true;
  };
}
