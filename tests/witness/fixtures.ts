/**
 * Fixtures for the witness tests: deterministic keys, and an in-memory log whose
 * checkpoints are signed with the ledger's pure functions (merkleTreeHash, signNote with
 * ed25519Signer) and whose consistency proofs come from a direct transcription of
 * RFC 6962 §2.1.2 SUBPROOF (not the ledger's planner).
 */
import * as ed from '@noble/ed25519';
import { ed25519Signer, formatCheckpoint, formatVerifierKey, merkleTreeHash, rfc6962, sha256, signNote, utf8, type NoteSigner } from '../../src/ledger/index.ts';
import { cosignerKeyId, formatCosignerKey, type Cosigner, type CosignerKey } from '../../src/witness/index.ts';
import { nodeEd25519Sign, nodeEd25519Verify } from '../../src/witness/node/ed25519.ts';

export const ORIGIN = 'log.datadeed.test/v1';

/** A deterministic 32-byte seed from a label. */
export function seedFor(label: string): Uint8Array {
  return sha256(utf8(`datadeed witness test seed: ${label}`));
}

/** A log key (Ed25519 note key, type 0x01). */
export function logKey(name: string, label: string): { signer: NoteSigner; vkey: string; publicKey: Uint8Array } {
  const seed = seedFor(label);
  const publicKey = ed.getPublicKey(seed);
  return { signer: ed25519Signer(name, seed), vkey: formatVerifierKey(name, publicKey), publicKey };
}

/** A witness cosigner key (type 0x04), signing through node:crypto. */
export function witnessKey(name: string, label: string): { cosigner: Cosigner; key: CosignerKey; vkey: string; seed: Uint8Array } {
  const seed = seedFor(label);
  const publicKey = ed.getPublicKey(seed);
  const keyId = cosignerKeyId(name, publicKey);
  return { cosigner: { name, keyId, sign: nodeEd25519Sign(seed) }, key: { name, keyId, publicKey }, vkey: formatCosignerKey(name, publicKey), seed };
}

export const verify = nodeEd25519Verify;
export const LOG = logKey(ORIGIN, 'log');

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** An append-only log in memory (fine for a few thousand leaves). */
export class TestLog {
  readonly leafHashes: Uint8Array[] = [];

  constructor(
    readonly origin: string = ORIGIN,
    readonly signers: NoteSigner[] = [LOG.signer],
    /** Distinguishes the entries of two logs (a fork). */
    readonly label = 'main',
  ) {}

  get size(): number {
    return this.leafHashes.length;
  }

  append(n: number): this {
    for (let i = 0; i < n; i++) this.leafHashes.push(rfc6962.hashLeaf(utf8(`${this.label} entry ${this.size}`)));
    return this;
  }

  /** A log with the same origin and keys that shares this log's first `size` entries, then differs. */
  forkAt(size: number, label = 'fork'): TestLog {
    const fork = new TestLog(this.origin, this.signers, label);
    fork.leafHashes.push(...this.leafHashes.slice(0, size));
    return fork;
  }

  root(size = this.size): Uint8Array {
    return merkleTreeHash(rfc6962, this.leafHashes.slice(0, size));
  }

  /** RFC 6962 §2.1.2 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
  consistencyProof(m: number, n = this.size): Uint8Array[] {
    if (m === 0 || m === n) return [];
    const mth = (leaves: Uint8Array[]) => merkleTreeHash(rfc6962, leaves);
    const subproof = (m: number, d: Uint8Array[], b: boolean): Uint8Array[] => {
      if (m === d.length) return b ? [] : [mth(d)];
      const k = largestPowerOfTwoBelow(d.length);
      if (m <= k) return [...subproof(m, d.slice(0, k), b), mth(d.slice(k))];
      return [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
    };
    return subproof(m, this.leafHashes.slice(0, n), true);
  }

  body(size = this.size): string {
    return formatCheckpoint({ origin: this.origin, size, rootHash: this.root(size), extensions: [] });
  }

  /** The signed checkpoint note of `size`. */
  checkpoint(size = this.size): Promise<string> {
    return signNote(this.body(size), this.signers);
  }
}

/** An add-checkpoint body. */
export function requestBody(oldSize: number, proof: Uint8Array[], checkpoint: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${checkpoint}`;
}
