/**
 * JSON read API of the evidence log: entries, inclusion and consistency proofs,
 * the current checkpoint. Hashes are 64 lowercase hex digits.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../auth.ts';
import type { ApiServices } from '../services.ts';
import { toBase64, toHex, fromUtf8, type LogReader } from '../../ledger/index.ts';
import type { ReadAnswers } from '../read-answers.ts';
import { ApiError, notFound } from '../problem.ts';
import { hex32, uintParam } from '../params.ts';
import { problemResponses } from '../openapi.ts';

const Entry = z
  .object({
    index: z.number().int(),
    leafHash: hex32,
    entry: z.string().openapi({ description: 'The entry bytes, base64.' }),
    event: z.unknown().openapi({ description: 'The entry parsed as JSON (it is RFC 8785 canonical JSON).' }),
  })
  .openapi('LogEntry');

const InclusionProof = z
  .object({
    index: z.number().int(),
    treeSize: z.number().int(),
    leafHash: hex32,
    proof: z.array(hex32).openapi({ description: 'RFC 9162 §2.1.3 audit path, leaf side first.' }),
    checkpoint: z.string().optional().openapi({ description: 'The signed checkpoint of this tree size, when one was published.' }),
  })
  .openapi('InclusionProof');

const ConsistencyProof = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    proof: z.array(hex32).openapi({ description: 'RFC 9162 §2.1.4 consistency proof.' }),
  })
  .openapi('ConsistencyProof');

const Checkpoint = z
  .object({ origin: z.string(), treeSize: z.number().int(), rootHash: hex32, note: z.string(), time: z.string() })
  .openapi('Checkpoint');

/** Entries integrated so far (the tree state; the newest published checkpoint may be smaller). */
async function treeSize(log: LogReader): Promise<number> {
  return log.treeSize();
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Registers the log's JSON routes; inclusion proofs are kept in (and served from) `answers`, shared with the server's fast path. */
export function registerLogRoutes(
  app: OpenAPIHono<AppEnv>,
  { log, settings }: Pick<ApiServices, 'log' | 'settings'>,
  answers: ReadAnswers,
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/log/checkpoint',
      tags: ['log'],
      summary: 'The newest signed checkpoint, as JSON',
      responses: { 200: { description: 'Checkpoint', content: { 'application/json': { schema: Checkpoint } } }, ...problemResponses(503) },
    }),
    async (c) => {
      const cp = await log.latestCheckpoint();
      if (!cp) throw new ApiError('log_empty', 'The log has no checkpoint yet.');
      return c.json({ origin: settings.origin, treeSize: cp.size, rootHash: toHex(cp.rootHash), note: cp.note, time: cp.createdAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/log/entries/{index}',
      tags: ['log'],
      summary: 'One log entry',
      request: { params: z.object({ index: uintParam('index', 0) }) },
      responses: { 200: { description: 'The entry', content: { 'application/json': { schema: Entry } } }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { index } = c.req.valid('param');
      if (index >= (await log.treeSizeAtLeast(index + 1))) throw notFound('entry', `No entry ${index} in the log.`);
      const [data, leaf] = await Promise.all([log.entry(index), log.leafHash(index)]);
      if (!data || !leaf) throw notFound('entry', `No entry ${index} in the log.`);
      let event: unknown = null;
      try {
        event = JSON.parse(fromUtf8(data));
      } catch {
        event = null;
      }
      return c.json({ index, leafHash: toHex(leaf), entry: toBase64(data), event }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/log/proof/inclusion',
      tags: ['log'],
      summary: 'Inclusion proof of an entry in a tree of a given size (default: the newest)',
      request: { query: z.object({ index: uintParam('index', 0), size: uintParam('size', 1).optional() }) },
      responses: {
        200: { description: 'The proof', content: { 'application/json': { schema: InclusionProof } } },
        ...problemResponses(400),
      },
    }),
    async (c) => {
      const { index, size: asked } = c.req.valid('query');
      // by default the tree of the newest published checkpoint, which comes with the proof
      const size = asked ?? (await log.latestCheckpoint())?.size ?? (await treeSize(log));
      const current = await log.treeSizeAtLeast(size);
      if (size > current) throw new ApiError('size_beyond_tree', `size ${size} exceeds the tree size ${current}.`);
      if (index >= size) throw new ApiError('index_out_of_range', `index ${index} is not below size ${size}.`);
      // a proof in a tree of a given size never changes: kept as its JSON, the checkpoint added per answer
      const build = async () => {
        const { leafHash, proof } = await log.inclusionProof(index, size);
        return answers.keepProofHead(index, size, leafHash, proof);
      };
      const [head, cp] = await Promise.all([answers.proofHead(index, size) ?? build(), log.checkpointAt(size)]);
      return c.body(answers.proofBody(head, cp), 200, JSON_TYPE) as never; // the JSON c.json wrote (ReadAnswers.keepProofHead)
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/log/proof/consistency',
      tags: ['log'],
      summary: 'Consistency proof between two tree sizes',
      request: { query: z.object({ from: uintParam('from', 1), to: uintParam('to', 2).optional() }) },
      responses: {
        200: { description: 'The proof', content: { 'application/json': { schema: ConsistencyProof } } },
        ...problemResponses(400),
      },
    }),
    async (c) => {
      const { from, to: asked } = c.req.valid('query');
      const to = asked ?? (await log.latestCheckpoint())?.size ?? (await treeSize(log));
      const current = await log.treeSizeAtLeast(to);
      if (to > current) throw new ApiError('size_beyond_tree', `to ${to} exceeds the tree size ${current}.`);
      if (from > to) throw new ApiError('invalid_tree_size', `from ${from} exceeds to ${to}.`);
      const proof = await log.consistencyProof(from, to);
      return c.json({ from, to, proof: proof.map(toHex) }, 200);
    },
  );
}
