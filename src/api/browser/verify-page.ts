/**
 * The public verification page's script: fetches the bundle (or reads a bundle file the
 * person picks) and the published keys, and verifies the signature, the log entry, the
 * Merkle inclusion proof and the checkpoint signature IN THE BROWSER with the same pure
 * verifier the CLI uses. A bank can pin the log's verifier key (obtained out of band) so
 * it need not trust this server at all. Messages in the page's language.
 */
import { verifyBundle, verifyStateProof, type ProvenStatusRecord, type TrustedKeys } from '../../certificates/index.ts';
import { nobleEd25519 } from '../../certificates/index.ts';
import { hasWebCryptoEd25519, webCryptoEd25519 } from '../../certificates/index.ts';
import { t, type Lang, type MessageKey } from '../pages/i18n.ts';
import { checkpointTimestampMessage, fromBase64, timestampTokenClaims } from '../../ledger/index.ts';

const PIN = 'datadeed.pinnedLogKey';
const lang: Lang = document.documentElement.lang.startsWith('en') ? 'en' : 'zh';

function el(tag: string, text: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function trustedKeys(): Promise<{ trust: TrustedKeys; served: string[]; pinned: string | null }> {
  const keys = (await (await fetch('/v1/keys')).json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  const served = keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey);
  const pinned = localStorage.getItem(PIN);
  return {
    served,
    pinned,
    trust: {
      logKeys: pinned ? [pinned] : served,
      certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
    },
  };
}

/**
 * The certificate's status as its state proof proves it (docs/log-format.md §8.1),
 * checked here with the same keys as the bundle: the verdict follows it, not the page.
 */
async function provenStatus(statusUrl: string, number: string, logKeys: string[], crypto: typeof nobleEd25519): Promise<{ record: ProvenStatusRecord; index: number } | { error: string }> {
  const res = await fetch(statusUrl);
  if (!res.ok) return { error: `HTTP ${res.status}` };
  const body = (await res.json()) as { stateProof?: unknown };
  const r = await verifyStateProof(body.stateProof, { certificate: number }, logKeys, crypto);
  if (!r.ok) return { error: r.code };
  if (r.record === null) return { error: 'absent' };
  return { record: r.record as ProvenStatusRecord, index: r.committed.index };
}

/** The registry's trust policy (C2SP tlog-policy), if it has witnesses. */
let policyText: Promise<string | null> | undefined;
function trustPolicy(): Promise<string | null> {
  policyText ??= fetch('/v1/trust-policy').then(
    (r) => (r.ok ? r.text() : null),
    () => null,
  );
  return policyText;
}

const local = (at: Date | string) => {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN');
};

/**
 * Who besides the registry vouches for the bundle (issue 17): the witnesses of the
 * registry's policy whose cosignatures on the checkpoint verify (names, times), the
 * notarial attestations that verified, and the time a time-stamp token claims.
 */
async function independentLines(bundle: unknown, result: Awaited<ReturnType<typeof verifyBundle>>, trust: TrustedKeys, crypto: typeof nobleEd25519): Promise<HTMLElement | null> {
  const items: HTMLElement[] = [];
  const policy = result.checks.every((c) => c.name !== 'format' || c.ok) ? await trustPolicy() : null;
  if (policy) {
    try {
      const withPolicy = await verifyBundle(bundle, trust, crypto, { policy, now: Math.floor(Date.now() / 1000) });
      for (const w of withPolicy.checks.find((c) => c.name === 'cosignatures')?.witnesses?.signed ?? []) {
        const li = el('li', t(lang, 'verify.cosignedBy', { name: w.name, time: local(new Date(w.timestamp * 1000)) }));
        li.dataset.witness = w.name;
        items.push(li);
      }
    } catch {
      // a policy this page cannot read names no witness
    }
  }
  for (const a of result.attestations ?? []) {
    const li = el('li', t(lang, 'verify.attestedBy', { office: a.office, number: a.notarialNumber, time: local(a.attestedAt) }));
    li.dataset.notary = a.notarialNumber;
    items.push(li);
  }
  const token = (bundle as { timestamp?: unknown; checkpoint?: unknown } | null)?.timestamp;
  const note = (bundle as { checkpoint?: unknown } | null)?.checkpoint;
  if (typeof token === 'string' && typeof note === 'string') {
    try {
      const c = timestampTokenClaims(fromBase64(token), checkpointTimestampMessage(note));
      if (c?.imprintMatches) items.push(el('li', `${t(lang, 'verify.timestamped', { time: local(c.genTime), tsa: c.tsa ?? '—' })} ${t(lang, 'verify.tsaClaimed')}`));
    } catch {
      // an unreadable token is the timestamp check's business (datadeed verify --tsa-roots)
    }
  }
  if (!items.length) return null;
  const box = document.createElement('div');
  box.dataset.independent = String(items.length);
  const ul = document.createElement('ul');
  ul.append(...items);
  box.append(el('h3', t(lang, 'verify.independent')), ul);
  return box;
}

/** Verifies `bundle` and shows the checks, the verdict and the key in `out` (`before`: a line shown first, e.g. what came out of a PDF). */
async function show(out: HTMLElement, bundle: unknown, statusUrl?: string, before?: HTMLElement): Promise<void> {
  const { trust, served, pinned } = await trustedKeys();
  const crypto = (await hasWebCryptoEd25519()) ? webCryptoEd25519 : nobleEd25519;
  const result = await verifyBundle(bundle, trust, crypto);
  const independent = await independentLines(bundle, result, trust, crypto);
  const table = document.createElement('table');
  for (const c of result.checks) {
    const tr = document.createElement('tr');
    const key = `verify.check.${c.name}` as MessageKey;
    const label = el('th', t(lang, key) === key ? c.name : t(lang, key));
    label.setAttribute('scope', 'row');
    tr.append(label, el('td', c.ok ? `✔ ${t(lang, 'verify.passed')}` : `✘ ${c.code}`, c.ok ? 'ok' : 'bad'));
    table.append(tr);
  }
  let verdict = result.ok ? el('p', `✔ ${t(lang, 'verify.ok')}`, 'ok') : el('p', `✘ ${t(lang, 'verify.failed')}`, 'bad');
  let ok = result.ok;
  // a certificate: valid only when its proven status is active (amber when pledged)
  // an uploaded PDF or bundle: its certificate's live status, from this registry, proven the same way
  if (result.ok && result.subject?.kind === 'certificate') statusUrl ??= `/v1/certificates/${encodeURIComponent(result.subject.number)}/status`;
  if (result.ok && statusUrl && result.subject?.kind === 'certificate') {
    const proven = await provenStatus(statusUrl, result.subject.number, trust.logKeys, crypto).catch((e: unknown) => ({ error: String(e) }));
    if ('error' in proven) {
      ok = false;
      verdict = el('p', `✘ ${t(lang, 'verify.noStatusProof', { error: proven.error })}`, 'bad');
    } else {
      const r = proven.record;
      verdict.dataset.status = r.status;
      const text =
        r.status === 'active'
          ? `✔ ${t(lang, 'verify.ok')} ${t(lang, 'verify.verdictValid')}`
          : r.status === 'pledged'
            ? `⚠ ${t(lang, 'verify.verdictPledgedTo', { pledgees: r.pledges.map((p) => p.pledgee).join(', '), terms: r.pledges.map((p) => `${p.termStart} – ${p.termEnd}`).join(', ') })}`
            : r.status === 'superseded'
              ? `✘ ${t(lang, 'verify.verdictSuperseded', { successor: r.supersededBy ?? '—' })}`
              : `✘ ${t(lang, 'verify.verdictNotValid', { status: r.status })}`;
      ok = r.status === 'active' || r.status === 'pledged';
      const status = verdict.dataset.status;
      verdict = el('p', text, r.status === 'active' ? 'ok' : r.status === 'pledged' ? 'warn' : 'bad');
      verdict.dataset.status = status;
      verdict.dataset.pledgees = r.pledges.map((p) => p.pledgee).join(',');
      const tr = document.createElement('tr');
      const label = el('th', t(lang, 'verify.provenStatus', { status: r.status, index: proven.index }));
      label.setAttribute('scope', 'row');
      tr.append(label, el('td', `✔ ${t(lang, 'verify.passed')}`, 'ok'));
      table.append(tr);
    }
  }
  verdict.id = 'verdict';
  verdict.className = `${verdict.className} verdict`;
  verdict.dataset.ok = String(ok);
  // what the bundle proves (a certificate, a deposit, a pledge recorded or released)
  const s = result.subject;
  const proves = el(
    'p',
    !s
      ? ''
      : s.kind === 'certificate'
        ? `证明 Proves: 证书 certificate ${s.number} (version ${s.version})`
        : s.kind === 'deposit'
          ? `证明 Proves: 存证 deposit ${s.depositId} of digest ${s.digest}, ${s.time}`
          : s.event === 'released'
            ? `证明 Proves: 质押解除 release of pledge ${s.pledgeNumber} (certificate ${s.certificate}), ${s.time}`
            : `证明 Proves: 质押登记 pledge ${s.pledgeNumber} recorded against certificate ${s.certificate}, ${s.time}`,
    'mono',
  );
  proves.dataset.subject = s?.kind ?? '';
  const keyInfo = el('p', pinned ? t(lang, 'verify.pinned', { key: pinned }) : t(lang, 'verify.served', { keys: served.join(', ') }), 'muted mono');
  const pin = document.createElement('button');
  pin.className = 'secondary';
  pin.type = 'button';
  pin.textContent = pinned ? t(lang, 'verify.unpin') : t(lang, 'verify.pin');
  pin.onclick = () => {
    if (pinned) localStorage.removeItem(PIN);
    else {
      const v = prompt(t(lang, 'verify.pinPrompt'), served[0] ?? '');
      if (v) localStorage.setItem(PIN, v.trim());
    }
    location.reload();
  };
  out.replaceChildren(...(before ? [before] : []), verdict, proves, table, ...(independent ? [independent] : []), keyInfo, pin);
}

async function run(root: HTMLElement): Promise<void> {
  const out = root.querySelector('[data-results]') as HTMLElement;
  const res = await fetch(root.dataset.bundleUrl!);
  if (!res.ok) {
    out.replaceChildren(el('p', t(lang, 'verify.fetchFailed', { status: res.status }), 'bad'));
    return;
  }
  await show(out, await res.json(), root.dataset.statusUrl);
}

for (const root of Array.from(document.querySelectorAll<HTMLElement>('[data-verify]'))) {
  run(root).catch((err) => {
    (root.querySelector('[data-results]') as HTMLElement).replaceChildren(el('p', t(lang, 'verify.error', { error: String(err) }), 'bad'));
  });
}

/** Loads the PDF reader (`/assets/verify-pdf.js`) once. */
let pdfReader: Promise<{ extractBundleFromPdf(pdf: Uint8Array): Promise<{ name: string; bytes: Uint8Array; declaredId: string | null }> }> | undefined;
function loadPdfReader() {
  pdfReader ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/assets/verify-pdf.js';
    s.onload = () => resolve((globalThis as unknown as { datadeedPdf: Awaited<NonNullable<typeof pdfReader>> }).datadeedPdf);
    s.onerror = () => reject(new Error('the PDF reader could not be loaded'));
    document.head.append(s);
  });
  return pdfReader;
}

/** Verifies a file the person picked or dropped: a bundle, or a PDF whose attached bundle is taken out here. Never uploaded. */
async function verifyFile(out: HTMLElement, file: File): Promise<void> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
    if (head.includes('%PDF-')) {
      let extracted: { name: string; bytes: Uint8Array; declaredId: string | null };
      try {
        extracted = await (await loadPdfReader()).extractBundleFromPdf(bytes);
      } catch (err) {
        out.replaceChildren(el('p', t(lang, 'verify.noBundleInPdf', { error: err instanceof Error ? err.message : String(err) }), 'bad'));
        return;
      }
      const bundle = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(extracted.bytes)) as unknown;
      const note = el('p', t(lang, 'verify.pdfExtracted', { name: extracted.name }), 'muted');
      note.dataset.pdfBundle = extracted.name;
      const id = extracted.name.replace(/\.datadeed\.json$/, '');
      if (extracted.declaredId !== null && extracted.declaredId !== id) {
        out.replaceChildren(el('p', t(lang, 'verify.pdfMismatch', { declared: extracted.declaredId }), 'bad'));
        return;
      }
      await show(out, bundle, undefined, note);
      return;
    }
    await show(out, JSON.parse(new TextDecoder().decode(bytes)));
  } catch (err) {
    out.replaceChildren(el('p', t(lang, 'verify.badFile', { error: String(err) }), 'bad'));
  }
}

// a PDF or bundle file the person picks or drops: read and verified here, never uploaded
for (const root of Array.from(document.querySelectorAll<HTMLElement>('[data-verify-file]'))) {
  const input = root.querySelector<HTMLInputElement>('input[type="file"]');
  const out = root.querySelector<HTMLElement>('[data-results]')!;
  input?.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void verifyFile(out, file);
  });
  root.addEventListener('dragover', (e) => {
    e.preventDefault();
    root.classList.add('dropping');
  });
  root.addEventListener('dragleave', () => root.classList.remove('dropping'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dropping');
    const file = e.dataTransfer?.files?.[0];
    if (file) void verifyFile(out, file);
  });
}
