/**
 * C2SP tlog-tiles read API: `GET /checkpoint`, `GET /tile/<L>/<N>[.p/<W>]`,
 * `GET /tile/entries/<N>[.p/<W>]`. Full tiles never change and are served
 * immutable; partial tiles and the checkpoint are short-lived.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { parseTilePath, tileNodes, tileWidthFor, encodeEntryBundle, TILE_WIDTH } from '../../ledger/tiles.ts';
import type { AppContext } from '../../context.ts';
import type { AppEnv } from '../auth.ts';
import { ApiError, notFound } from '../problem.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=5';

export function registerTlogRoutes(app: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  app.get('/checkpoint', async (c) => {
    const cp = await ctx.store.latestCheckpoint();
    if (!cp) throw new ApiError(503, 'log_empty', 'Service Unavailable', 'The log has no checkpoint yet.');
    return c.body(cp.note, 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  });

  app.get('/tile/*', async (c) => {
    const rel = c.req.path.slice(1); // "tile/…"
    if (rel.length > 200) throw new ApiError(400, 'malformed_tile_path', 'Bad Request', 'Tile path too long.');
    const tile = parseTilePath(rel);
    const cp = await ctx.store.latestCheckpoint();
    const size = cp?.size ?? 0;
    if (tile.kind === 'hash') {
      const available = tileWidthFor(tile.level, tile.index, size);
      if (available === 0 || available < tile.width)
        throw notFound('tile', `Tile ${rel} is beyond the tree of size ${size}.`);
      // A full tile is served when a partial one is asked for but the tile has grown:
      // its prefix is the partial tile (C2SP tlog-tiles lets clients use either).
      const width = tile.width === TILE_WIDTH ? TILE_WIDTH : tile.width;
      if (tile.width === TILE_WIDTH && available !== TILE_WIDTH) throw notFound('tile', `Tile ${rel} is not full yet (width ${available}).`);
      const ids = tileNodes({ level: tile.level, index: tile.index, width });
      const hashes = await ctx.store.levelHashes(ids[0]!.level, ids[0]!.index, ids[0]!.index + width);
      const body = new Uint8Array(width * 32);
      hashes.forEach((h, i) => body.set(h, i * 32));
      return c.body(body, 200, {
        'Content-Type': 'application/octet-stream',
        'Cache-Control': width === TILE_WIDTH ? IMMUTABLE : SHORT,
      });
    }
    const available = tileWidthFor(0, tile.index, size);
    if (available === 0 || available < tile.width || (tile.width === TILE_WIDTH && available !== TILE_WIDTH))
      throw notFound('tile', `Entry bundle ${rel} is beyond the tree of size ${size}.`);
    const begin = tile.index * TILE_WIDTH;
    const entries = await ctx.store.entries(begin, begin + tile.width);
    return c.body(encodeEntryBundle(entries), 200, {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': tile.width === TILE_WIDTH ? IMMUTABLE : SHORT,
    });
  });
}
