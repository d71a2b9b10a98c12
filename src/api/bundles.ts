/**
 * Build verification bundles (certificate, pledge receipt, evidence receipt) from the
 * log: entry + inclusion proof to the first published checkpoint that includes the
 * entry or a newer one (one is published on demand if none includes it yet) — with a
 * witness policy, the newest checkpoint meeting its quorum once one includes the entry,
 * with the witnesses' cosignature lines; and the RFC 3161 time-stamp token over that
 * checkpoint when the registry has one (DATADEED_TSA_URL; then the newest stamped
 * checkpoint that includes the entry is preferred to a newer one not stamped yet). A certificate's bundle also
 * carries its certificate key's `key.added` entry with an inclusion proof in the same
 * tree, so the log's verifier key alone verifies it.
 */
import { buildBundle, MAX_ATTESTATIONS, serializeBundle, type BundleType } from '../certificates/index.ts';
import { fromBase64, utf8, type LogCheckpoint, type LogReader } from '../ledger/index.ts';

/** A certificate's signed parts, and the log index of its key's `key.added` entry (if the log recorded one). */
export interface SignedParts {
  payload: string;
  keyId: string;
  signatureBase64: string;
  keyLogIndex?: number | null;
}

/**
 * The bundle of entry `index`, proven to `checkpoint` (which must include it) or, by
 * default, to the checkpoint bundles carry (`LogReader.bundleCheckpoint`) — of the
 * newest of `index` and `attestations`, the log indices of `notary.attested` entries of
 * the bundle's digest, which ride along with their proofs in the same tree (at most 16,
 * the oldest first).
 */
export async function logBundle(
  log: LogReader,
  type: BundleType,
  index: number,
  signed?: SignedParts,
  checkpoint?: LogCheckpoint,
  attestations: readonly number[] = [],
): Promise<string> {
  const att = [...attestations].sort((a, b) => a - b).slice(0, MAX_ATTESTATIONS);
  const cp = checkpoint ?? (await log.bundleCheckpoint(Math.max(index, ...att)));
  const carried = att.filter((i) => i < cp.size);
  // the key entry comes before the certificate's: the same checkpoint includes it
  const keyIndex = signed?.keyLogIndex ?? undefined;
  const withKey = keyIndex !== undefined && keyIndex < index;
  const indices = withKey ? [index, keyIndex] : [index];
  const [proofs, entry, keyEntry, timestamp, attProofs, attEntries] = await Promise.all([
    log.inclusionProofs(indices, cp.size),
    log.entry(index),
    withKey ? log.entry(keyIndex) : undefined,
    log.timestampToken(cp.size),
    carried.length ? log.inclusionProofs(carried, cp.size) : [],
    Promise.all(carried.map((i) => log.entry(i))),
  ]);
  const bundle = buildBundle({
    type,
    ...(signed ? { payload: utf8(signed.payload), signature: { keyId: signed.keyId, sig: fromBase64(signed.signatureBase64) } } : {}),
    entry: { index, data: entry! },
    inclusion: { treeSize: cp.size, proof: proofs[0]!.proof },
    checkpoint: cp.note,
    ...(withKey && keyEntry ? { certificateKey: { index: keyIndex, data: keyEntry, proof: proofs[1]!.proof } } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(carried.length ? { attestations: carried.map((i, k) => ({ index: i, data: attEntries[k]!, proof: attProofs[k]!.proof })) } : {}),
  });
  return serializeBundle(bundle);
}
