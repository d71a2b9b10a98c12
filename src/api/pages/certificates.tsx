/**
 * A certificate for its holder — the PDF and bundle, the pledges and their banks, change,
 * renewal and cancellation (confirmed) — and revocation by a reviewer (with a reason,
 * confirmed). Everyone else is sent to the public verification page.
 */
import type { Context, Hono } from 'hono';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page, State, Time } from './layout.tsx';
import { signedIn, viewOf, type View } from './view.ts';
import { ConfirmForm, WrittenEntry, doneText, emptyForm, ErrorSummary, Field, Flash, formText, issueErrors, refusalOf, TableWrap, type FormState } from './ui.tsx';
import { verdictOf } from './public.tsx';
import { bundleFileName } from '../../certificates/index.ts';
import { certificateNumber, ReasonSchema, RegistryError } from '../../registry/index.ts';

type Ctx = Pick<ApiServices, 'registry' | 'accounts' | 'settings' | 'clock' | 'log'>;

/** Renewal is open in the last 90 days of validity (the registry's rule, shown ahead of time). */
const RENEWAL_DAYS = 90;

export function registerCertificatePages(app: Hono<AppEnv>, ctx: Ctx): void {
  const certs = ctx.registry.certificates;
  const checkNumber = (n: string) => {
    if (!certificateNumber.safeParse(n).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
    return n;
  };

  app.get('/certificates/:number', async (c) => {
    const v = viewOf(c, ctx.settings);
    const number = checkNumber(c.req.param('number'));
    const p = v.principal;
    const cert = await certs.get(number);
    if (!p || p.role !== 'applicant' || p.orgId !== cert.orgId) return c.redirect(`/verify/${number}`, 303);
    const pledges = (await ctx.registry.encumbrances.listPledges(p)).filter((x) => x.certificateNumber === number);
    const banks = new Map(await Promise.all([...new Set(pledges.map((x) => x.pledgeeOrgId))].map(async (id) => [id, (await ctx.accounts.getOrganisation(id))?.name ?? id] as const)));
    const now = ctx.clock.now().getTime();
    const until = new Date(cert.validUntil).getTime();
    const inForce = cert.status === 'active' || cert.status === 'pledged';
    const renewable = inForce && now < until && now >= until - RENEWAL_DAYS * 86_400_000;
    const entry = c.req.query('entry');
    const licences = (await ctx.registry.encumbrances.current(number, v.d(ctx.clock.now()), p)).licences;
    return c.html(
      page(
        <Layout v={v} title={v.t('cert.title', { number })}>
          <h1>{v.t('cert.title', { number })}</h1>
          <Flash text={doneText(v, c)} />
          <WrittenEntry v={v} entry={entry} />
          <div class="card">
            <table>
              <tr>
                <th scope="row">{v.t('verify.status')}</th>
                <td>
                  <State v={v} kind="certificateStatus" value={cert.status} /> <span class="muted">({verdictOf(cert.status)})</span>
                </td>
              </tr>
              <tr>
                <th scope="row">{v.t('verify.dataset')}</th>
                <td>{cert.dataset.name}</td>
              </tr>
              <tr>
                <th scope="row">{v.t('verify.holder')}</th>
                <td>
                  {cert.holder.name} ({cert.holder.uscc})
                </td>
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
                  <Time v={v} at={cert.issuedAt} /> · {v.authority}
                </td>
              </tr>
            </table>
            <p class="row">
              <a href={`/v1/certificates/${number}/pdf`}>{v.t('verify.pdf')}</a>
              <a href={`/v1/certificates/${number}/bundle`} download={bundleFileName(number)}>
                {v.t('verify.bundle', { file: bundleFileName(number) })}
              </a>
              <a href={`/verify/${number}`}>{v.t('cert.verifyPage')}</a>
              <a href={`/verify/${number}/history`}>{v.t('verify.history')}</a>
            </p>
          </div>
          <section class="card" aria-labelledby="ca-h">
            <h2 id="ca-h">{v.t('app.actionsHeading')}</h2>
            {inForce ? (
              <div class="row">
                <form method="post" action={`/certificates/${number}/change`} class="inline">
                  <button type="submit" class="secondary">
                    {v.t('cert.change')}
                  </button>
                </form>
                {renewable ? (
                  <form method="post" action={`/certificates/${number}/renew`} class="inline">
                    <button type="submit" class="secondary">
                      {v.t('cert.renew')}
                    </button>
                  </form>
                ) : null}
                <a class="button secondary" href={`/certificates/${number}/licences/new`}>
                  {v.t('licence.heading')}
                </a>
                {cert.status === 'active' ? (
                  <a class="button secondary" href={`/certificates/${number}/transfer`}>
                    {v.t('transfer.heading')}
                  </a>
                ) : null}
                {cert.status === 'active' ? (
                  <a class="button danger" href={`/certificates/${number}/cancel`}>
                    {v.t('cert.cancel')}
                  </a>
                ) : null}
              </div>
            ) : (
              <p>{v.t('app.noActions')}</p>
            )}
          </section>
          <section class="card" aria-labelledby="li-h" data-licences={licences.length}>
            <h2 id="li-h">{v.t('licence.list')}</h2>
            {licences.length === 0 ? <p>{v.t('licence.none')}</p> : null}
            <ul>
              {licences.map((l) => (
                <li>
                  {v.t('verify.licence', { licensee: l.licensee, exclusive: l.exclusive ? v.t('verify.exclusive') : '', start: l.term.start, end: l.term.end })}
                  {'scope' in l && l.scope ? ` · ${l.scope}` : ''} · <a href={`/log/entries/${l.logIndex}`}>{v.t('common.logEntry', { index: l.logIndex })}</a>
                </li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="cp-h">
            <h2 id="cp-h">{v.t('dash.pledges')}</h2>
            {pledges.length === 0 ? <p>{v.t('dash.noPledges')}</p> : null}
            {pledges.length ? (
              <TableWrap label={v.t('dash.pledges')}>
                <table>
                  <tr>
                    <th scope="col">{v.t('pledge.pledgee')}</th>
                    <th scope="col">{v.t('common.amount')}</th>
                    <th scope="col">{v.t('common.term')}</th>
                    <th scope="col">{v.t('common.state')}</th>
                    <th scope="col">{v.t('common.actions')}</th>
                  </tr>
                  {pledges.map((x) => (
                    <tr data-pledge={x.id}>
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
                      <td>
                        {x.state === 'requested' ? (
                          <span class="row">
                            <a class="button" href={`/pledges/${x.id}/consent`}>
                              {v.t('dash.review')}
                            </a>
                            <a href={`/pledges/${x.id}/decline`}>{v.t('pledge.decline')}</a>
                          </span>
                        ) : x.recordedLogIndex !== null ? (
                          <span class="row">
                            <a href={`/log/entries/${x.recordedLogIndex}`}>#{x.recordedLogIndex}</a>
                            <a href={`/pledges/${x.id}/receipt.pdf`}>{v.t('pledge.receipt')}</a>
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </table>
              </TableWrap>
            ) : null}
          </section>
        </Layout>,
      ),
    );
  });

  app.post('/certificates/:number/:kind{change|renew}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'applicant');
    const number = checkNumber(c.req.param('number'));
    const draft = await certs.openFollowUp(p, number, c.req.param('kind') === 'change' ? 'change' : 'renewal', {});
    return c.redirect(`/applications/${draft.id}/edit`, 303);
  });

  /** Cancel (holder) or revoke (reviewer): a confirmation with the reason a revocation needs. */
  const statusPage = async (c: Context<AppEnv>, v: View, number: string, kind: 'cancel' | 'revoke', f: FormState, status = 200) => {
    const cert = await certs.get(number);
    const title = v.t(kind === 'cancel' ? 'cert.cancel' : 'cert.revoke');
    return c.html(
      page(
        <Layout v={v} title={title}>
          <h1>{title}</h1>
          <div class="card">
            <p>
              <strong>{cert.number}</strong> · {cert.dataset.name} · {cert.holder.name} · <State v={v} kind="certificateStatus" value={cert.status} />
            </p>
            <p>{v.t(kind === 'cancel' ? 'cert.cancelText' : 'cert.revokeText')}</p>
          </div>
          <ConfirmForm v={v} action={`/certificates/${number}/${kind}`} submit={title} cancel={kind === 'cancel' ? `/certificates/${number}` : `/verify/${number}`} danger>
            <ErrorSummary v={v} f={f} labels={{ reason: 'reason' }} />
            {kind === 'revoke' ? <Field v={v} f={f} name="reason" label={v.t('common.reason')} required textarea rows={4} maxlength={2000} /> : null}
          </ConfirmForm>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/certificates/:number/:kind{cancel|revoke}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const kind = c.req.param('kind') as 'cancel' | 'revoke';
    signedIn(v, kind === 'cancel' ? 'applicant' : 'reviewer');
    return statusPage(c, v, checkNumber(c.req.param('number')), kind, emptyForm());
  });

  app.post('/certificates/:number/:kind{cancel|revoke}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const kind = c.req.param('kind') as 'cancel' | 'revoke';
    const p = signedIn(v, kind === 'cancel' ? 'applicant' : 'reviewer');
    const number = checkNumber(c.req.param('number'));
    const reason = formText(await c.req.parseBody(), 'reason') ?? '';
    if (kind === 'revoke') {
      const parsed = ReasonSchema.safeParse({ reason });
      if (!parsed.success) return statusPage(c, v, number, kind, { values: { reason }, errors: issueErrors(v, parsed.error.issues), code: 'invalid_field' }, 422);
    }
    try {
      const r = kind === 'cancel' ? await certs.cancel(p, number) : await certs.revoke(p, number, reason);
      return c.redirect(kind === 'cancel' ? `/certificates/${number}?done=cancel&entry=${r.logIndex}` : `/verify/${number}?done=revoke&entry=${r.logIndex}`, 303);
    } catch (err) {
      const r = refusalOf(v, err, { reason });
      if (r.status === 404) throw err;
      return statusPage(c, v, number, kind, r.form, r.status);
    }
  });
}
