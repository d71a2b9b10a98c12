/**
 * Banks and insurers, and the holder's side of a pledge. A bank verifies a certificate,
 * requests a pledge (recorded once the holder consents, after a confirmation naming the
 * bank, the term and the amount), downloads the pledge receipt as a PDF, and releases the
 * pledge (confirmed). An insurer records policies and lists them.
 */
import type { Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { logBundle } from '../bundles.ts';
import { attestedByLines, attestersOf } from '../attesters.ts';
import { Layout, page, State, Time } from './layout.tsx';
import { signedIn, viewOf, type View } from './view.ts';
import { ConfirmForm, WrittenEntry, doneText, emptyForm, ErrorSummary, Field, Flash, formText, issueErrors, refusalOf, SelectField, TableWrap, type FormState } from './ui.tsx';
import { recordId } from '../../fields.ts';
import { certificateNumber, COVERAGE_TYPES, PledgeSchema, PolicySchema, RegistryError } from '../../registry/index.ts';
import { renderPledgeReceiptPdf } from '../../registry/pdf/index.ts';
import { bundleFileName, parseBundle } from '../../certificates/index.ts';
import { toHex } from '../../ledger/index.ts';

type Ctx = Pick<ApiServices, 'registry' | 'accounts' | 'settings' | 'clock' | 'log' | 'documentSigner'>;

/** The pledge request form: the registry's pledge command and the certificate it is against. */
const PledgeForm = PledgeSchema.extend({ number: certificateNumber });
/** Parent paths shown at their first field; the summary links each schema path to its control. */
const PLEDGE_PATHS: Record<string, string> = { amount: 'amount.value', term: 'term.start' };
const PLEDGE_LABELS = { number: 'number', loanReference: 'loanReference', 'amount.value': 'amount', 'amount.currency': 'currency', 'term.start': 'start', 'term.end': 'end' };
/** The policy form: the registry's policy command and the certificate. */
const PolicyForm = PolicySchema.extend({ number: certificateNumber });
const POLICY_PATHS: Record<string, string> = { insuredAmount: 'insuredAmount.value', term: 'term.start' };
const POLICY_LABELS = { number: 'number', policyNumber: 'policyNumber', 'insuredAmount.value': 'amount', 'insuredAmount.currency': 'currency', coverageType: 'coverageType', 'term.start': 'start', 'term.end': 'end' };

const VerifyBox: FC<{ v: View }> = ({ v }) => (
  <form class="card" method="get" action="/verify" role="search">
    <h2>{v.t('bank.verifyHeading')}</h2>
    <label for="vq">{v.t('verify.numberLabel')}</label>
    <input id="vq" name="q" placeholder="DIP-2026-000001" autocomplete="off" />
    <p>
      <button type="submit">{v.t('nav.verify')}</button>
    </p>
  </form>
);

const PledgeRequestForm: FC<{ v: View; f: FormState }> = ({ v, f }) => (
  <form class="card" method="post" action="/pledges/new" novalidate data-pledge-form="">
    <h2>{v.t('pledge.requestHeading')}</h2>
    <p class="muted">{v.t('pledge.requestHint')}</p>
    <ErrorSummary v={v} f={f} labels={PLEDGE_LABELS} />
    <div class="grid">
      <Field v={v} f={f} name="number" label={v.t('pledge.number')} required placeholder="DIP-2026-000001" />
      <Field v={v} f={f} name="loanReference" label={v.t('pledge.loan')} required maxlength={100} />
      <Field v={v} f={f} name="amount" path="amount.value" label={v.t('pledge.amount')} required inputmode="decimal" placeholder="5000000.00" />
      <Field v={v} f={f} name="currency" path="amount.currency" label={v.t('pledge.currency')} required value="CNY" maxlength={3} />
      <Field v={v} f={f} name="start" path="term.start" type="date" label={v.t('pledge.start')} required />
      <Field v={v} f={f} name="end" path="term.end" type="date" label={v.t('pledge.end')} required />
    </div>
    <p>
      <button type="submit">{v.t('pledge.request')}</button>
    </p>
  </form>
);

const PolicyRecordForm: FC<{ v: View; f: FormState }> = ({ v, f }) => (
  <form class="card" method="post" action="/policies/new" novalidate data-policy-form="">
    <h2>{v.t('policy.heading')}</h2>
    <ErrorSummary v={v} f={f} labels={POLICY_LABELS} />
    <div class="grid">
      <Field v={v} f={f} name="number" label={v.t('pledge.number')} required placeholder="DIP-2026-000001" />
      <Field v={v} f={f} name="policyNumber" label={v.t('policy.number')} required maxlength={100} />
      <Field v={v} f={f} name="amount" path="insuredAmount.value" label={v.t('policy.insured')} required inputmode="decimal" placeholder="1000000.00" />
      <Field v={v} f={f} name="currency" path="insuredAmount.currency" label={v.t('common.currency')} required value="CNY" maxlength={3} />
      <SelectField v={v} f={f} name="coverageType" label={v.t('policy.coverage')} required options={COVERAGE_TYPES.map((x) => ({ value: x, label: v.name('coverage', x) }))} />
      <div></div>
      <Field v={v} f={f} name="start" path="term.start" type="date" label={v.t('common.start')} required />
      <Field v={v} f={f} name="end" path="term.end" type="date" label={v.t('common.end')} required />
    </div>
    <p>
      <button type="submit">{v.t('policy.record')}</button>
    </p>
  </form>
);

/** The bank's dashboard: verify, request, and its pledges with receipts and releases. */
export async function bankDashboard(c: Context<AppEnv>, ctx: Ctx) {
  const v = viewOf(c, ctx.settings);
  const p = signedIn(v, 'bank');
  const pledges = await ctx.registry.encumbrances.listPledges(p);
  return c.html(
    page(
      <Layout v={v} title={v.t('dash.title')}>
        <h1>{v.t('dash.heading', { org: p.orgName })}</h1>
        <Flash text={doneText(v, c)} />
        <WrittenEntry v={v} entry={c.req.query('entry')} />
        <VerifyBox v={v} />
        <p>
          <a class="button" href="/pledges/new">
            {v.t('pledge.requestHeading')}
          </a>
        </p>
        <section class="card" aria-labelledby="pl-h">
          <h2 id="pl-h">{v.t('pledge.list')}</h2>
          {pledges.length === 0 ? <p>{v.t('dash.noPledges')}</p> : null}
          {pledges.length ? (
            <TableWrap label={v.t('pledge.list')}>
              <table data-pledges="">
                <tr>
                  <th scope="col">{v.t('common.certificate')}</th>
                  <th scope="col">{v.t('pledge.loan')}</th>
                  <th scope="col">{v.t('common.amount')}</th>
                  <th scope="col">{v.t('common.term')}</th>
                  <th scope="col">{v.t('common.state')}</th>
                  <th scope="col">{v.t('common.actions')}</th>
                </tr>
                {pledges.map((x) => (
                  <tr data-pledge={x.id} data-pledge-state={x.state}>
                    <td>
                      <a href={`/verify/${x.certificateNumber}`}>{x.certificateNumber}</a>
                    </td>
                    <td>{x.loanReference}</td>
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
                      {x.recordedLogIndex !== null ? (
                        <span class="row">
                          <a href={`/pledges/${x.id}/receipt.pdf`} data-receipt-pdf="">
                            {v.t('pledge.receipt')}
                          </a>
                          <a href={`/v1/pledges/${x.id}/receipt`} download={bundleFileName(x.pledgeNumber ?? x.id)}>
                            {v.t('pledge.receiptBundle')}
                          </a>
                        </span>
                      ) : null}
                      {x.state === 'recorded' ? (
                        <form method="get" action={`/pledges/${x.id}/release`} class="inline">
                          <button type="submit" class="secondary">
                            {v.t('pledge.release')}
                          </button>
                        </form>
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
}

/** The insurer's dashboard: verify, record a policy, and its policies. */
export async function insurerDashboard(c: Context<AppEnv>, ctx: Ctx) {
  const v = viewOf(c, ctx.settings);
  const p = signedIn(v, 'insurer');
  const list = await ctx.registry.reads.policiesOf(p);
  return c.html(
    page(
      <Layout v={v} title={v.t('dash.title')}>
        <h1>{v.t('dash.heading', { org: p.orgName })}</h1>
        <Flash text={doneText(v, c)} />
        <WrittenEntry v={v} entry={c.req.query('entry')} />
        <VerifyBox v={v} />
        <p>
          <a class="button" href="/policies/new">
            {v.t('policy.heading')}
          </a>
        </p>
        <section class="card" aria-labelledby="po-h">
          <h2 id="po-h">{v.t('policy.list')}</h2>
          {list.length === 0 ? <p>{v.t('policy.none')}</p> : null}
          {list.length ? (
            <TableWrap label={v.t('policy.list')}>
              <table data-policies="">
                <tr>
                  <th scope="col">{v.t('policy.number')}</th>
                  <th scope="col">{v.t('common.certificate')}</th>
                  <th scope="col">{v.t('policy.coverage')}</th>
                  <th scope="col">{v.t('policy.insured')}</th>
                  <th scope="col">{v.t('common.term')}</th>
                  <th scope="col">{v.t('verify.logPosition')}</th>
                </tr>
                {list.map((x) => (
                  <tr>
                    <td>{x.policyNumber}</td>
                    <td>
                      <a href={`/verify/${x.certificateNumber}`}>{x.certificateNumber}</a>
                    </td>
                    <td>{v.name('coverage', x.coverageType)}</td>
                    <td>
                      {x.insuredAmount.value} {x.insuredAmount.currency}
                    </td>
                    <td>
                      {x.term.start} — {x.term.end}
                    </td>
                    <td>
                      <a href={`/log/entries/${x.logIndex}`}>#{x.logIndex}</a> · <Time v={v} at={x.recordedAt} />
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
}

export function registerFinancePages(app: Hono<AppEnv>, ctx: Ctx): void {
  const enc = ctx.registry.encumbrances;

  const pledgePage = (c: Context<AppEnv>, f: FormState, status = 200) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'bank');
    return c.html(
      page(
        <Layout v={v} title={v.t('pledge.requestHeading')}>
          <h1>{v.t('pledge.requestHeading')}</h1>
          <PledgeRequestForm v={v} f={f} />
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/pledges/new', (c) => pledgePage(c, emptyForm({ number: (c.req.query('number') ?? '').trim() })));

  app.post('/pledges/new', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'bank');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(['number', 'loanReference', 'amount', 'currency', 'start', 'end'].map((k) => [k, formText(b, k) ?? '']));
    const s = (k: string) => values[k]!.trim();
    const parsed = PledgeForm.safeParse({
      number: s('number').toUpperCase(),
      loanReference: s('loanReference'),
      amount: { value: s('amount'), currency: s('currency') },
      term: { start: s('start'), end: s('end') },
    });
    if (!parsed.success) return pledgePage(c, { values, errors: issueErrors(v, parsed.error.issues, PLEDGE_PATHS), code: 'invalid_field' }, 422);
    const { number, ...request } = parsed.data;
    // a confirmation naming the holder, the amount and the term before the request goes out
    if (formText(b, 'confirm') !== 'yes') {
      let holder: string;
      try {
        holder = (await ctx.registry.certificates.get(number)).holder.name;
      } catch (err) {
        const r = refusalOf(v, err, values, PLEDGE_PATHS);
        r.form.errors.number = r.form.message ?? '';
        return pledgePage(c, r.form, r.status);
      }
      const title = v.t('pledge.confirmRequestTitle');
      const amount = `${request.amount.value} ${request.amount.currency}`;
      return c.html(
        page(
          <Layout v={v} title={title}>
            <h1>{title}</h1>
            <ConfirmForm v={v} action="/pledges/new" submit={v.t('pledge.request')} cancel="/dashboard" hidden={values}>
              <p data-confirm-text="">
                {v.t('pledge.confirmRequestText', { number, holder, amount, start: request.term.start, end: request.term.end, loan: request.loanReference })}
              </p>
              <dl class="kv">
                <dt>{v.t('common.certificate')}</dt>
                <dd>{number}</dd>
                <dt>{v.t('pledge.amount')}</dt>
                <dd data-amount="">{amount}</dd>
                <dt>{v.t('common.term')}</dt>
                <dd data-term="">
                  {request.term.start} — {request.term.end}
                </dd>
                <dt>{v.t('pledge.loan')}</dt>
                <dd>{request.loanReference}</dd>
              </dl>
            </ConfirmForm>
          </Layout>,
        ),
      );
    }
    try {
      await enc.requestPledge(p, number, request);
    } catch (err) {
      const r = refusalOf(v, err, values, PLEDGE_PATHS);
      if (r.form.code === 'certificate_not_found' || r.form.code === 'certificate_not_active' || r.form.code === 'certificate_already_pledged') r.form.errors.number = r.form.message ?? '';
      return pledgePage(c, r.form, r.status);
    }
    return c.redirect('/dashboard?done=requested', 303);
  });

  // ── confirmations: the holder consents or declines, the bank releases ──
  app.get('/pledges/:id/:action{consent|decline|release}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const action = c.req.param('action') as 'consent' | 'decline' | 'release';
    const p = signedIn(v, action === 'release' ? 'bank' : 'applicant');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('pledge_not_found', 'no such pledge');
    const pl = await enc.getPledge(p, id);
    const bank = (await ctx.accounts.getOrganisation(pl.pledgeeOrgId))?.name ?? pl.pledgeeOrgId;
    const amount = `${pl.amount.value} ${pl.amount.currency}`;
    const title = v.t(action === 'consent' ? 'pledge.consentTitle' : action === 'decline' ? 'pledge.declineTitle' : 'pledge.releaseTitle');
    const text =
      action === 'consent'
        ? v.t('pledge.consentText', { bank, number: pl.certificateNumber, amount, start: pl.term.start, end: pl.term.end, loan: pl.loanReference })
        : action === 'decline'
          ? v.t('pledge.declineText', { bank, number: pl.certificateNumber, amount })
          : v.t('pledge.releaseText', { pledge: pl.pledgeNumber ?? id, number: pl.certificateNumber, amount });
    return c.html(
      page(
        <Layout v={v} title={title}>
          <h1>{title}</h1>
          <ConfirmForm
            v={v}
            action={`/pledges/${id}/${action}`}
            submit={v.name('action', action)}
            cancel={action === 'release' ? '/dashboard' : `/certificates/${pl.certificateNumber}`}
            danger={action !== 'consent'}
          >
            <p data-confirm-text="">{text}</p>
            <dl class="kv">
              <dt>{v.t('pledge.pledgee')}</dt>
              <dd data-pledgee="">{bank}</dd>
              <dt>{v.t('common.certificate')}</dt>
              <dd>{pl.certificateNumber}</dd>
              <dt>{v.t('pledge.amount')}</dt>
              <dd data-amount="">{amount}</dd>
              <dt>{v.t('common.term')}</dt>
              <dd data-term="">
                {pl.term.start} — {pl.term.end}
              </dd>
              <dt>{v.t('pledge.loan')}</dt>
              <dd>{pl.loanReference}</dd>
              <dt>{v.t('common.state')}</dt>
              <dd>
                <State v={v} kind="pledgeState" value={pl.state} />
              </dd>
            </dl>
          </ConfirmForm>
        </Layout>,
      ),
    );
  });

  app.post('/pledges/:id/:action{consent|decline|release}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const action = c.req.param('action') as 'consent' | 'decline' | 'release';
    const p = signedIn(v, action === 'release' ? 'bank' : 'applicant');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('pledge_not_found', 'no such pledge');
    switch (action) {
      case 'consent': {
        const r = await enc.consent(p, id);
        return c.redirect(`/certificates/${r.certificateNumber}?done=consent&entry=${r.logIndex}`, 303);
      }
      case 'decline': {
        const r = await enc.decline(p, id);
        return c.redirect(`/certificates/${r.certificateNumber}?done=decline`, 303);
      }
      case 'release': {
        const r = await enc.release(p, id);
        return c.redirect(`/dashboard?done=release&entry=${r.logIndex}`, 303);
      }
    }
  });

  // ── the pledge receipt as a PDF for the loan file ──
  app.get('/pledges/:id/receipt.pdf', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'bank', 'applicant', 'reviewer', 'admin');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('pledge_not_found', 'no such pledge');
    const pl = await enc.getPledge(p, id);
    if (pl.recordedLogIndex === null || !pl.pledgeNumber || !pl.recordedAt) throw new RegistryError('illegal_transition', 'the pledge is not recorded yet');
    const bundle = parseBundle(await logBundle(ctx.log, 'pledge', pl.recordedLogIndex));
    const [cp, cert, org, leaf] = await Promise.all([
      ctx.log.checkpointAt(bundle.inclusion.treeSize),
      ctx.registry.certificates.get(pl.certificateNumber),
      ctx.accounts.getOrganisation(pl.pledgeeOrgId),
      ctx.log.leafHash(pl.recordedLogIndex),
    ]);
    const withNonce = pl as typeof pl & { amountCommitment?: string; amountNonce?: string };
    const pdf = await renderPledgeReceiptPdf({
      signer: ctx.documentSigner,
      pledge: {
        pledgeNumber: pl.pledgeNumber,
        certificateNumber: pl.certificateNumber,
        loanReference: pl.loanReference,
        amount: pl.amount,
        term: pl.term,
        recordedAt: pl.recordedAt,
        logIndex: pl.recordedLogIndex,
        amountCommitment: withNonce.amountCommitment,
        amountNonce: withNonce.amountNonce,
      },
      pledgee: org?.name ?? pl.pledgeeOrgId,
      holder: cert.holder,
      dataset: cert.dataset.name,
      checkpoint: { origin: ctx.settings.origin, size: cp!.size, time: cp!.createdAt.toISOString() },
      leafHash: toHex(leaf!),
      bundle,
      issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
      seal: ctx.settings.authority.seal,
      publicUrl: ctx.settings.publicUrl,
      timeZone: ctx.settings.timeZone,
      now: cp!.createdAt,
      attestedBy: attestedByLines(await attestersOf(ctx, pl.recordedLogIndex, undefined), ctx.settings.timeZone),
    });
    return c.body(Buffer.from(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${pl.pledgeNumber}.pdf"`, 'Cache-Control': 'no-store' });
  });

  // ── insurance policies ──
  const policyPage = (c: Context<AppEnv>, f: FormState, status = 200) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'insurer');
    return c.html(
      page(
        <Layout v={v} title={v.t('policy.heading')}>
          <h1>{v.t('policy.heading')}</h1>
          <PolicyRecordForm v={v} f={f} />
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/policies/new', (c) => policyPage(c, emptyForm({ number: (c.req.query('number') ?? '').trim() })));

  app.post('/policies/new', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'insurer');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(['number', 'policyNumber', 'amount', 'currency', 'coverageType', 'start', 'end'].map((k) => [k, formText(b, k) ?? '']));
    const s = (k: string) => values[k]!.trim();
    const parsed = PolicyForm.safeParse({
      number: s('number').toUpperCase(),
      policyNumber: s('policyNumber'),
      insuredAmount: { value: s('amount'), currency: s('currency') },
      coverageType: s('coverageType'),
      term: { start: s('start'), end: s('end') },
    });
    if (!parsed.success) return policyPage(c, { values, errors: issueErrors(v, parsed.error.issues, POLICY_PATHS), code: 'invalid_field' }, 422);
    const { number, ...policy } = parsed.data;
    let r: Awaited<ReturnType<typeof enc.recordPolicy>>;
    try {
      r = await enc.recordPolicy(p, number, policy);
    } catch (err) {
      const x = refusalOf(v, err, values, POLICY_PATHS);
      if (x.form.code === 'certificate_not_found' || x.form.code === 'certificate_not_active') x.form.errors.number = x.form.message ?? '';
      if (x.form.code === 'duplicate_policy') x.form.errors.policyNumber = x.form.message ?? '';
      return policyPage(c, x.form, x.status);
    }
    return c.redirect(`/dashboard?done=policy&entry=${r.logIndex}`, 303);
  });
}
