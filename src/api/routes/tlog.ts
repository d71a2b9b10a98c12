/**
 * C2SP tlog-tiles read API: `GET /checkpoint` (the newest published checkpoint, with
 * any cosignatures — with a witness policy, the newest one meeting its quorum), `GET /tile/<L>/<N>[.p/<W>]`, `GET /tile/entries/<N>[.p/<W>]`
 * (everything integrated: tiles of the tree state, which a published checkpoint
 * never exceeds). Full tiles never change and are served immutable; partial tiles
 * are cached briefly, the checkpoint not at all.
 *
 * The read path is served from memory where it can be: a tile of a width the tree has
 * reached never changes (C2SP tlog-tiles), so tiles and entry bundles are kept as ready
 * answers in a byte-bounded LRU (DATADEED_TILE_CACHE_MB; `../read-answers.ts`, which
 * `datadeed serve`'s fast path answers from before hono) and the checkpoint is read at
 * most once per publication (`LogReader.servedCheckpoint`). Every answer carries an
 * `ETag`; a matching `If-None-Match` gets 304 with no body.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { parseTilePath, tileNodes, tileWidthFor, encodeEntryBundle, TILE_HEIGHT, TILE_WIDTH } from '../../ledger/index.ts';
import type { AppEnv } from '../auth.ts';
import type { ApiServices } from '../services.ts';
import { ApiError, notFound } from '../problem.ts';
import { IMMUTABLE, matchesEtag, SHORT, type ReadAnswers, type ReadyAnswer } from '../read-answers.ts';

/**
 * Registers `/checkpoint` and `/tile/*`, answering from `answers` (the app's ready answers,
 * which `datadeed serve`'s fast path shares).
 */
export function registerTlogRoutes(
  app: OpenAPIHono<AppEnv>,
  { log }: Pick<ApiServices, 'log'>,
  answers: ReadAnswers,
): void {
  app.get('/checkpoint', async (c) => {
    const cp = await log.servedCheckpoint();
    if (!cp) throw new ApiError('log_empty', 'The log has no checkpoint yet.');
    const a = answers.checkpointAnswer(cp);
    if (matchesEtag(c.req.header('if-none-match'), a.etag)) return c.body(null, 304, a.notModifiedHeaders);
    return c.body(a.body, 200, a.headers);
  });

  app.get('/tile/*', async (c) => {
    const rel = c.req.path.slice(1); // "tile/…"
    if (rel.length > 200) throw new ApiError('malformed_tile_path', 'Tile path too long.');
    const respond = (a: ReadyAnswer) =>
      matchesEtag(c.req.header('if-none-match'), a.etag) ? c.body(null, 304, a.notModifiedHeaders) : c.body(a.body, 200, a.headers);
    const cached = answers.tile(rel); // only a path that parsed is kept
    if (cached) return respond(cached);
    const tile = parseTilePath(rel);
    const key = tile.kind === 'hash' ? `${tile.level}/${tile.index}/${tile.width}` : `e/${tile.index}/${tile.width}`;
    const etag = `"${key}"`;
    const cacheControl = tile.width === TILE_WIDTH ? IMMUTABLE : SHORT;
    const serve = (body: Uint8Array<ArrayBuffer>) => respond(answers.keepTile(rel, etag, body, cacheControl));
    // the smallest tree holding the tile as asked: a size already seen that large needs no read
    const size = await log.treeSizeAtLeast((tile.index * TILE_WIDTH + tile.width) * 2 ** (TILE_HEIGHT * (tile.kind === 'hash' ? tile.level : 0)));
    if (tile.kind === 'hash') {
      const available = tileWidthFor(tile.level, tile.index, size);
      if (available === 0 || available < tile.width)
        throw notFound('tile', `Tile ${rel} is beyond the tree of size ${size}.`);
      // A partial tile of width W is served as asked once the tree holds W hashes of it
      // (its content never changes: C2SP tlog-tiles); a full tile only once it is full.
      const width = tile.width;
      if (tile.width === TILE_WIDTH && available !== TILE_WIDTH) throw notFound('tile', `Tile ${rel} is not full yet (width ${available}).`);
      const ids = tileNodes({ level: tile.level, index: tile.index, width });
      const hashes = await log.levelHashes(ids[0]!.level, ids[0]!.index, ids[0]!.index + width);
      const body = new Uint8Array(width * 32);
      hashes.forEach((h, i) => body.set(h, i * 32));
      return serve(body);
    }
    const available = tileWidthFor(0, tile.index, size);
    if (available === 0 || available < tile.width || (tile.width === TILE_WIDTH && available !== TILE_WIDTH))
      throw notFound('tile', `Entry bundle ${rel} is beyond the tree of size ${size}.`);
    const begin = tile.index * TILE_WIDTH;
    const entries = await log.entries(begin, begin + tile.width);
    return serve(encodeEntryBundle(entries));
  });
}
