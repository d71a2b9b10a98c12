/**
 * A `certificate.issued` entry carries, besides what its payload determines, links to the
 * rest of the log (docs/log-format.md §6.4, §7.2): basis, application, approval, deposits,
 * previous event. The verifier takes them from the entry, requires them well-formed and
 * pointing back, and rebuilds the entry with them — every other member stays fixed by the
 * payload; an entry without links (written before they existed) verifies as before.
 */
import { describe, expect, it } from 'vitest';
import { encodeEntry, rfc6962 } from '../../src/ledger/index.ts';
import {
  buildBundle,
  certificateIssuedEvent,
  certificatePayload,
  encodeCertificatePayload,
  signCertificatePayload,
  verifyBundle,
  type IssuanceLinks,
} from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { CERT_KEY_NEW, sampleFields, TestLog, trust } from './fixtures.ts';

/** Issue with an entry of our choosing (links or any other change), the payload naming it. */
async function issueWithEntry(log: TestLog, event: Record<string, unknown>) {
  const fields = sampleFields();
  const entry = encodeEntry(event as never);
  const index = log.append(entry);
  const payloadBytes = encodeCertificatePayload(certificatePayload(fields, { index, leafHash: rfc6962.hashLeaf(entry) }));
  const signature = await signCertificatePayload(payloadBytes, CERT_KEY_NEW.signer);
  log.fill(2);
  return buildBundle({
    type: 'certificate',
    payload: payloadBytes,
    signature,
    entry: { index, data: entry },
    inclusion: { treeSize: log.size, proof: log.inclusionProof(index) },
    checkpoint: await log.checkpoint(),
  });
}

const entryCheck = async (event: Record<string, unknown>) => {
  const log = new TestLog();
  log.fill(10);
  const r = await verifyBundle(await issueWithEntry(log, event), trust(), nodeEd25519);
  return { ok: r.ok, check: r.checks.find((c) => c.name === 'entry_matches_payload')! };
};

const withLinks = (links: Record<string, unknown>) => ({ ...certificateIssuedEvent(sampleFields()), ...links });

describe('certificate.issued links', () => {
  it('an entry with links pointing back verifies', async () => {
    const links: IssuanceLinks = { basis: 'initial', applicationId: '6a1f4a3e-0c55-4f63-8a0e-1d2b3c4d5e6f', approval: 9, deposits: [3, 4] };
    const r = await entryCheck(certificateIssuedEvent(sampleFields(), links));
    expect(r.check.code).toBe('ok');
    expect(r.ok).toBe(true);
  });

  it('an entry without links verifies (entries written before links existed)', async () => {
    expect((await entryCheck(certificateIssuedEvent(sampleFields()))).ok).toBe(true);
  });

  it('a link to the entry itself or after it → entry_mismatch', async () => {
    for (const links of [{ approval: 10 }, { approval: 11 }, { deposits: [2, 10] }, { prev: 12 }]) {
      const r = await entryCheck(withLinks(links));
      expect(r.ok, JSON.stringify(links)).toBe(false);
      expect(r.check).toMatchObject({ code: 'entry_mismatch', detail: 'the entry links to an entry that is not before it' });
    }
  });

  it('malformed links → entry_mismatch', async () => {
    for (const links of [{ basis: 'gift' }, { applicationId: 'APP-1' }, { approval: -1 }, { approval: 1.5 }, { deposits: 3 }, { prev: '4' }]) {
      const r = await entryCheck(withLinks(links));
      expect(r.ok, JSON.stringify(links)).toBe(false);
      expect(r.check).toMatchObject({ code: 'entry_mismatch', detail: 'the entry’s links to the log are malformed' });
    }
  });

  it('any other extra member still fails: links are the only members the payload does not fix', async () => {
    const r = await entryCheck(withLinks({ basis: 'initial', note: 'x' }));
    expect(r.check).toMatchObject({ code: 'entry_mismatch', detail: 'the entry has fields a certificate.issued entry does not have' });
  });
});
