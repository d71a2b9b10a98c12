/**
 * Statistics at a named checkpoint, for the route, the page and the PDF: the log's first
 * `size` entries replayed by the pure statistics core (so anyone holding the log
 * recomputes the figures), the checkpoint that names them, and the registry's statement of
 * the amounts the log holds only as commitments — the whole signed with the document key.
 */
import { signJson, type SignedJson } from '../certificates/index.ts';
import { toHex, type LogCheckpoint } from '../ledger/index.ts';
import { computeStatistics, type Statistics } from '../statistics/index.ts';
import { RegistryError } from '../registry/index.ts';
import type { ApiServices } from './services.ts';

export interface StatisticsAnswer {
  checkpoint: LogCheckpoint;
  statistics: Statistics;
  /** The registry's statement (not recomputable from the log: only commitments are logged). */
  amounts: { basis: 'registry_statement'; pledgedAmounts: { currency: string; total: string; count: number }[]; insuredAmounts: { currency: string; total: string; count: number }[] };
  signed: SignedJson;
}

const CHUNK = 4096;

/**
 * The statistics at the published checkpoint of `at` entries (default: the newest).
 * @throws RegistryError `invalid_field` (path `at`) when no checkpoint of that size was published.
 */
export async function statisticsAt(ctx: Pick<ApiServices, 'log' | 'registry' | 'settings' | 'documentSigner'>, q: { at?: number; from?: string; to?: string }): Promise<StatisticsAnswer> {
  const cp = q.at === undefined ? await ctx.log.latestCheckpoint() : await ctx.log.checkpointAt(q.at);
  if (!cp) throw new RegistryError('invalid_field', 'no published checkpoint of that size', [{ path: 'at', message: 'not the size of a published checkpoint' }]);
  const entries: { index: number; data: Uint8Array }[] = [];
  for (let begin = 0; begin < cp.size; begin += CHUNK) {
    const batch = await ctx.log.entries(begin, Math.min(cp.size, begin + CHUNK));
    batch.forEach((data, i) => entries.push({ index: begin + i, data }));
  }
  const statistics = computeStatistics(entries, { timeZone: ctx.settings.timeZone, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) });
  const totals = await ctx.registry.encumbrances.amountTotals(cp.size);
  const amounts = { basis: 'registry_statement' as const, ...totals };
  const signed = await signJson(
    { statistics, amounts, checkpoint: { origin: ctx.settings.origin, size: cp.size, rootHash: toHex(cp.rootHash), note: cp.note } },
    ctx.documentSigner,
  );
  return { checkpoint: cp, statistics, amounts, signed };
}
