/**
 * The state proof a status or lookup answer carries (docs/log-format.md §8.1,
 * `datadeed-state-proof/1`): the record of one key of the state map (or null: absent),
 * its map proof against the root of a `state.committed` entry, that entry with its
 * inclusion proof, and a signed checkpoint of the tree the proof is to. Checked by
 * `verifyStateProof` (src/certificates) with the log's verifier key alone.
 */
import { toBase64, toHex, type LogReader } from '../ledger/index.ts';
import type { ProvenStateValue } from '../state/index.ts';

/** The JSON of a state proof (see the file comment). */
export async function stateProofJson(log: LogReader, p: ProvenStateValue): Promise<Record<string, unknown>> {
  const cp = await log.checkpointIncluding(p.commit.index);
  const [{ proof }, entry] = await Promise.all([log.inclusionProof(p.commit.index, cp.size), log.entry(p.commit.index)]);
  return {
    format: 'datadeed-state-proof/1',
    key: p.id.startsWith('c:') ? { certificate: p.id.slice(2) } : { digest: p.id.slice(2) },
    record: p.record,
    proof: p.proof,
    entry: { index: p.commit.index, data: toBase64(entry!) },
    inclusion: { treeSize: cp.size, proof: proof.map(toHex) },
    checkpoint: cp.note,
  };
}
