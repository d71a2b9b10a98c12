/**
 * The public verification page's script: fetches the bundle and the published keys,
 * and verifies the signature, the log entry, the Merkle inclusion proof and the
 * checkpoint signature IN THE BROWSER with the same pure verifier the CLI uses.
 * A bank can pin the log's verifier key (obtained out of band) so it need not
 * trust this server at all.
 */
import { verifyBundle, type TrustedKeys } from '../../certificates/verify.ts';
import { nobleEd25519 } from '../../certificates/crypto-noble.ts';
import { hasWebCryptoEd25519, webCryptoEd25519 } from '../../certificates/crypto-web.ts';

const PIN = 'datadeed.pinnedLogKey';

const LABELS: Record<string, string> = {
  format: '格式 Bundle format',
  checkpoint_signature: '检查点签名 Checkpoint signature',
  inclusion_proof: '默克尔包含证明 Merkle inclusion proof',
  entry_matches_payload: '日志条目与证书一致 Log entry matches certificate',
  certificate_signature: '证书签名 Certificate signature',
  key_validity: '密钥有效期 Key validity window',
};

function el(tag: string, text: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function run(root: HTMLElement): Promise<void> {
  const out = root.querySelector('[data-results]') as HTMLElement;
  const bundleUrl = root.dataset.bundleUrl!;
  const [bundleRes, keysRes] = await Promise.all([fetch(bundleUrl), fetch('/v1/keys')]);
  if (!bundleRes.ok) {
    out.replaceChildren(el('p', `无法获取验证包 Could not fetch the bundle (HTTP ${bundleRes.status})`, 'bad'));
    return;
  }
  const bundle = await bundleRes.json();
  const keys = (await keysRes.json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  const served = keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey);
  const pinned = localStorage.getItem(PIN);
  const trust: TrustedKeys = {
    logKeys: pinned ? [pinned] : served,
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
  const crypto = (await hasWebCryptoEd25519()) ? webCryptoEd25519 : nobleEd25519;
  const result = await verifyBundle(bundle, trust, crypto);
  const table = document.createElement('table');
  for (const c of result.checks) {
    const tr = document.createElement('tr');
    tr.append(el('td', LABELS[c.name] ?? c.name), el('td', c.ok ? '✔ 通过 passed' : `✘ ${c.code}`, c.ok ? 'ok' : 'bad'));
    table.append(tr);
  }
  const verdict = result.ok
    ? el('p', '✔ 在您的浏览器中验证通过：签名、日志条目与默克尔证明均有效。 Verified in your browser: signature, log entry and Merkle proof are valid.', 'ok')
    : el('p', '✘ 验证失败 Verification FAILED — do not rely on this document.', 'bad');
  verdict.id = 'verdict';
  verdict.dataset.ok = String(result.ok);
  const keyInfo = el(
    'p',
    pinned
      ? `使用已固定的日志公钥 Using your pinned log key: ${pinned}`
      : `日志公钥（来自本服务器，请与线下获得的公钥核对）Log key as served here — compare it with the key you obtained out of band: ${served.join(', ')}`,
    'muted mono',
  );
  const pin = document.createElement('button');
  pin.className = 'secondary';
  pin.type = 'button';
  pin.textContent = pinned ? '取消固定 Unpin' : '固定此公钥 Pin this log key';
  pin.onclick = () => {
    if (pinned) localStorage.removeItem(PIN);
    else {
      const v = prompt('日志公钥 Log verifier key (vkey):', served[0] ?? '');
      if (v) localStorage.setItem(PIN, v.trim());
    }
    location.reload();
  };
  out.replaceChildren(verdict, table, keyInfo, pin);
}

for (const root of document.querySelectorAll<HTMLElement>('[data-verify]')) {
  run(root).catch((err) => {
    (root.querySelector('[data-results]') as HTMLElement).replaceChildren(el('p', `验证出错 Verification error: ${String(err)}`, 'bad'));
  });
}
