/**
 * Signing in and out (session cookie, HttpOnly, SameSite=Strict) and the dashboard of
 * each role: the applicant's applications, deposits, certificates and pledges; the
 * reviewer's queue; the bank's and the insurer's records; the administrator's accounts.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ApiServices } from '../services.ts';
import { SESSION_COOKIE, type AppEnv } from '../auth.ts';
import { Layout, page, State, Time } from './layout.tsx';
import { viewOf } from './view.ts';
import { emptyForm, ErrorSummary, Field, formText, TableWrap, type FormState } from './ui.tsx';
import { queuePage } from './applications.tsx';
import { bankDashboard, insurerDashboard } from './finance.tsx';
import { notaryDashboard } from './notary.tsx';
import { SESSION_TTL_MS } from '../../accounts/pg/index.ts';
import { SignInSchema } from '../../accounts/index.ts';

type Ctx = Pick<ApiServices, 'registry' | 'accounts' | 'settings' | 'clock' | 'log' | 'documentSigner'>;

/** Where to go after signing in: a path of this site only. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/dashboard';
}

export function registerAccountPages(app: Hono<AppEnv>, ctx: Ctx): void {
  const loginPage = (c: Context<AppEnv>, f: FormState, status = 200) => {
    const v = viewOf(c, ctx.settings);
    return c.html(
      page(
        <Layout v={v} title={v.t('login.title')}>
          <h1>{v.t('login.heading')}</h1>
          <form class="card narrow" method="post" action="/login" novalidate>
            <ErrorSummary v={v} f={f} />
            <input type="hidden" name="next" value={f.values.next ?? ''} />
            <Field v={v} f={f} name="username" label={v.t('login.username')} required autocomplete="username" />
            <Field v={v} f={f} name="password" type="password" label={v.t('login.password')} required autocomplete="current-password" value="" />
            <p>
              <button type="submit">{v.t('login.submit')}</button>
            </p>
          </form>
          <p class="muted">{v.t('login.firstRun', { command: 'datadeed admin create' })}</p>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/login', (c) => loginPage(c, emptyForm({ next: c.req.query('next') ?? '' })));

  app.post('/login', async (c) => {
    const v = viewOf(c, ctx.settings);
    const body = await c.req.parseBody();
    const username = formText(body, 'username');
    const form = SignInSchema.safeParse({ username, password: formText(body, 'password') });
    // a username or password no account can have fails like a wrong one
    const r = form.success ? await ctx.accounts.signIn(form.data.username, form.data.password) : undefined;
    if (!r)
      return loginPage(
        c,
        { values: { username: username ?? '', next: formText(body, 'next') ?? '' }, errors: { password: v.t('login.wrong') }, code: 'unauthenticated', message: v.t('login.wrong') },
        401,
      );
    setCookie(c, SESSION_COOKIE, r.sessionId, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: ctx.settings.publicUrl.startsWith('https:'),
      path: '/',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.redirect(safeNext(formText(body, 'next')), 303);
  });

  app.post('/logout', async (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) await ctx.accounts.signOut(sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  app.get('/dashboard', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = v.principal;
    if (!p) return c.redirect('/login', 303);
    if (p.role === 'reviewer' || p.role === 'admin') return queuePage(c, ctx, v.t('dash.heading', { org: p.orgName }));
    if (p.role === 'bank') return bankDashboard(c, ctx);
    if (p.role === 'insurer') return insurerDashboard(c, ctx);
    if (p.role === 'notary') return notaryDashboard(c, ctx);

    // the applicant: applications, certificates, pledges awaiting consent, deposits
    const apps = await ctx.registry.applications.list(p, { limit: 100 });
    const pledges = await ctx.registry.encumbrances.listPledges(p);
    const pending = pledges.filter((x) => x.state === 'requested');
    const banks = new Map(await Promise.all([...new Set(pledges.map((x) => x.pledgeeOrgId))].map(async (id) => [id, (await ctx.accounts.getOrganisation(id))?.name ?? id] as const)));
    const numbers = [...new Set(apps.items.flatMap((a) => (a.certificateNumber ? [a.certificateNumber] : [])))];
    const certs = await Promise.all(numbers.map((n) => ctx.registry.certificates.get(n)));
    const deposits = await ctx.registry.reads.depositsOf(p, { limit: 100, cursor: c.req.query('deposits') || undefined });
    return c.html(
      page(
        <Layout v={v} title={v.t('dash.title')}>
          <h1>{v.t('dash.heading', { org: p.orgName })}</h1>
          {pending.length ? (
            <section class="note" aria-labelledby="pending-h" data-pending-pledges={pending.length}>
              <h2 id="pending-h">{v.t('dash.pendingConsent')}</h2>
              <ul>
                {pending.map((x) => (
                  <li>
                    {v.t('pledge.consentText', {
                      bank: banks.get(x.pledgeeOrgId) ?? '',
                      number: x.certificateNumber,
                      amount: `${x.amount.value} ${x.amount.currency}`,
                      start: x.term.start,
                      end: x.term.end,
                      loan: x.loanReference,
                    })}
                    <div class="row">
                      <form method="get" action={`/pledges/${x.id}/consent`} class="inline">
                        <button type="submit">{v.t('dash.review')}</button>
                      </form>
                      <form method="get" action={`/pledges/${x.id}/decline`} class="inline">
                        <button type="submit" class="secondary">
                          {v.t('pledge.decline')}
                        </button>
                      </form>
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section class="card" aria-labelledby="apps-h">
            <div class="row">
              <h2 id="apps-h" class="flush">
                {v.t('dash.applications')}
              </h2>
              <a class="button" href="/applications/new">
                {v.t('dash.newApplication')}
              </a>
            </div>
            {apps.items.length === 0 ? <p>{v.t('dash.noApplications')}</p> : null}
            {apps.items.length ? (
              <TableWrap label={v.t('dash.applications')}>
                <table data-applications="">
                  <tr>
                    <th scope="col">{v.t('common.dataset')}</th>
                    <th scope="col">{v.t('app.kind')}</th>
                    <th scope="col">{v.t('common.state')}</th>
                    <th scope="col">{v.t('common.certificate')}</th>
                    <th scope="col">{v.t('common.updated')}</th>
                  </tr>
                  {apps.items.map((a) => (
                    <tr data-application={a.id}>
                      <td>
                        <a href={`/applications/${a.id}`}>{a.form.datasetName ?? v.t('app.untitled')}</a>
                      </td>
                      <td>{v.name('applicationKind', a.kind)}</td>
                      <td>
                        <State v={v} kind="applicationState" value={a.state} />
                      </td>
                      <td>{a.certificateNumber ? <a href={`/certificates/${a.certificateNumber}`}>{a.certificateNumber}</a> : '—'}</td>
                      <td>
                        <Time v={v} at={a.updatedAt} />
                      </td>
                    </tr>
                  ))}
                </table>
              </TableWrap>
            ) : null}
          </section>
          <section class="card" aria-labelledby="certs-h">
            <h2 id="certs-h">{v.t('dash.certificates')}</h2>
            {certs.length === 0 ? <p>{v.t('dash.noCertificates')}</p> : null}
            {certs.length ? (
              <TableWrap label={v.t('dash.certificates')}>
                <table data-certificates="">
                  <tr>
                    <th scope="col">{v.t('common.id')}</th>
                    <th scope="col">{v.t('common.dataset')}</th>
                    <th scope="col">{v.t('verify.status')}</th>
                    <th scope="col">{v.t('verify.valid')}</th>
                  </tr>
                  {certs.map((x) => (
                    <tr>
                      <td>
                        <a href={`/certificates/${x.number}`}>{x.number}</a>
                      </td>
                      <td>{x.dataset.name}</td>
                      <td>
                        <State v={v} kind="certificateStatus" value={x.status} />
                      </td>
                      <td>
                        <Time v={v} at={x.validFrom} date /> — <Time v={v} at={x.validUntil} date />
                      </td>
                    </tr>
                  ))}
                </table>
              </TableWrap>
            ) : null}
          </section>
          <section class="card" aria-labelledby="pl-h">
            <h2 id="pl-h">{v.t('dash.pledges')}</h2>
            {pledges.length === 0 ? <p>{v.t('dash.noPledges')}</p> : null}
            {pledges.length ? (
              <TableWrap label={v.t('dash.pledges')}>
                <table>
                  <tr>
                    <th scope="col">{v.t('common.certificate')}</th>
                    <th scope="col">{v.t('pledge.pledgee')}</th>
                    <th scope="col">{v.t('common.amount')}</th>
                    <th scope="col">{v.t('common.term')}</th>
                    <th scope="col">{v.t('common.state')}</th>
                  </tr>
                  {pledges.map((x) => (
                    <tr>
                      <td>
                        <a href={`/certificates/${x.certificateNumber}`}>{x.certificateNumber}</a>
                      </td>
                      <td>{banks.get(x.pledgeeOrgId)}</td>
                      <td>
                        {x.amount.value} {x.amount.currency}
                      </td>
                      <td>
                        {x.term.start} — {x.term.end}
                      </td>
                      <td>
                        <State v={v} kind="pledgeState" value={x.state} /> {x.pledgeNumber ?? ''}
                      </td>
                    </tr>
                  ))}
                </table>
              </TableWrap>
            ) : null}
          </section>
          <section class="card" aria-labelledby="dep-h">
            <h2 id="dep-h">{v.t('dash.deposits')}</h2>
            {deposits.items.length === 0 ? <p>{v.t('dash.noDeposits')}</p> : null}
            {deposits.items.length ? (
              <TableWrap label={v.t('dash.deposits')}>
                <table data-deposits="">
                  <tr>
                    <th scope="col">{v.t('common.id')}</th>
                    <th scope="col">{v.t('common.name')}</th>
                    <th scope="col">{v.t('common.kind')}</th>
                    <th scope="col">{v.t('verify.depositedAt')}</th>
                    <th scope="col">{v.t('verify.logPosition')}</th>
                  </tr>
                  {deposits.items.map((d) => (
                    <tr>
                      <td>
                        <a href={`/verify/evidence/${d.id}`}>{d.id}</a> · <a href={`/v1/evidence/${d.id}/pdf`}>PDF</a>
                      </td>
                      <td>{d.title}</td>
                      <td>{v.name('evidenceKind', d.kind)}</td>
                      <td>
                        <Time v={v} at={d.depositedAt} />
                      </td>
                      <td>
                        <a href={`/log/entries/${d.logIndex}`}>#{d.logIndex}</a>
                      </td>
                    </tr>
                  ))}
                </table>
              </TableWrap>
            ) : null}
            {deposits.nextCursor ? (
              <p>
                <a href={`/dashboard?deposits=${encodeURIComponent(deposits.nextCursor)}`}>{v.t('common.next')} →</a>
              </p>
            ) : null}
          </section>
        </Layout>,
      ),
    );
  });
}
