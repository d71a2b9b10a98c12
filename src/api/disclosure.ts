/**
 * The 数据资产入表 disclosure pack of a certificate, assembled for the route: the facts the
 * registry holds (src/registry `disclosureSources`), each entry stating them with its
 * inclusion proof to one checkpoint that includes them all, built by the pure
 * `buildDisclosurePack` and signed with the registry's document key (signed JSON).
 */
import { signJson, type SignedJson } from '../certificates/index.ts';
import { buildDisclosurePack, type DisclosurePack } from '../registry/index.ts';
import type { Principal } from '../accounts/pg/index.ts';
import type { ApiServices } from './services.ts';

export async function disclosurePack(ctx: Pick<ApiServices, 'registry' | 'log' | 'documentSigner' | 'clock'>, p: Principal, number: string): Promise<{ pack: DisclosurePack; signed: SignedJson }> {
  const src = await ctx.registry.certificates.disclosureSources(p, number);
  const indices = [
    src.submittedLogIndex,
    src.certificate.log.index,
    ...src.licences.map((l) => l.logIndex),
    ...src.pledges.flatMap((x) => (x.releasedLogIndex === null ? [x.recordedLogIndex] : [x.recordedLogIndex, x.releasedLogIndex])),
  ];
  const unique = [...new Set(indices)];
  const cp = await ctx.log.checkpointIncluding(Math.max(...unique));
  const [proofs, datas] = await Promise.all([ctx.log.inclusionProofs(unique, cp.size), Promise.all(unique.map((i) => ctx.log.entry(i)))]);
  const entries = new Map(unique.map((i, k) => [i, { data: datas[k]!, proof: proofs[k]!.proof }]));
  const pack = buildDisclosurePack({
    number,
    registrationNumber: src.certificate.registrationNumber ?? null,
    generatedAt: ctx.clock.now().toISOString(),
    checkpoint: { note: cp.note, size: cp.size },
    form: src.form,
    submittedIndex: src.submittedLogIndex,
    issuedIndex: src.certificate.log.index,
    licences: src.licences,
    pledges: src.pledges,
    entries,
  });
  return { pack, signed: await signJson(pack, ctx.documentSigner) };
}
