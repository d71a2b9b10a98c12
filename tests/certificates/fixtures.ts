/**
 * Test fixtures for src/certificates: deterministic keys, an in-memory RFC 6962 log
 * built with src/ledger (compact-range-free reference hashing, proofs from
 * planInclusion/assembleProof, checkpoints signed with signNote), and certificates
 * issued into it exactly as the registry does (entry → index → payload → signature).
 */
import { utf8 } from '../../src/ledger/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { merkleTreeHash } from '../../src/ledger/index.ts';
import { encodeEntry, type LogEvent } from '../../src/ledger/index.ts';
import { rfc6962, sha256 } from '../../src/ledger/index.ts';
import { ed25519Signer, formatVerifierKey, signNote, type NoteSigner } from '../../src/ledger/index.ts';
import { assembleProof, planConsistency, planInclusion } from '../../src/ledger/index.ts';
import * as ed from '@noble/ed25519';
import { buildBundle, type Bundle } from '../../src/certificates/index.ts';
import {
  certificateIssuedEvent,
  certificatePayload,
  encodeCertificatePayload,
  type CertificateFields,
  type CertificatePayload,
} from '../../src/certificates/index.ts';
import { certificateKeyName, formatKeyId, signCertificatePayload, type CertificateSignature } from '../../src/certificates/index.ts';
import type { TrustedKeys } from '../../src/certificates/index.ts';
import { documentKeyAddedEvent, documentKeyProofFileName, serializeDocumentKeyProof, type DocumentSigner } from '../../src/certificates/index.ts';
import { documentSigner, generateDocumentKey, type DocumentSigningKey } from '../../src/keys/node/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ORIGIN = 'test.datadeed.localhost/log';

/** A deterministic 32-byte seed from a label. */
export function seedFor(label: string): Uint8Array {
  return sha256(utf8(`datadeed test seed: ${label}`));
}

export interface TestKey {
  name: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
  keyId: string;
  vkey: string;
  signer: NoteSigner;
}

/** A deterministic Ed25519 key named `name` (signing with @noble/ed25519). */
export function testKey(name: string, label: string): TestKey {
  const seed = seedFor(label);
  const signer = ed25519Signer(name, seed);
  const publicKey = ed.getPublicKey(seed);
  return { name, seed, publicKey, keyId: formatKeyId(signer.keyId), vkey: formatVerifierKey(name, publicKey), signer };
}

export const LOG_KEY = testKey(ORIGIN, 'log');
/** Certificate key retired on 2025-06-01. */
export const CERT_KEY_OLD = testKey(certificateKeyName(ORIGIN), 'certificate 2024');
export const CERT_KEY_OLD_WINDOW = { validFrom: '2024-01-01T00:00:00.000Z', validUntil: '2025-06-01T00:00:00.000Z' };
/** Certificate key active since 2025-06-01. */
export const CERT_KEY_NEW = testKey(certificateKeyName(ORIGIN), 'certificate 2025');
export const CERT_KEY_NEW_WINDOW = { validFrom: '2025-06-01T00:00:00.000Z', validUntil: null };

/** The trust set the tests verify with: the log key and both certificate keys with their windows. */
export function trust(): TrustedKeys {
  return {
    logKeys: [LOG_KEY.vkey],
    certificateKeys: [
      { vkey: CERT_KEY_OLD.vkey, ...CERT_KEY_OLD_WINDOW },
      { vkey: CERT_KEY_NEW.vkey, ...CERT_KEY_NEW_WINDOW },
    ],
  };
}

/** An in-memory append-only log with reference hashing (fine for a few thousand leaves). */
export class TestLog {
  readonly entries: Uint8Array[] = [];
  readonly leafHashes: Uint8Array[] = [];

  constructor(
    readonly origin: string = ORIGIN,
    readonly signer: NoteSigner = LOG_KEY.signer,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  append(entry: Uint8Array): number {
    this.entries.push(entry);
    this.leafHashes.push(rfc6962.hashLeaf(entry));
    return this.entries.length - 1;
  }

  appendEvent(event: LogEvent): number {
    return this.append(encodeEntry(event));
  }

  /** Some unrelated entries, so proofs have interesting shapes. */
  fill(n: number): void {
    for (let i = 0; i < n; i++) this.appendEvent({ kind: 'test.filler', time: '2025-01-01T00:00:00Z', n: this.size });
  }

  root(size: number = this.size): Uint8Array {
    return merkleTreeHash(rfc6962, this.leafHashes.slice(0, size));
  }

  private node = (id: { level: number; index: number }): Uint8Array => {
    const begin = id.index * 2 ** id.level;
    return merkleTreeHash(rfc6962, this.leafHashes.slice(begin, begin + 2 ** id.level));
  };

  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    return assembleProof(rfc6962, planInclusion(index, size), this.node);
  }

  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    if (size1 === 0 || size1 === size2) return [];
    return assembleProof(rfc6962, planConsistency(size1, size2), this.node);
  }

  /** The signed checkpoint note of `size`. */
  async checkpoint(size: number = this.size): Promise<string> {
    return signNote(formatCheckpoint({ origin: this.origin, size, rootHash: this.root(size), extensions: [] }), [this.signer]);
  }
}

/** Valid certificate fields, overridable. */
export function sampleFields(overrides: Partial<CertificateFields> = {}, key: TestKey = CERT_KEY_NEW): CertificateFields {
  return {
    number: 'DIP-2025-000123',
    version: 1,
    holder: { name: '福建数据科技有限公司', uscc: '91350100M000100Y43' },
    dataset: {
      name: '城市交通出行数据集 2025 Q2',
      manifestRoot: '5f9c4ab08cac7457e9111a30e4664920607ea2c115a1433d7be98e97e64244ca',
      files: 1284,
      bytes: 73_014_444_032,
    },
    issuedAt: '2025-07-01T08:00:00Z',
    validFrom: '2025-07-01T00:00:00Z',
    validUntil: '2028-06-30T23:59:59Z',
    origin: ORIGIN,
    keyId: key.keyId,
    ...overrides,
  };
}

export interface Issued {
  fields: CertificateFields;
  payload: CertificatePayload;
  payloadBytes: Uint8Array;
  signature: CertificateSignature;
  entry: Uint8Array;
  index: number;
}

/** Issues a certificate into `log` the way the registry does: entry → index → payload → signature. */
export async function issue(log: TestLog, fields: CertificateFields, key: TestKey = CERT_KEY_NEW): Promise<Issued> {
  const entry = encodeEntry(certificateIssuedEvent(fields));
  const index = log.append(entry);
  const payload = certificatePayload(fields, { index, leafHash: rfc6962.hashLeaf(entry) });
  const payloadBytes = encodeCertificatePayload(payload);
  const signature = await signCertificatePayload(payloadBytes, key.signer);
  return { fields, payload, payloadBytes, signature, entry, index };
}

/** The bundle of an issued certificate against the checkpoint of `size` (default: the whole log). */
export async function bundleFor(log: TestLog, issued: Issued, size: number = log.size): Promise<Bundle> {
  return buildBundle({
    type: 'certificate',
    payload: issued.payloadBytes,
    signature: issued.signature,
    entry: { index: issued.index, data: issued.entry },
    inclusion: { treeSize: size, proof: log.inclusionProof(issued.index, size) },
    checkpoint: await log.checkpoint(size),
  });
}

/** A log with fillers, two certificates (old key / new key) and more fillers; returns both. */
export async function standardLog(): Promise<{ log: TestLog; oldCert: Issued; newCert: Issued }> {
  const log = new TestLog();
  log.fill(5);
  const oldCert = await issue(
    log,
    sampleFields(
      {
        number: 'DIP-2025-000045',
        holder: { name: '深圳市腾讯计算机系统有限公司', uscc: '91440300708461136T' },
        issuedAt: '2025-03-14T02:30:00Z',
        validFrom: '2025-03-14T00:00:00Z',
        validUntil: '2028-03-13T23:59:59Z',
      },
      CERT_KEY_OLD,
    ),
    CERT_KEY_OLD,
  );
  log.fill(3);
  const newCert = await issue(log, sampleFields());
  log.fill(4);
  return { log, oldCert, newCert };
}

/**
 * A document-signing key (ECDSA P-256) with its certificate, issued by a fresh registry
 * CA, made by the keys module in a temporary directory (removed again).
 */
export async function testDocumentKey(origin: string = ORIGIN, now: Date = new Date('2025-01-01T00:00:00Z')): Promise<DocumentSigningKey> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-doc-key-'));
  try {
    return await generateDocumentKey(dir, origin, now);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Publishes `key` in `log` (its `key.added` entry of purpose document) and returns the
 * signer the registry would use: it embeds the proof of that entry against the log's
 * checkpoint at the time of signing.
 */
export function loggedDocumentSigner(log: TestLog, key: DocumentSigningKey, at: Date = new Date('2025-01-01T00:00:00Z')): DocumentSigner {
  const index = log.appendEvent(documentKeyAddedEvent(key.certificate, key.caCertificate, at));
  return documentSigner(key, async () => {
    const size = log.size;
    const text = serializeDocumentKeyProof({ entry: { index, data: log.entries[index]! }, inclusion: { treeSize: size, proof: log.inclusionProof(index, size) }, checkpoint: await log.checkpoint(size) });
    return [{ name: documentKeyProofFileName(key.keyId), bytes: utf8(text), mimeType: 'application/json', description: 'document key proof' }];
  });
}

/**
 * A status body with a state proof (docs/log-format.md §8.1), as a registry serves it: a
 * copy of `log` grown by a `state.committed` whose root is that of a map holding `record`
 * (or nothing, when null) under the certificate's key, proven with the map's own code.
 */
export async function provenStatus(log: TestLog, number: string, record: Record<string, unknown> | null): Promise<Record<string, unknown>> {
  const { MemoryNodeStore, applyMapUpdates, certificateMapKey, proveMapKey, mapProofToBase64, EMPTY_HASH } = await import('../../src/state/map/index.ts');
  const { canonicalJson, toBase64, toHex } = await import('../../src/ledger/index.ts');
  const store = new MemoryNodeStore();
  const key = certificateMapKey(number);
  const updates = record ? [{ key, value: sha256(utf8(canonicalJson(record))) }] : [];
  const c = await applyMapUpdates(store, EMPTY_HASH, updates, sha256);
  await store.putNodes(c.newNodes);
  const copy = new TestLog(log.origin);
  for (const e of log.entries) copy.append(e);
  const index = copy.appendEvent({ kind: 'state.committed', time: '2025-09-01T00:00:00.000Z', size: copy.size, root: toHex(c.root) });
  const proven = await proveMapKey(store, c.root, key, sha256);
  return {
    format: 'datadeed-state-proof/1',
    key: { certificate: number },
    record,
    proof: mapProofToBase64(proven.proof),
    entry: { index, data: toBase64(copy.entries[index]!) },
    inclusion: { treeSize: copy.size, proof: copy.inclusionProof(index).map(toHex) },
    checkpoint: await copy.checkpoint(),
  };
}

/** The status record of the sample certificate with `status` (and overrides). */
export function sampleStatusRecord(status: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 'DIP-2025-000123',
    status,
    version: 1,
    holderUscc: '91350100M000100Y43',
    validUntil: '2028-06-30T23:59:59Z',
    supersededBy: null,
    pledges: [],
    licences: 0,
    policies: 0,
    lastEvent: 0,
    ...overrides,
  };
}
