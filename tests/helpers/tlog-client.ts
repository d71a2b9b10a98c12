/**
 * An independent tlog-tiles client, written from the specs (C2SP tlog-tiles,
 * tlog-checkpoint, signed-note; RFC 9162 §2.1) for tests. It shares NO code with
 * src/ledger: its own hashing (@noble/hashes), note parsing, Ed25519 (@noble),
 * tile paths, and the RFC's recursive proof definitions (not the verification
 * algorithms src/ledger uses), so agreement is a real cross-check.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import * as ed from '@noble/ed25519';

ed.hashes.sha512 = sha512;

type Fetch = (path: string) => Promise<Response>;

const enc = new TextEncoder();
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export const leafHash = (e: Uint8Array) => sha256(cat(Uint8Array.of(0), e));
const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(cat(Uint8Array.of(1), l, r));

/** RFC 9162 §2.1.1 MTH over leaf hashes. */
export function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array());
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) over leaf hashes. */
export function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function consistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const sub = (m: number, d: Uint8Array[], b: boolean): Uint8Array[] => {
    const n = d.length;
    if (m === n) return b ? [] : [mth(d)];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return m <= k ? [...sub(m, d.slice(0, k), b), mth(d.slice(k))] : [...sub(m - k, d.slice(k), false), mth(d.slice(0, k))];
  };
  return sub(m, leaves, true);
}

/** Recompute the root from an audit path (RFC 9162 §2.1.3.2), independent of src/ledger. */
export function rootFromPath(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[]): Uint8Array {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) ((fn = Math.floor(fn / 2)), (sn = Math.floor(sn / 2)));
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

/** Tile index path encoding (C2SP tlog-tiles). */
export function tileIndexPath(n: number): string {
  let s = String(n);
  while (s.length % 3) s = '0' + s;
  const g = s.match(/.../g)!;
  return g.map((x, i) => (i < g.length - 1 ? 'x' + x : x)).join('/');
}

export interface ParsedVkey {
  name: string;
  id: Uint8Array;
  pub: Uint8Array;
}

export function parseVkey(vkey: string): ParsedVkey {
  // <name>+<8 hex>+<base64>: the base64 part may itself contain '+'
  const m = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
  if (!m) throw new Error('malformed vkey');
  const [, name, idHex, key] = m;
  const raw = b64(key!);
  if (raw[0] !== 1 || raw.length !== 33) throw new Error('not an Ed25519 vkey');
  const id = sha256(cat(enc.encode(name!), Uint8Array.of(0x0a), raw)).slice(0, 4);
  if (hex(id) !== idHex) throw new Error('key id mismatch');
  return { name: name!, id, pub: raw.slice(1) };
}

/** Verify a signed checkpoint with one trusted key; return origin, size, root. */
export function verifyCheckpoint(note: string, key: ParsedVkey): { origin: string; size: number; root: Uint8Array } {
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) throw new Error('no signature block');
  const text = note.slice(0, sep + 1);
  const sigLines = note.slice(sep + 2).split('\n').filter(Boolean);
  let ok = false;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('bad signature line');
    if (m[1] !== key.name) continue;
    const sig = b64(m[2]!);
    if (!same(sig.slice(0, 4), key.id)) continue;
    if (!ed.verify(sig.slice(4), enc.encode(text), key.pub)) throw new Error('bad signature');
    ok = true;
  }
  if (!ok) throw new Error('no trusted signature');
  const [origin, size, root] = text.split('\n');
  if (origin !== key.name) throw new Error('origin mismatch');
  return { origin: origin!, size: Number(size), root: b64(root!) };
}

/**
 * Fetch every tile and entry bundle of a tree and verify them against a verified
 * checkpoint. Returns the leaf hashes and entries. Throws on any mismatch.
 */
export async function verifyWholeLog(
  fetch: Fetch,
  size: number,
  root: Uint8Array,
): Promise<{ leaves: Uint8Array[]; entries: Uint8Array[]; cacheControl: Map<string, string> }> {
  const cacheControl = new Map<string, string>();
  const get = async (p: string) => {
    const res = await fetch(p);
    if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status}`);
    cacheControl.set(p, res.headers.get('cache-control') ?? '');
    return new Uint8Array(await res.arrayBuffer());
  };
  const leaves: Uint8Array[] = [];
  const entries: Uint8Array[] = [];
  for (let n = 0; n * 256 < size; n++) {
    const w = Math.min(256, size - n * 256);
    const suffix = w === 256 ? '' : `.p/${w}`;
    const tile = await get(`/tile/0/${tileIndexPath(n)}${suffix}`);
    if (tile.length !== w * 32) throw new Error(`tile 0/${n} has ${tile.length} bytes`);
    const bundle = await get(`/tile/entries/${tileIndexPath(n)}${suffix}`);
    let o = 0;
    for (let i = 0; i < w; i++) {
      const len = (bundle[o]! << 8) | bundle[o + 1]!;
      const e = bundle.slice(o + 2, o + 2 + len);
      o += 2 + len;
      const lh = tile.slice(i * 32, i * 32 + 32);
      if (!same(leafHash(e), lh)) throw new Error(`entry ${n * 256 + i} does not match its tile hash`);
      entries.push(e);
      leaves.push(lh);
    }
    if (o !== bundle.length) throw new Error(`entry bundle ${n} has trailing bytes`);
  }
  if (!same(mth(leaves), root)) throw new Error('tiles do not hash to the checkpoint root');
  // Higher levels: tile L holds the level-8L hashes; check each against the leaves.
  for (let L = 1; 256 ** L <= size; L++) {
    const span = 256 ** L;
    const count = Math.floor(size / span);
    for (let n = 0; n * 256 < count; n++) {
      const w = Math.min(256, count - n * 256);
      const tile = await get(`/tile/${L}/${tileIndexPath(n)}${w === 256 ? '' : `.p/${w}`}`);
      for (let i = 0; i < w; i++) {
        const first = (n * 256 + i) * span;
        if (!same(tile.slice(i * 32, i * 32 + 32), mth(leaves.slice(first, first + span))))
          throw new Error(`tile ${L}/${n} hash ${i} is wrong`);
      }
    }
  }
  return { leaves, entries, cacheControl };
}
