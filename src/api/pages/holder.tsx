/**
 * The holder's licences (许可) and transfers (转让) of a certificate, each with a
 * confirmation step that names what will be logged: a licence (licensee, term, exclusive
 * or not; the scope stays with the parties, the log holds its hash) and a transfer to an
 * enterprise named by its 统一社会信用代码 (a new certificate version for it; this one is
 * superseded). Refusals are shown at the field.
 */
import type { Context, Hono } from 'hono';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page, State } from './layout.tsx';
import { signedIn, viewOf, type View } from './view.ts';
import { CheckField, ConfirmForm, emptyForm, ErrorSummary, Field, formText, issueErrors, refusalOf, type FormState } from './ui.tsx';
import { certificateNumber, LicenceSchema, RegistryError } from '../../registry/index.ts';
import { usccField } from '../../fields.ts';

type Ctx = Pick<ApiServices, 'registry' | 'accounts' | 'settings' | 'clock'>;

const LICENCE_FIELDS = ['licensee', 'licenseeUscc', 'scope', 'start', 'end', 'exclusive'] as const;
const LICENCE_PATHS: Record<string, string> = { term: 'term.start' };
const LICENCE_LABELS = { licensee: 'licensee', licenseeUscc: 'licenseeUscc', scope: 'scope', 'term.start': 'start', 'term.end': 'end' };

export function registerHolderPages(app: Hono<AppEnv>, ctx: Ctx): void {
  const certs = ctx.registry.certificates;
  const checkNumber = (n: string) => {
    if (!certificateNumber.safeParse(n).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
    return n;
  };
  /** The holder's certificate (anyone else: not the owner). */
  const own = async (v: View, number: string) => {
    const p = signedIn(v, 'applicant');
    const cert = await certs.get(number);
    if (cert.orgId !== p.orgId) throw new RegistryError('not_owner', 'only the holder organisation can do this');
    return { p, cert };
  };

  // ── licences ──
  const licencePage = async (c: Context<AppEnv>, v: View, number: string, f: FormState, status = 200) => {
    const { cert } = await own(v, number);
    return c.html(
      page(
        <Layout v={v} title={v.t('licence.heading')}>
          <h1>{v.t('licence.heading')}</h1>
          <p>
            <strong>{cert.number}</strong> · {cert.dataset.name} · <State v={v} kind="certificateStatus" value={cert.status} />
          </p>
          <form class="card" method="post" action={`/certificates/${number}/licences/new`} novalidate data-licence-form="">
            <ErrorSummary v={v} f={f} labels={LICENCE_LABELS} />
            <div class="grid">
              <Field v={v} f={f} name="licensee" label={v.t('licence.licensee')} required maxlength={200} />
              <Field v={v} f={f} name="licenseeUscc" label={v.t('licence.licenseeUscc')} maxlength={18} autocomplete="off" />
            </div>
            <Field v={v} f={f} name="scope" label={v.t('licence.scope')} required textarea rows={4} maxlength={2000} hint={v.t('licence.scopeHint')} />
            <div class="grid">
              <Field v={v} f={f} name="start" path="term.start" type="date" label={v.t('common.start')} required />
              <Field v={v} f={f} name="end" path="term.end" type="date" label={v.t('common.end')} required />
            </div>
            <CheckField v={v} f={f} name="exclusive" label={v.t('licence.exclusive')} />
            <p class="row">
              <button type="submit">{v.t('common.continue')}</button>
              <a href={`/certificates/${number}`}>{v.t('common.cancel')}</a>
            </p>
          </form>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/certificates/:number/licences/new', (c) => licencePage(c, viewOf(c, ctx.settings), checkNumber(c.req.param('number')), emptyForm()));

  app.post('/certificates/:number/licences/new', async (c) => {
    const v = viewOf(c, ctx.settings);
    const number = checkNumber(c.req.param('number'));
    const { p } = await own(v, number);
    const b = await c.req.parseBody();
    const values = Object.fromEntries(LICENCE_FIELDS.map((k) => [k, (formText(b, k) ?? '').trim()])) as Record<(typeof LICENCE_FIELDS)[number], string>;
    values.exclusive = values.exclusive === 'yes' ? 'yes' : 'no';
    values.licenseeUscc = values.licenseeUscc.toUpperCase();
    const parsed = LicenceSchema.safeParse({
      licensee: values.licensee,
      ...(values.licenseeUscc ? { licenseeUscc: values.licenseeUscc } : {}),
      scope: values.scope,
      term: { start: values.start, end: values.end },
      exclusive: values.exclusive === 'yes',
    });
    if (!parsed.success) return licencePage(c, v, number, { values, errors: issueErrors(v, parsed.error.issues, LICENCE_PATHS), code: 'invalid_field' }, 422);
    if (formText(b, 'confirm') !== 'yes') {
      const l = parsed.data;
      const title = v.t('licence.confirmTitle');
      return c.html(
        page(
          <Layout v={v} title={title}>
            <h1>{title}</h1>
            <ConfirmForm v={v} action={`/certificates/${number}/licences/new`} submit={v.name('action', 'licence')} cancel={`/certificates/${number}`} hidden={values}>
              <p data-confirm-text="">
                {v.t('licence.confirmText', { number, licensee: l.licensee, exclusive: l.exclusive ? v.t('licence.exclusiveMark') : '', start: l.term.start, end: l.term.end })}
              </p>
              <dl class="kv">
                <dt>{v.t('licence.scope')}</dt>
                <dd>{l.scope}</dd>
              </dl>
            </ConfirmForm>
          </Layout>,
        ),
      );
    }
    try {
      const r = await ctx.registry.encumbrances.recordLicence(p, number, parsed.data);
      return c.redirect(`/certificates/${number}?done=licence&entry=${r.logIndex}`, 303);
    } catch (err) {
      const x = refusalOf(v, err, values, LICENCE_PATHS);
      if (x.status === 404) throw err;
      if (x.form.code === 'exclusive_licence_conflict') x.form.errors['term.start'] = x.form.message ?? '';
      return licencePage(c, v, number, x.form, x.status);
    }
  });

  // ── transfers ──
  const transferPage = async (c: Context<AppEnv>, v: View, number: string, f: FormState, status = 200) => {
    const { cert } = await own(v, number);
    return c.html(
      page(
        <Layout v={v} title={v.t('transfer.heading')}>
          <h1>{v.t('transfer.heading')}</h1>
          <p>
            <strong>{cert.number}</strong> · {cert.dataset.name} · <State v={v} kind="certificateStatus" value={cert.status} />
          </p>
          <form class="card" method="post" action={`/certificates/${number}/transfer`} novalidate data-transfer-form="">
            <ErrorSummary v={v} f={f} labels={{ uscc: 'uscc' }} />
            <Field v={v} f={f} name="uscc" label={v.t('transfer.uscc')} required maxlength={18} hint={v.t('transfer.hint')} autocomplete="off" data={{ uscc: '' }} />
            <p class="row">
              <button type="submit">{v.t('common.continue')}</button>
              <a href={`/certificates/${number}`}>{v.t('common.cancel')}</a>
            </p>
          </form>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/certificates/:number/transfer', (c) => transferPage(c, viewOf(c, ctx.settings), checkNumber(c.req.param('number')), emptyForm()));

  app.post('/certificates/:number/transfer', async (c) => {
    const v = viewOf(c, ctx.settings);
    const number = checkNumber(c.req.param('number'));
    const { p, cert } = await own(v, number);
    const b = await c.req.parseBody();
    const uscc = (formText(b, 'uscc') ?? '').trim().toUpperCase();
    const values = { uscc };
    const parsed = usccField.safeParse(uscc);
    if (!parsed.success) return transferPage(c, v, number, { values, errors: issueErrors(v, parsed.error.issues.map((i) => ({ ...i, path: ['uscc'] }))), code: 'invalid_field' }, 422);
    const to = await ctx.accounts.organisationByUscc(parsed.data);
    if (!to || to.kind !== 'enterprise' || to.id === p.orgId)
      return transferPage(c, v, number, { values, errors: { uscc: v.t('transfer.notFound') }, code: 'organisation_not_found', message: v.t('transfer.notFound') }, 422);
    if (formText(b, 'confirm') !== 'yes') {
      const title = v.t('transfer.confirmTitle');
      return c.html(
        page(
          <Layout v={v} title={title}>
            <h1>{title}</h1>
            <ConfirmForm v={v} action={`/certificates/${number}/transfer`} submit={v.name('action', 'transfer')} cancel={`/certificates/${number}`} danger hidden={values}>
              <p data-confirm-text="">{v.t('transfer.confirmText', { number, dataset: cert.dataset.name, to: to.name, uscc })}</p>
            </ConfirmForm>
          </Layout>,
        ),
      );
    }
    try {
      const r = await ctx.registry.encumbrances.transfer(p, number, to.id);
      return c.redirect(`/verify/${r.certificate.number}?done=transfer&entry=${r.logIndex}`, 303);
    } catch (err) {
      const x = refusalOf(v, err, values);
      if (x.status === 404 && x.form.code === 'certificate_not_found') throw err;
      x.form.errors = { uscc: x.form.message ?? '' };
      return transferPage(c, v, number, x.form, x.status);
    }
  });
}
