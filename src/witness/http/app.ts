/**
 * The witness's HTTP interface (hono), per C2SP tlog-witness:
 *
 * - `POST /add-checkpoint` — §add-checkpoint: 200 cosignature lines, 409
 *   `text/x.tlog.size`, 400/403/404/422 refusals (RFC 9457 problems with a `code`);
 *   bodies above 64 KiB get 413 before they are read;
 * - `GET /<hex SHA-256 of origin>/checkpoint` — §Monitor Retrieval Mechanism: the
 *   latest cosigned checkpoint with the log's and the witness's signatures, or 404;
 * - `GET /evidence[?after=N&limit=M]`, `GET /evidence/<id>` — refused checkpoints
 *   signed by a trusted log (forks, failed consistency proofs), for an investigator;
 * - `GET /` — the witness's name, verifier key and trusted logs; `GET /healthz`.
 *
 * No state of its own: everything goes through {@link Witness}.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { MAX_REQUEST_BYTES } from '../request.ts';
import { originHash, type StoredEvidence, type Witness } from '../witness.ts';

/** What the app shows about itself at `GET /`. */
export interface WitnessIdentity {
  name: string;
  vkey: string;
}

/** Options of {@link createWitnessApp}. */
export interface WitnessAppOptions {
  witness: Witness;
  identity: WitnessIdentity;
  /** Receives unexpected errors (answered with a bare 500). */
  onError?: (err: unknown, path: string) => void;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function problem(c: Context, status: ContentfulStatusCode, code: string, detail?: string): Response {
  const body = { type: `/problems/${code}`, title: TITLES[status] ?? 'Error', status, code, ...(detail ? { detail } : {}) };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

function evidenceView(e: StoredEvidence): Record<string, unknown> {
  return { id: e.id, origin: e.origin, originHash: originHash(e.origin), kind: e.kind, receivedAt: e.receivedAt, submitted: e.submitted, cosigned: e.cosigned ?? null };
}

/** Builds the witness's hono app. */
export function createWitnessApp(opts: WitnessAppOptions): Hono {
  const { witness, identity } = opts;
  const app = new Hono();

  app.post(
    '/add-checkpoint',
    bodyLimit({ maxSize: MAX_REQUEST_BYTES, onError: (c) => problem(c, 413, 'request_too_large', `add-checkpoint bodies are limited to ${MAX_REQUEST_BYTES} bytes`) }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const d = await witness.addCheckpoint(body);
      if (d.status === 200 || d.status === 409) return c.body(d.body ?? '', d.status, { 'content-type': d.contentType ?? 'text/plain; charset=utf-8' });
      return problem(c, d.status, d.code);
    },
  );
  app.all('/add-checkpoint', (c) => {
    c.header('allow', 'POST');
    return problem(c, 405, 'method_not_allowed');
  });

  app.get('/:hash{[0-9a-f]{64}}/checkpoint', async (c) => {
    const note = await witness.monitoringCheckpoint(c.req.param('hash'));
    if (note === undefined) return problem(c, 404, 'no_cosigned_checkpoint');
    return c.body(note, 200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
  });

  app.get('/evidence', async (c) => {
    const after = c.req.query('after') ?? '0';
    const limit = c.req.query('limit') ?? '50';
    if (!/^(0|[1-9][0-9]{0,14})$/.test(after) || !/^[1-9][0-9]{0,2}$/.test(limit) || Number(limit) > 100) {
      return problem(c, 400, 'bad_parameter', 'after is a non-negative integer, limit 1 to 100');
    }
    const items = await opts.witness.evidence({ after: Number(after), limit: Number(limit) });
    const last = items.at(-1);
    return c.json({ evidence: items.map(evidenceView), ...(items.length === Number(limit) && last ? { next: `/evidence?after=${last.id}&limit=${limit}` } : {}) });
  });
  app.get('/evidence/:id{[1-9][0-9]{0,14}}', async (c) => {
    const e = await opts.witness.evidenceById(Number(c.req.param('id')));
    if (e === undefined) return problem(c, 404, 'no_such_evidence');
    return c.json(evidenceView(e));
  });

  app.get('/', async (c) => {
    const logs = [...(await witness.trustedLogs())].map(([origin, vkeys]) => ({ origin, originHash: originHash(origin), vkeys }));
    return c.json({ name: identity.name, vkey: identity.vkey, protocol: 'https://c2sp.org/tlog-witness', logs });
  });
  app.get('/healthz', (c) => c.text('ok\n'));

  app.notFound((c) => problem(c, 404, 'not_found'));
  app.onError((err, c) => {
    // a client that went away mid-body (or was cut off by the server's request timeout) is not the witness's fault
    if (c.req.raw.signal.aborted) return problem(c, 400, 'request_aborted');
    opts.onError?.(err, c.req.path);
    return problem(c, 500, 'internal_error');
  });
  return app;
}
