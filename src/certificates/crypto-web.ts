/**
 * Ed25519 verification with WebCrypto (`crypto.subtle`, algorithm "Ed25519"): fast
 * where the runtime has it (Node ≥ 20, current Chromium, Firefox and Safari). Callers
 * that must support older browsers check {@link hasWebCryptoEd25519} and fall back to
 * `nobleEd25519`. Pure (uses only the global `crypto`).
 */
import type { Ed25519Verify } from './verify.ts';

const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(publicKey: Uint8Array): Promise<CryptoKey> {
  let id = '';
  for (const b of publicKey) id += b.toString(16).padStart(2, '0');
  let key = keyCache.get(id);
  if (key === undefined) {
    key = globalThis.crypto.subtle.importKey('raw', publicKey.slice(), { name: 'Ed25519' }, false, ['verify']);
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(id, key);
    key.catch(() => keyCache.delete(id));
  }
  return key;
}

/** The WebCrypto adapter for `verifyBundle`. Any WebCrypto failure counts as an invalid signature. */
export const webCryptoEd25519: Ed25519Verify = {
  async verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const key = await importKey(publicKey);
      return await globalThis.crypto.subtle.verify({ name: 'Ed25519' }, key, signature.slice(), message.slice());
    } catch {
      return false;
    }
  },
};

/** Whether this runtime's WebCrypto verifies Ed25519 (probed once with a fixed RFC 8032 vector). */
export async function hasWebCryptoEd25519(): Promise<boolean> {
  try {
    // RFC 8032 §7.1 TEST 1: empty message.
    const pub = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = hex(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    return await webCryptoEd25519.verifyEd25519(pub, new Uint8Array(0), sig);
  } catch {
    return false;
  }
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
