/**
 * The notary office's pages (公证, issue 17): its attestations, and the form to attest a
 * deposit by its digest — the notarial certificate's number, the time of the act and the
 * signature the office made with its own key (its witness key, `datadeed witness attest`
 * on its machine; the registry never holds it). The statement signed is shown beside the
 * form; a refused field is marked beside it.
 */
import type { Context, Hono } from 'hono';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page, Time } from './layout.tsx';
import { signedIn, viewOf, type View } from './view.ts';
import { doneText, emptyForm, ErrorSummary, Field, Flash, formText, issueErrors, refusalOf, TableWrap, WrittenEntry, type FormState } from './ui.tsx';
import { AttestSchema } from '../../evidence/index.ts';
import { instantOfLocal, localTime } from '../../time.ts';

type Ctx = Pick<ApiServices, 'registry' | 'settings' | 'clock'>;

const LABELS = { digest: 'digest', notarialNumber: 'notarialNumber', attestedAt: 'attestedAt', notaryKey: 'notaryKey', signature: 'signature' };
const FIELDS = ['digest', 'notarialNumber', 'attestedAt', 'notaryKey', 'signature'] as const;

/** A shell-quoted argument (single quotes). */
const q = (s: string) => (/^[A-Za-z0-9._:/+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The notary's dashboard: its attestations, newest first, 50 a page. */
export async function notaryDashboard(c: Context<AppEnv>, ctx: Ctx) {
  const v = viewOf(c, ctx.settings);
  const p = signedIn(v, 'notary');
  const raw = c.req.query('before');
  const before = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
  const list = await ctx.registry.attestations.ofNotary(p, before === undefined ? {} : { before });
  return c.html(
    page(
      <Layout v={v} title={v.t('dash.title')}>
        <h1>{v.t('dash.heading', { org: p.orgName })}</h1>
        <Flash text={doneText(v, c)} />
        <WrittenEntry v={v} entry={c.req.query('entry')} />
        <p class="muted">{v.t('notary.intro')}</p>
        <p>
          <a class="button" href="/attestations/new">
            {v.t('notary.new')}
          </a>
        </p>
        <section class="card" aria-labelledby="at-h">
          <h2 id="at-h">{v.t('notary.list')}</h2>
          {list.items.length === 0 ? <p>{v.t('notary.none')}</p> : null}
          {list.items.length ? (
            <TableWrap label={v.t('notary.list')}>
              <table data-attestations="">
                <tr>
                  <th scope="col">{v.t('notary.number')}</th>
                  <th scope="col">{v.t('notary.deposit')}</th>
                  <th scope="col">{v.t('notary.digest')}</th>
                  <th scope="col">{v.t('notary.attestedAt')}</th>
                  <th scope="col">{v.t('verify.logPosition')}</th>
                </tr>
                {list.items.map((a) => (
                  <tr data-attestation={a.id}>
                    <td>{a.notarialNumber}</td>
                    <td>
                      <a href={`/verify/evidence/${a.depositId}`}>{a.depositId}</a>
                    </td>
                    <td class="mono">{a.digest}</td>
                    <td>
                      <Time v={v} at={a.attestedAt} />
                    </td>
                    <td>
                      <a href={`/log/entries/${a.logIndex}`}>#{a.logIndex}</a> · <Time v={v} at={a.recordedAt} />
                    </td>
                  </tr>
                ))}
              </table>
            </TableWrap>
          ) : null}
          {list.before !== undefined ? (
            <nav class="pager" aria-label={v.t('common.page')}>
              <a href={`/dashboard?before=${list.before}`} rel="next" data-page="next">
                {v.t('common.next')} →
              </a>
            </nav>
          ) : null}
        </section>
      </Layout>,
    ),
  );
}

export function registerNotaryPages(app: Hono<AppEnv>, ctx: Ctx): void {
  const formPage = (c: Context<AppEnv>, v: View, f: FormState, status = 200) => {
    const p = signedIn(v, 'notary');
    const zone = ctx.settings.timeZone;
    const when = instantOfLocal(f.values.attestedAt ?? '', zone);
    const statement = {
      attestedAt: when ? when.toISOString() : '…',
      digest: f.values.digest || '…',
      notarialNumber: f.values.notarialNumber || '…',
      office: p.orgName,
      origin: ctx.settings.origin,
    };
    const command = `datadeed witness attest --data-dir <dir> --origin ${q(ctx.settings.origin)} --office ${q(p.orgName)} --digest ${q(statement.digest)} --number ${q(statement.notarialNumber)} --time ${q(statement.attestedAt)}`;
    return c.html(
      page(
        <Layout v={v} title={v.t('notary.new')}>
          <h1>{v.t('notary.new')}</h1>
          <p class="muted">{v.t('notary.intro')}</p>
          <form class="card" method="post" action="/attestations/new" novalidate data-attest-form="">
            <ErrorSummary v={v} f={f} labels={LABELS} />
            <Field v={v} f={f} name="digest" label={v.t('notary.digest')} required maxlength={64} placeholder="e3b0c442…" autocomplete="off" />
            <div class="grid">
              <Field v={v} f={f} name="notarialNumber" label={v.t('notary.number')} required maxlength={100} placeholder="(2026)京长安内经证字第01234号" />
              <Field v={v} f={f} name="attestedAt" type="datetime-local" label={v.t('notary.attestedAt')} required hint={v.t('notary.attestedAtHint', { zone })} />
            </div>
            <Field v={v} f={f} name="notaryKey" label={v.t('notary.key')} required maxlength={400} hint={v.t('notary.keyHint')} autocomplete="off" />
            <Field v={v} f={f} name="signature" label={v.t('notary.signature')} required maxlength={200} hint={v.t('notary.signatureHint', { command })} autocomplete="off" />
            <p>
              <button type="submit">{v.t('notary.submit')}</button>
            </p>
          </form>
          <section class="card" aria-labelledby="st-h">
            <h2 id="st-h">{v.t('notary.statement')}</h2>
            <p>{v.t('notary.statementText')}</p>
            <dl class="kv" data-statement="">
              <dt>{v.t('notary.origin')}</dt>
              <dd class="mono">{statement.origin}</dd>
              <dt>{v.t('notary.office')}</dt>
              <dd data-office="">{statement.office}</dd>
              <dt>{v.t('notary.digest')}</dt>
              <dd class="mono">{statement.digest}</dd>
              <dt>{v.t('notary.number')}</dt>
              <dd>{statement.notarialNumber}</dd>
              <dt>{v.t('notary.attestedAt')}</dt>
              <dd class="mono">{statement.attestedAt}</dd>
            </dl>
          </section>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/attestations/new', (c) => {
    const v = viewOf(c, ctx.settings);
    const l = localTime(ctx.clock.now(), ctx.settings.timeZone);
    return formPage(c, v, emptyForm({ digest: (c.req.query('digest') ?? '').trim().toLowerCase(), attestedAt: `${l.date}T${l.time}` }));
  });

  app.post('/attestations/new', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'notary');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(FIELDS.map((k) => [k, (formText(b, k) ?? '').trim()])) as Record<(typeof FIELDS)[number], string>;
    values.digest = values.digest.toLowerCase();
    const when = instantOfLocal(values.attestedAt, ctx.settings.timeZone);
    const parsed = AttestSchema.safeParse({ ...values, attestedAt: when ? when.toISOString() : values.attestedAt });
    if (!parsed.success) return formPage(c, v, { values, errors: issueErrors(v, parsed.error.issues), code: 'invalid_field' }, 422);
    let r: Awaited<ReturnType<typeof ctx.registry.attestations.attest>>;
    try {
      r = await ctx.registry.attestations.attest(p, parsed.data);
    } catch (err) {
      const x = refusalOf(v, err, values);
      const at = { deposit_not_found: 'digest', attestation_invalid: x.form.errors.notaryKey !== undefined ? 'notaryKey' : 'signature', duplicate_attestation: 'notarialNumber' }[
        x.form.code as 'deposit_not_found' | 'attestation_invalid' | 'duplicate_attestation'
      ];
      if (at) x.form.errors = { [at]: x.form.message ?? '' };
      return formPage(c, v, x.form, x.status);
    }
    return c.redirect(`/dashboard?done=attest&entry=${r.logIndex}`, 303);
  });
}
