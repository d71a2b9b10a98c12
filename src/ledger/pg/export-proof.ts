/**
 * An entry's inclusion proof as a C2SP tlog-proof file (`datadeed export-proof`): the
 * entry's bytes as the extra data, its RFC 6962 inclusion proof, and the checkpoint a
 * bundle of it would carry — with a witness policy, the newest published checkpoint
 * whose cosignatures meet the quorum (when it includes the entry), else the newest
 * published checkpoint — verbatim, with its cosignature lines.
 */
import { formatTlogProof } from '../tlog-proof.ts';
import { LedgerError } from '../errors.ts';
import { evaluatePolicy, type Ed25519Verify, type Policy } from '../../witness/index.ts';
import type { LogStore, StoredCheckpoint } from './store.ts';

/** Checkpoints with cosignatures examined for the quorum, newest first. */
const QUORUM_SCAN = 32;

/**
 * The tlog-proof text of entry `index`.
 * @throws LedgerError `index_out_of_range` when no published checkpoint includes the entry.
 */
export async function exportProof(store: LogStore, index: number, opts: { policy?: Policy; verify?: Ed25519Verify } = {}): Promise<string> {
  let cp: StoredCheckpoint | undefined;
  if (opts.policy && opts.verify) {
    for (const size of await store.cosignedSizes(QUORUM_SCAN)) {
      if (size <= index) break;
      const c = await store.checkpointAt(size);
      if (c && (await evaluatePolicy(c.note, opts.policy, opts.verify)).ok) {
        cp = c;
        break;
      }
    }
  }
  cp ??= await store.latestCheckpoint();
  if (!cp || cp.size <= index) throw new LedgerError('index_out_of_range', `no published checkpoint includes entry ${index} (published: ${cp?.size ?? 0} entries)`);
  const [entry, { proof }] = await Promise.all([store.entry(index), store.inclusionProof(index, cp.size)]);
  return formatTlogProof({ extra: entry!, index, proof, checkpoint: cp.note });
}
