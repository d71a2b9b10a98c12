/** Build verification bundles (certificate, pledge receipt, evidence receipt) from the log: entry + inclusion proof to the newest checkpoint. */
import { buildBundle, serializeBundle, type BundleType } from '../certificates/bundle.ts';
import type { AppContext } from '../context.ts';
import { fromBase64, utf8 } from '../ledger/bytes.ts';

export async function logBundle(
  ctx: AppContext,
  type: BundleType,
  index: number,
  signed?: { payload: string; keyId: string; signatureBase64: string },
): Promise<string> {
  const cp = (await ctx.store.latestCheckpoint())!;
  const [{ proof }, entry] = await Promise.all([ctx.store.inclusionProof(index, cp.size), ctx.store.entry(index)]);
  const bundle = buildBundle({
    type,
    ...(signed ? { payload: utf8(signed.payload), signature: { keyId: signed.keyId, sig: fromBase64(signed.signatureBase64) } } : {}),
    entry: { index, data: entry! },
    inclusion: { treeSize: cp.size, proof },
    checkpoint: cp.note,
  });
  return serializeBundle(bundle);
}
