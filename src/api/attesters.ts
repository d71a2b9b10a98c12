/**
 * Who, besides the registry, vouches for a log entry (issue 17): the witnesses (notary
 * offices running `datadeed witness`) whose cosignatures on the checkpoint a bundle of the
 * entry carries are valid under the registry's trust policy, the RFC 3161 time-stamp over
 * that checkpoint (its time and authority, as the token claims — a verifier checks it
 * against the TSA roots it trusts), and the notarial attestations of the entry's digest
 * (each notary signature checked here). The verification pages and the certificate and
 * receipt PDFs show them.
 */
import { checkpointTimestampMessage, timestampTokenClaims } from '../ledger/index.ts';
import { evaluatePolicy, parsePolicy, verifyAttestation } from '../witness/index.ts';
import { nodeEd25519Verify } from '../witness/node/index.ts';
import type { ApiServices } from './services.ts';
import type { AttestedBy } from '../certificates/pdf/index.ts';
import { localTime } from '../time.ts';

/** The independent parties of one entry's proof. */
export interface Attesters {
  /** The size of the checkpoint a bundle of the entry carries. */
  checkpointSize: number;
  /** Policy witnesses with a valid cosignature on that checkpoint, and the time they cosigned. */
  witnesses: { name: string; keyName: string; time: Date }[];
  /** The time-stamp authority's claim over that checkpoint (imprint checked, signature to be checked against trusted roots). */
  tsa?: { name: string; time: Date };
  /** Notarial attestations of the digest, oldest first; `verified`: the notary signature verifies. */
  notaries: { office: string; notarialNumber: string; attestedAt: Date; logIndex: number; keyName: string; verified: boolean }[];
}

/**
 * The attesters of entry `index` of `digest` (a deposit's digest or a certificate's
 * manifest root; none for an entry without one, such as a pledge: then no notaries).
 */
export async function attestersOf(ctx: Pick<ApiServices, 'log' | 'settings' | 'registry'>, index: number, digest: string | undefined): Promise<Attesters> {
  const atts = digest === undefined ? [] : await ctx.registry.attestations.ofDigest(digest);
  const cp = await ctx.log.bundleCheckpoint(Math.max(index, ...atts.map((a) => a.logIndex)));
  const out: Attesters = { checkpointSize: cp.size, witnesses: [], notaries: [] };
  if (ctx.settings.trustPolicy) {
    const policy = parsePolicy(ctx.settings.trustPolicy);
    const e = await evaluatePolicy(cp.note, policy, nodeEd25519Verify);
    for (const s of e.signed) {
      const w = policy.witnesses.find((x) => x.name === s.witness);
      out.witnesses.push({ name: s.witness, keyName: w?.keyName ?? s.witness, time: new Date(s.timestamp * 1000) });
    }
  }
  const token = await ctx.log.timestampToken(cp.size);
  if (token) {
    const claims = timestampTokenClaims(token, checkpointTimestampMessage(cp.note));
    if (claims?.imprintMatches) out.tsa = { name: claims.tsa ?? '—', time: claims.genTime };
  }
  for (const a of atts) {
    const check = await verifyAttestation(
      { origin: ctx.settings.origin, digest: a.digest, notarialNumber: a.notarialNumber, office: a.office, attestedAt: a.attestedAt },
      { notaryKey: a.notaryKey, signature: a.signature },
      nodeEd25519Verify,
    );
    out.notaries.push({
      office: a.office,
      notarialNumber: a.notarialNumber,
      attestedAt: new Date(a.attestedAt),
      logIndex: a.logIndex,
      keyName: a.notaryKey.split('+')[0] ?? '',
      verified: check.ok,
    });
  }
  return out;
}

/** An instant as `YYYY-MM-DD HH:mm` in the zone, with its UTC offset. */
function when(at: Date, timeZone: string): string {
  const l = localTime(at, timeZone);
  return `${l.date} ${l.time} (UTC${l.offset})`;
}

/** The attesters as the lines a PDF names them by (see `attestedFields`); nothing for what is absent. */
export function attestedByLines(a: Attesters, timeZone: string): AttestedBy {
  const out: AttestedBy = {};
  if (a.witnesses.length) out.witnesses = a.witnesses.map((w) => `${w.keyName} ${when(w.time, timeZone)}`).join('; ');
  if (a.tsa) out.timestamp = `${when(a.tsa.time, timeZone)} · ${a.tsa.name}`;
  const good = a.notaries.filter((n) => n.verified);
  if (good.length) out.notaries = good.map((n) => `${n.office} · 公证书 ${n.notarialNumber} · ${when(n.attestedAt, timeZone)}`).join('; ');
  return out;
}
