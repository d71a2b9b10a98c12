/**
 * Public pages (no sign-in): home, verification (certificates and evidence receipts,
 * checked in the browser, with the live status and encumbrances), certificate history,
 * the register (登记公告) with search, public notices (公示) with the objection form, and
 * the log explorer with one page per entry.
 */
import type { Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { clientAddress } from '../client-address.ts';
import { notFound } from '../problem.ts';
import { Layout, page, State, Time } from './layout.tsx';
import { formatDate, NAMES } from './i18n.ts';
import { viewOf, type View } from './view.ts';
import { doneText, emptyForm, ErrorSummary, Field, Flash, WrittenEntry, formText, issueErrors, refusalOf, TableWrap, type FormState } from './ui.tsx';
import { Pager, parseTrail } from './paging.tsx';
import { depositId } from '../../evidence/index.ts';
import { recordId } from '../../fields.ts';
import { certificateNumber, ObjectionSchema, RegistryError } from '../../registry/index.ts';
import { bundleFileName, parseBundle, verifyBundle } from '../../certificates/index.ts';
import { nodeEd25519 } from '../../certificates/node/index.ts';
import { trustedKeys } from '../../keys/index.ts';
import { renderVerificationReportPdf } from '../../registry/pdf/index.ts';
import { logBundle } from '../bundles.ts';
import { fromUtf8, toHex } from '../../ledger/index.ts';
import { attestedByLines, attestersOf } from '../attesters.ts';
import { TrustSection } from './trust.tsx';

const isCertificateNumber = (s: string) => certificateNumber.safeParse(s).success;
const isDepositId = (s: string) => depositId.safeParse(s).success;
/** Log entries per page of the explorer. */
const LOG_PAGE = 50;

type Ctx = Pick<ApiServices, 'registry' | 'log' | 'clock' | 'settings' | 'accounts' | 'keys' | 'documentSigner'>;

/** The verdict a reader relies on: a certificate in force is valid; pledged ones say so. */
export function verdictOf(status: string): 'valid' | 'pledged' | 'not-valid' {
  return status === 'active' ? 'valid' : status === 'pledged' ? 'pledged' : 'not-valid';
}

/** An organisation's name by id (the pledgee or insurer of an encumbrance), or the id. */
async function orgName(ctx: Ctx, id: string): Promise<string> {
  return (await ctx.accounts.getOrganisation(id))?.name ?? id;
}

/** A log entry's value, linked where it names a record with a page. */
const EntryValue: FC<{ k: string; value: unknown }> = ({ k, value }) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'string' && (k === 'number' || k === 'certificate' || k === 'predecessor') && isCertificateNumber(value)) return <a href={`/verify/${value}`}>{value}</a>;
  if (typeof value === 'string' && (k === 'depositId' || k === 'previous') && isDepositId(value)) return <a href={`/verify/evidence/${value}`}>{value}</a>;
  if (typeof value === 'string' && k === 'applicationId') return <a href={`/applications/${value}`}>{value}</a>;
  return <span class={/^[0-9a-f]{64}$/.test(text) ? 'mono' : ''}>{text}</span>;
};

/** The fields of a log entry (all of them, whole). */
export const EntryFields: FC<{ v: View; entry: Record<string, unknown> }> = ({ v, entry }) => (
  <dl class="kv">
    {Object.entries(entry)
      .filter(([k]) => k !== 'v')
      .map(([k, value]) => (
        <>
          <dt>{k}</dt>
          <dd>{k === 'time' && typeof value === 'string' ? <Time v={v} at={value} /> : <EntryValue k={k} value={value} />}</dd>
        </>
      ))}
  </dl>
);

export function parseEntry(bytes: Uint8Array): Record<string, unknown> {
  try {
    const x = JSON.parse(fromUtf8(bytes)) as unknown;
    return x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : { value: x };
  } catch {
    return { bytes: toHex(bytes) };
  }
}

/** The in-browser verification panel: the bundle is checked by /assets/verify.js with the pure verifier. */
export const VerifyPanel: FC<{ v: View; bundleUrl: string; statusUrl?: string }> = ({ v, bundleUrl, statusUrl }) => (
  <section class="card" data-verify="" data-bundle-url={bundleUrl} data-status-url={statusUrl} aria-labelledby="verify-h">
    <h2 id="verify-h">{v.t('verify.inBrowser')}</h2>
    <div data-results="" aria-live="polite">
      <p class="muted">
        {v.t('verify.checking')} {v.t('common.noScript')}
      </p>
    </div>
    <script type="module" src="/assets/verify.js"></script>
  </section>
);

const ObjectionForm: FC<{ v: View; id: string; f: FormState }> = ({ v, id, f }) => (
  <form method="post" action={`/notices/${id}/objections`} class="card" novalidate>
    <ErrorSummary v={v} f={f} labels={{ name: 'name', contact: 'contact', grounds: 'grounds', evidenceHash: 'evidenceHash' }} />
    <div class="grid">
      <Field v={v} f={f} name="name" label={v.t('objection.name')} required maxlength={200} autocomplete="name" />
      <Field v={v} f={f} name="contact" label={v.t('objection.contact')} required maxlength={200} autocomplete="email" />
    </div>
    <Field v={v} f={f} name="grounds" label={v.t('objection.grounds')} required textarea rows={5} maxlength={10000} />
    <Field v={v} f={f} name="evidenceHash" label={v.t('objection.evidenceHash')} placeholder="0123…cdef (64 hex)" />
    <p>
      <button type="submit">{v.t('objection.submit')}</button>
    </p>
  </form>
);

export function registerPublicPages(app: Hono<AppEnv>, ctx: Ctx): void {
  app.get('/', async (c) => {
    const v = viewOf(c, ctx.settings);
    const cp = await ctx.log.latestCheckpoint();
    return c.html(
      page(
        <Layout v={v} title={v.t('home.title')}>
          <h1>{v.t('home.heading')}</h1>
          <div class="card">
            <p>{v.t('home.intro')}</p>
            <form method="get" action="/verify">
              <label for="q">{v.t('home.verifyLabel')}</label>
              <input id="q" name="q" placeholder="DIP-2026-000001 / EV-2026-00000001" autocomplete="off" />
              <p>
                <button type="submit">{v.t('nav.verify')}</button>
              </p>
            </form>
          </div>
          <div class="card">
            <h2>{v.t('home.start')}</h2>
            <ul>
              <li>{v.t('home.startApplicant')}</li>
              <li>{v.t('home.startBank')}</li>
            </ul>
          </div>
          <div class="card">
            <h2>{v.t('home.log')}</h2>
            <p class="mono">{v.t('home.logLine', { origin: ctx.settings.origin, size: cp?.size ?? 0, root: cp ? toHex(cp.rootHash) : '—' })}</p>
            <p class="row">
              <a href="/log">{v.t('nav.log')}</a>
              <a href="/register">{v.t('nav.register')}</a>
              <a href="/notices">{v.t('nav.notices')}</a>
            </p>
          </div>
        </Layout>,
      ),
    );
  });

  app.get('/verify', (c) => {
    const v = viewOf(c, ctx.settings);
    const q = (c.req.query('q') ?? '').trim().toUpperCase();
    if (isCertificateNumber(q) && !q.startsWith('EV-')) return c.redirect(`/verify/${q}`);
    if (isDepositId(q)) return c.redirect(`/verify/evidence/${q}`);
    return c.html(
      page(
        <Layout v={v} title={v.t('verify.title')}>
          <h1>{v.t('verify.heading')}</h1>
          <form class="card" method="get" action="/verify" novalidate>
            {q ? (
              <p class="err" role="alert" id="q-err">
                {v.t('verify.unknown', { q })}
              </p>
            ) : null}
            <label for="q">{v.t('verify.numberLabel')}</label>
            <input id="q" name="q" value={q} placeholder="DIP-2026-000001" autocomplete="off" aria-invalid={q ? 'true' : undefined} aria-describedby={q ? 'q-err' : undefined} />
            <p>
              <button type="submit">{v.t('nav.verify')}</button>
            </p>
          </form>
          <section class="card" data-verify-file="" aria-labelledby="file-h">
            <h2 id="file-h">{v.t('verify.fileHeading')}</h2>
            <label for="verify-file">{v.t('verify.fileLabel')}</label>
            <input id="verify-file" type="file" accept=".json,application/json,.pdf,application/pdf" aria-describedby="verify-file-hint" />
            <p class="hint" id="verify-file-hint">
              {v.t('verify.fileHint')} {v.t('common.noScript')}
            </p>
            <div data-results="" aria-live="polite"></div>
            <script type="module" src="/assets/verify.js"></script>
          </section>
          <p class="muted">
            {v.t('verify.offline')}
            <code>datadeed verify &lt;file.pdf|bundle.json&gt; --key &lt;log vkey&gt;</code>
          </p>
        </Layout>,
      ),
    );
  });

  app.get('/verify/evidence/:id', async (c) => {
    const v = viewOf(c, ctx.settings);
    const id = c.req.param('id');
    if (!isDepositId(id)) throw new RegistryError('deposit_not_found', 'not a deposit id');
    const { view } = await ctx.registry.evidence.get(null, id);
    return c.html(
      page(
        <Layout v={v} title={v.t('verify.evidenceTitle', { id })}>
          <h1>{v.t('verify.evidenceHeading', { id })}</h1>
          <div class="card">
            <table>
              <tr>
                <th scope="row">{v.t('verify.digest')}</th>
                <td class="mono">{view.digest}</td>
              </tr>
              <tr>
                <th scope="row">{v.t('common.kind')}</th>
                <td>{v.name('evidenceKind', view.kind)}</td>
              </tr>
              <tr>
                <th scope="row">{v.t('verify.depositedAt')}</th>
                <td>
                  <Time v={v} at={view.depositedAt} />
                </td>
              </tr>
              <tr>
                <th scope="row">{v.t('verify.logPosition')}</th>
                <td>
                  <a href={`/log/entries/${view.logIndex}`}>#{view.logIndex}</a>
                </td>
              </tr>
            </table>
          </div>
          <TrustSection v={v} a={await attestersOf(ctx, view.logIndex, view.digest)} policy={!!ctx.settings.trustPolicy} />
          {v.principal?.role === 'notary' ? (
            <p>
              <a href={`/attestations/new?digest=${view.digest}`}>{v.t('notary.new')}</a>
            </p>
          ) : null}
          <VerifyPanel v={v} bundleUrl={`/v1/evidence/${id}/receipt`} />
        </Layout>,
      ),
    );
  });

  app.get('/verify/:number', async (c) => {
    const v = viewOf(c, ctx.settings);
    const number = c.req.param('number');
    if (!isCertificateNumber(number)) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const cert = await ctx.registry.certificates.get(number);
    const today = v.d(ctx.clock.now());
    const enc = await ctx.registry.encumbrances.current(number, today, v.principal);
    const pledgees = await Promise.all(enc.pledges.map((p) => orgName(ctx, p.pledgee)));
    const insurers = await Promise.all(enc.policies.map((p) => orgName(ctx, p.insurer)));
    const verdict = verdictOf(cert.status);
    // the date of the entry that revoked or cancelled it
    const statusEntry = cert.statusLogIndex === null ? undefined : await ctx.log.entry(cert.statusLogIndex);
    const statusTime = statusEntry ? (JSON.parse(new TextDecoder().decode(statusEntry)) as { time?: string }).time : undefined;
    const statusDate = statusTime ? v.d(new Date(statusTime)) : undefined;
    const isHolder = v.principal?.role === 'applicant' && v.principal.orgId === cert.orgId;
    return c.html(
      page(
        <Layout v={v} title={v.t('verify.certTitle', { number })}>
          <h1>{v.t('verify.certHeading', { number })}</h1>
          <Flash text={doneText(v, c)} />
          <WrittenEntry v={v} entry={c.req.query('entry')} />
          <p class={`verdict ${verdict === 'not-valid' ? 'bad' : verdict === 'pledged' ? 'warn' : 'ok'}`} id="live-verdict" data-verdict={verdict} data-status={cert.status} role="status">
            {verdict === 'valid' ? (
              `✔ ${v.t('verify.verdictValid')}`
            ) : verdict === 'pledged' ? (
              `⚠ ${v.t('verify.verdictPledgedTo', { pledgees: pledgees.join('、') || '—', terms: enc.pledges.map((p) => `${p.term.start} – ${p.term.end}`).join('、') || '—' })}`
            ) : cert.status === 'superseded' && cert.supersededBy ? (
              <>
                ✘ {v.t('verify.verdictSuperseded', { successor: cert.supersededBy })}{' '}
                <a href={`/verify/${cert.supersededBy}`} data-successor="">
                  → {cert.supersededBy}
                </a>
              </>
            ) : cert.status === 'revoked' ? (
              `✘ ${v.t('verify.verdictRevoked', { date: statusDate ?? '—', reason: cert.statusReason ?? '—' })}`
            ) : cert.status === 'cancelled' ? (
              `✘ ${v.t('verify.verdictCancelled', { date: statusDate ?? '—' })}`
            ) : cert.status === 'expired' ? (
              `✘ ${v.t('verify.verdictExpired', { date: v.d(new Date(cert.validUntil)) })}`
            ) : (
              `✘ ${v.t('verify.verdictNotValid', { status: v.name('certificateStatus', cert.status) })}`
            )}
          </p>
          <div class="card">
            <div class="cert-head">
              <table class="flush">
                <tr>
                  <th scope="row">{v.t('verify.number')}</th>
                  <td>
                    <strong>{cert.number}</strong>
                  </td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.status')}</th>
                  <td>
                    <State v={v} kind="certificateStatus" value={cert.status} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.holder')}</th>
                  <td>
                    {cert.holder.name} (<span class="mono">{cert.holder.uscc}</span>)
                  </td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.dataset')}</th>
                  <td>{cert.dataset.name}</td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.root')}</th>
                  <td class="mono">{cert.dataset.manifestRoot}</td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.valid')}</th>
                  <td>
                    <Time v={v} at={cert.validFrom} date /> — <Time v={v} at={cert.validUntil} date />
                  </td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.issued')}</th>
                  <td>
                    <Time v={v} at={cert.issuedAt} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.issuer')}</th>
                  <td data-authority="">{v.authority}</td>
                </tr>
                <tr>
                  <th scope="row">{v.t('verify.version')}</th>
                  <td>
                    {cert.version}
                    {cert.supersedes ? (
                      <>
                        {' '}
                        (<a href={`/verify/${cert.supersedes}`}>{cert.supersedes}</a>)
                      </>
                    ) : null}
                  </td>
                </tr>
                {cert.supersededBy ? (
                  <tr>
                    <th scope="row">{v.t('verify.supersededBy')}</th>
                    <td>
                      <a href={`/verify/${cert.supersededBy}`}>{cert.supersededBy}</a>
                    </td>
                  </tr>
                ) : null}
                <tr>
                  <th scope="row">{v.t('verify.logPosition')}</th>
                  <td>
                    <a href={`/log/entries/${cert.log.index}`}>#{cert.log.index}</a>
                  </td>
                </tr>
              </table>
              <div class="seal" role="img" aria-label={`${v.t('verify.seal')}: ${ctx.settings.authority.seal}`} data-seal="">
                {ctx.settings.authority.seal}
              </div>
            </div>
            <p class="row">
              <a href={`/v1/certificates/${number}/pdf`} data-pdf="">
                {v.t('verify.pdf')}
              </a>
              <a href={`/v1/certificates/${number}/bundle`} download={bundleFileName(number)}>
                {v.t('verify.bundle', { file: bundleFileName(number) })}
              </a>
              <a href={`/verify/${number}/history`}>{v.t('verify.history')}</a>
              <a href={`/verify/${number}/report.pdf`} data-report="">
                {v.t('verify.report')}
              </a>
              {isHolder ? <a href={`/certificates/${number}`}>{v.t('cert.mine')}</a> : null}
              {v.principal?.role === 'reviewer' && verdict !== 'not-valid' ? <a href={`/certificates/${number}/revoke`}>{v.t('cert.revoke')}</a> : null}
              {v.principal?.role === 'bank' && verdict === 'valid' ? <a href={`/pledges/new?number=${number}`}>{v.t('pledge.requestHeading')}</a> : null}
              {v.principal?.role === 'insurer' && verdict !== 'not-valid' ? <a href={`/policies/new?number=${number}`}>{v.t('policy.heading')}</a> : null}
            </p>
          </div>
          <section class="card" aria-labelledby="enc-h" data-encumbrances="">
            <h2 id="enc-h">{v.t('verify.encumbrances')}</h2>
            {enc.pledges.length + enc.licences.length + enc.policies.length === 0 ? <p>{v.t('common.none')}</p> : null}
            <ul>
              {enc.pledges.map((p, i) => (
                <li data-pledge={p.pledgeNumber ?? ''}>
                  {v.t('verify.pledge', { number: p.pledgeNumber ?? '—', pledgee: pledgees[i]!, start: p.term.start, end: p.term.end })} ·{' '}
                  <a href={`/log/entries/${p.logIndex}`}>{v.t('common.logEntry', { index: p.logIndex })}</a>
                </li>
              ))}
              {enc.licences.map((l) => (
                <li>
                  {v.t('verify.licence', { licensee: l.licensee, exclusive: l.exclusive ? v.t('verify.exclusive') : '', start: l.term.start, end: l.term.end })} ·{' '}
                  <a href={`/log/entries/${l.logIndex}`}>{v.t('common.logEntry', { index: l.logIndex })}</a>
                </li>
              ))}
              {enc.policies.map((p, i) => (
                <li>
                  {v.t('verify.policy', { number: p.policyNumber, coverage: v.name('coverage', p.coverageType), insurer: insurers[i]!, start: p.term.start, end: p.term.end })} ·{' '}
                  <a href={`/log/entries/${p.logIndex}`}>{v.t('common.logEntry', { index: p.logIndex })}</a>
                </li>
              ))}
            </ul>
          </section>
          <TrustSection v={v} a={await attestersOf(ctx, cert.log.index, cert.dataset.manifestRoot)} policy={!!ctx.settings.trustPolicy} />
          <VerifyPanel v={v} bundleUrl={`/v1/certificates/${number}/bundle`} statusUrl={`/v1/certificates/${number}/status`} />
        </Layout>,
      ),
    );
  });

  // the verification report: verified here with the log's published keys, at this moment, as a PDF
  app.get('/verify/:number/report.pdf', async (c) => {
    const number = c.req.param('number');
    if (!isCertificateNumber(number)) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const cert = await ctx.registry.certificates.get(number);
    const now = ctx.clock.now();
    const published = await ctx.keys.published();
    const key = published.find((k) => k.purpose === 'certificate' && k.keyId === cert.keyId);
    const attested = (await ctx.registry.attestations.ofDigest(cert.dataset.manifestRoot)).map((a) => a.logIndex);
    const text = await logBundle(ctx.log, 'certificate', cert.log.index, { payload: cert.payload, keyId: cert.keyId, signatureBase64: cert.signature, keyLogIndex: key?.logIndex }, undefined, attested);
    const bundle = parseBundle(text);
    const result = await verifyBundle(text, trustedKeys(published), nodeEd25519);
    const cp = (await ctx.log.checkpointAt(bundle.inclusion.treeSize))!;
    const enc = await ctx.registry.encumbrances.current(number, formatDate(now, ctx.settings.timeZone), null);
    const pledgees = await Promise.all(enc.pledges.map((p) => orgName(ctx, p.pledgee)));
    const insurers = await Promise.all(enc.policies.map((p) => orgName(ctx, p.insurer)));
    const verdict = result.ok ? verdictOf(cert.status) : 'not-valid';
    const VERDICTS = { valid: { zh: '有效', en: 'valid' }, pledged: { zh: '有效，已质押', en: 'valid, pledged' }, 'not-valid': { zh: '无效', en: 'NOT valid' } };
    const pdf = await renderVerificationReportPdf({
      signer: ctx.documentSigner,
      number,
      status: NAMES.certificateStatus[cert.status],
      verdict: VERDICTS[verdict],
      holder: `${cert.holder.name} (${cert.holder.uscc})`,
      dataset: cert.dataset.name,
      manifestRoot: cert.dataset.manifestRoot,
      validity: `${formatDate(cert.validFrom, ctx.settings.timeZone)} — ${formatDate(cert.validUntil, ctx.settings.timeZone)}`,
      logIndex: cert.log.index,
      checkedAt: now,
      checkpoint: { origin: ctx.settings.origin, size: cp.size, time: cp.createdAt.toISOString(), rootHash: toHex(cp.rootHash) },
      checks: result.checks.map((x) => ({ name: x.name, ok: x.ok, code: x.ok ? undefined : x.code })),
      pledges: enc.pledges.map((p, i) => `${p.pledgeNumber} ${pledgees[i]} ${p.term.start}—${p.term.end}`),
      policies: enc.policies.map((p, i) => `${p.policyNumber} ${insurers[i]} ${p.term.start}—${p.term.end}`),
      bundle,
      issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
      seal: ctx.settings.authority.seal,
      verifyUrl: `${ctx.settings.publicUrl}/verify/${number}`,
      timeZone: ctx.settings.timeZone,
      attestedBy: attestedByLines(await attestersOf(ctx, cert.log.index, cert.dataset.manifestRoot), ctx.settings.timeZone),
    });
    return c.body(Buffer.from(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${number}-verification.pdf"`, 'Cache-Control': 'no-store' });
  });

  app.get('/verify/:number/history', async (c) => {
    const v = viewOf(c, ctx.settings);
    const number = c.req.param('number');
    if (!isCertificateNumber(number)) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const events = await ctx.registry.certificates.events(number);
    return c.html(
      page(
        <Layout v={v} title={v.t('verify.historyTitle', { number })}>
          <h1>{v.t('verify.historyTitle', { number })}</h1>
          <p>{v.t('verify.historyIntro')}</p>
          <TableWrap label={v.t('verify.history')}>
            <table class="card">
              <tr>
                <th scope="col">{v.t('common.time')}</th>
                <th scope="col">{v.t('common.kind')}</th>
                <th scope="col">{v.t('verify.logPosition')}</th>
              </tr>
              {events.map((e) => (
                <tr>
                  <td>
                    <Time v={v} at={e.at} />
                  </td>
                  <td>
                    <code>{e.kind}</code>
                  </td>
                  <td>
                    <a href={`/log/entries/${e.logIndex}`}>#{e.logIndex}</a>
                  </td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <p>
            <a href={`/verify/${number}`}>← {number}</a>
          </p>
        </Layout>,
      ),
    );
  });

  app.get('/register', async (c) => {
    const v = viewOf(c, ctx.settings);
    const q = (c.req.query('q') ?? '').trim();
    if (isCertificateNumber(q.toUpperCase())) return c.redirect(`/verify/${q.toUpperCase()}`, 303);
    const cursor = c.req.query('cursor') || undefined;
    const trail = parseTrail(c.req.query('trail'));
    // the search is part of the database query: every page is full, paging is exact
    const list = await ctx.registry.certificates.list({ limit: 50, cursor, ...(q ? { text: q.slice(0, 200) } : {}) });
    return c.html(
      page(
        <Layout v={v} title={v.t('register.title')}>
          <h1>{v.t('register.heading')}</h1>
          <form method="get" action="/register" class="card row" role="search">
            <div class="full">
              <label for="rq">{v.t('common.search')}</label>
              <input id="rq" name="q" value={q} placeholder="DIP-2026-000001 / 数据名称 / 持有人" />
            </div>
            <button type="submit">{v.t('common.search')}</button>
          </form>
          {list.items.length === 0 ? <p>{v.t('register.empty')}</p> : null}
          <TableWrap label={v.t('register.heading')}>
            <table class="card">
              <tr>
                <th scope="col">{v.t('common.id')}</th>
                <th scope="col">{v.t('common.dataset')}</th>
                <th scope="col">{v.t('common.holder')}</th>
                <th scope="col">{v.t('verify.status')}</th>
                <th scope="col">{v.t('verify.issued')}</th>
              </tr>
              {list.items.map((x) => (
                <tr>
                  <td>
                    <a href={`/verify/${x.number}`}>{x.number}</a>
                  </td>
                  <td>{x.dataset.name}</td>
                  <td>{x.holder.name}</td>
                  <td>
                    <State v={v} kind="certificateStatus" value={x.status} />
                  </td>
                  <td>
                    <Time v={v} at={x.issuedAt} date />
                  </td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <Pager v={v} cursor={cursor} trail={trail} next={list.nextCursor} />
          <p>
            <a href="/statistics">{v.t('stats.link')}</a>
          </p>
        </Layout>,
      ),
    );
  });

  app.get('/notices', async (c) => {
    const v = viewOf(c, ctx.settings);
    const cursor = c.req.query('cursor') || undefined;
    const trail = parseTrail(c.req.query('trail'));
    const list = await ctx.registry.applications.notices({ limit: 20, cursor });
    return c.html(
      page(
        <Layout v={v} title={v.t('notices.title')}>
          <h1>{v.t('notices.heading')}</h1>
          {list.items.length === 0 ? <p>{v.t('notices.none')}</p> : null}
          {list.items.map((n) => (
            <section class="card" aria-labelledby={`n-${n.applicationId}`} data-notice={n.applicationId}>
              <h2 id={`n-${n.applicationId}`}>{n.datasetName}</h2>
              <dl class="kv">
                <dt>{v.t('common.holder')}</dt>
                <dd>
                  {n.holder?.name} (<span class="mono">{n.holder?.uscc}</span>)
                </dd>
                <dt>{v.t('app.kind')}</dt>
                <dd>{v.name('applicationKind', n.kind)}</dd>
                <dt>{v.t('notices.until')}</dt>
                <dd>{n.noticeEndsAt ? <Time v={v} at={n.noticeEndsAt} /> : v.t('notices.suspended')}</dd>
                <dt>{v.t('app.dataSource')}</dt>
                <dd>{n.dataSource}</dd>
                <dt>{v.t('app.format')}</dt>
                <dd>{n.format}</dd>
                <dt>{v.t('app.records')}</dt>
                <dd>
                  {n.scale?.records} · {n.scale?.files} · {n.scale?.bytes} B
                </dd>
                <dt>{v.t('app.updateFrequency')}</dt>
                <dd>{v.name('updateFrequency', n.updateFrequency)}</dd>
                <dt>{v.t('app.timeFrom')}</dt>
                <dd>
                  {n.timeSpan?.from} — {n.timeSpan?.to}
                </dd>
                <dt>{v.t('app.scenarios')}</dt>
                <dd>{(n.scenarios ?? []).join('；')}</dd>
                <dt>{v.t('app.industry')}</dt>
                <dd>{n.industry}</dd>
                <dt>{v.t('app.manifestRoot')}</dt>
                <dd class="mono">{n.manifest?.root}</dd>
                <dt>{v.t('notices.submitted')}</dt>
                <dd>
                  <span class="mono">{n.digest}</span> · <a href={`/log/entries/${n.submittedLogIndex}`}>{v.t('common.logEntry', { index: n.submittedLogIndex })}</a>
                </dd>
              </dl>
              <p>
                <a class="button" href={`/notices/${n.applicationId}/objections`}>
                  {v.t('notices.objectionForm')}
                </a>
              </p>
            </section>
          ))}
          <Pager v={v} cursor={cursor} trail={trail} next={list.nextCursor} />
        </Layout>,
      ),
    );
  });

  /** The objection form of one notice (its name found among the notices). */
  const objectionPage = async (c: Context<AppEnv>, id: string, f: FormState, status: number) => {
    const v = viewOf(c, ctx.settings);
    let name: string | undefined;
    let cursor: string | undefined;
    for (let i = 0; i < 20 && name === undefined; i++) {
      const p = await ctx.registry.applications.notices({ limit: 100, cursor });
      name = p.items.find((n) => n.applicationId === id)?.datasetName;
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    if (name === undefined && status === 200) throw new RegistryError('application_not_found', 'no application in public notice with this id');
    return c.html(
      page(
        <Layout v={v} title={v.t('objection.title')}>
          <h1>{v.t('objection.heading', { name: name ?? id })}</h1>
          <ObjectionForm v={v} id={id} f={f} />
          <p>
            <a href="/notices">← {v.t('nav.notices')}</a>
          </p>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/notices/:id/objections', async (c) => {
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such notice');
    return objectionPage(c, id, emptyForm(), 200);
  });

  app.post('/notices/:id/objections', async (c) => {
    const v = viewOf(c, ctx.settings);
    const form = await c.req.parseBody();
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such notice');
    const values = Object.fromEntries(['name', 'contact', 'grounds', 'evidenceHash'].map((k) => [k, formText(form, k) ?? '']));
    const parsed = ObjectionSchema.safeParse({
      name: formText(form, 'name'),
      contact: formText(form, 'contact'),
      grounds: formText(form, 'grounds'),
      evidenceHash: formText(form, 'evidenceHash')?.trim() || undefined,
    });
    if (!parsed.success) return objectionPage(c, id, { values, errors: issueErrors(v, parsed.error.issues), code: 'invalid_field' }, 422);
    let r: Awaited<ReturnType<typeof ctx.registry.applications.fileObjection>>;
    try {
      r = await ctx.registry.applications.fileObjection(id, parsed.data, { clientAddress: clientAddress(c, ctx.settings.trustProxy) });
    } catch (err) {
      const { status, form: f } = refusalOf(v, err, values);
      if (status === 404) throw err;
      return objectionPage(c, id, f, status);
    }
    return c.html(
      page(
        <Layout v={v} title={v.t('objection.filedTitle')}>
          <h1>{v.t('objection.filedTitle')}</h1>
          <p class="flash" role="status" data-objection={r.id}>
            {v.t('objection.filed', { id: r.id, index: r.logIndex })} <a href={`/log/entries/${r.logIndex}`}>#{r.logIndex}</a>
          </p>
          <p>
            <a href="/notices">← {v.t('nav.notices')}</a>
          </p>
        </Layout>,
      ),
      201,
    );
  });

  app.get('/log', async (c) => {
    const v = viewOf(c, ctx.settings);
    const cp = await ctx.log.latestCheckpoint();
    const size = cp?.size ?? 0;
    const raw = c.req.query('before');
    const asked = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : size;
    const before = Math.min(Math.max(asked, 0), size);
    const from = Math.max(0, before - LOG_PAGE);
    const entries = before > from ? await ctx.log.entries(from, before) : [];
    const rows = entries.map((e, i) => ({ i: from + i, ev: parseEntry(e) })).reverse();
    return c.html(
      page(
        <Layout v={v} title={v.t('log.title')}>
          <h1>{v.t('log.heading')}</h1>
          <div class="card">
            <h2>{v.t('log.checkpoint')}</h2>
            {cp ? <pre class="mono">{cp.note}</pre> : <p>{v.t('log.empty')}</p>}
            <p class="muted">
              {v.t('log.tiles')}
              <code>/checkpoint</code>, <code>/tile/&lt;L&gt;/&lt;N&gt;</code>, <code>/tile/entries/&lt;N&gt;</code>. {v.t('log.audit')}
              <code>datadeed audit</code>.
            </p>
            <form method="get" action="/log/entries" class="row">
              <div>
                <label for="goto">{v.t('log.index')}</label>
                <input id="goto" name="index" type="number" min={0} max={Math.max(0, size - 1)} inputmode="numeric" />
              </div>
              <button type="submit">{v.t('log.goto')}</button>
            </form>
          </div>
          <section class="card" aria-labelledby="entries-h">
            <h2 id="entries-h">{size ? v.t('log.entries', { from, to: Math.max(from, before - 1), size }) : v.t('log.empty')}</h2>
            <ol class="entries" reversed start={before}>
              {rows.map(({ i, ev }) => (
                <li data-index={i}>
                  <div class="head">
                    <a href={`/log/entries/${i}`}>#{i}</a>
                    <code>{String(ev.kind ?? '')}</code>
                    {typeof ev.time === 'string' ? <Time v={v} at={ev.time} /> : null}
                  </div>
                  <EntryFields v={v} entry={Object.fromEntries(Object.entries(ev).filter(([k]) => k !== 'kind' && k !== 'time'))} />
                </li>
              ))}
            </ol>
            <nav class="pager" aria-label={v.t('common.page')}>
              {before < size ? (
                <>
                  <a href="/log">{v.t('log.newest')}</a>
                  <a href={`/log?before=${Math.min(size, before + LOG_PAGE)}`} rel="prev" data-page="prev">
                    ← {v.t('log.newer')}
                  </a>
                </>
              ) : null}
              {from > 0 ? (
                <a href={`/log?before=${from}`} rel="next" data-page="next">
                  {v.t('log.older')} →
                </a>
              ) : null}
            </nav>
          </section>
        </Layout>,
      ),
    );
  });

  app.get('/log/entries', (c) => {
    const raw = c.req.query('index') ?? '';
    return c.redirect(/^\d{1,15}$/.test(raw) ? `/log/entries/${Number(raw)}` : '/log', 303);
  });

  app.get('/log/entries/:index', async (c) => {
    const v = viewOf(c, ctx.settings);
    const raw = c.req.param('index');
    const cp = await ctx.log.latestCheckpoint();
    const index = /^\d{1,15}$/.test(raw) ? Number(raw) : -1;
    if (!cp || index < 0 || index >= cp.size) throw notFound('entry', `no entry ${raw} in the published log of ${cp?.size ?? 0} entries`);
    const [bytes, proof] = await Promise.all([ctx.log.entry(index), ctx.log.inclusionProof(index, cp.size)]);
    const ev = parseEntry(bytes!);
    return c.html(
      page(
        <Layout v={v} title={v.t('log.entryTitle', { index })}>
          <h1>{v.t('log.entryHeading', { index })}</h1>
          <div class="card" data-entry={index}>
            <p>
              <code>{String(ev.kind ?? '')}</code> · {typeof ev.time === 'string' ? <Time v={v} at={ev.time} /> : null}
            </p>
            <h2>{v.t('log.fields')}</h2>
            <EntryFields v={v} entry={ev} />
            <h2>{v.t('log.leafHash')}</h2>
            <p class="mono">{toHex(proof.leafHash)}</p>
            <h2>{v.t('log.proof', { size: cp.size })}</h2>
            <ol class="mono">
              {proof.proof.map((h) => (
                <li>{toHex(h)}</li>
              ))}
            </ol>
            <h2>{v.t('log.raw')}</h2>
            <pre class="mono">{fromUtf8(bytes!)}</pre>
          </div>
          <nav class="pager" aria-label={v.t('common.page')}>
            {index > 0 ? <a href={`/log/entries/${index - 1}`}>← #{index - 1}</a> : null}
            <a href={`/log?before=${Math.min(cp.size, index + 1 + Math.floor(LOG_PAGE / 2))}`}>{v.t('nav.log')}</a>
            {index + 1 < cp.size ? <a href={`/log/entries/${index + 1}`}>#{index + 1} →</a> : null}
          </nav>
        </Layout>,
      ),
    );
  });
}
