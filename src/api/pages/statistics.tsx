/**
 * `/statistics`: the registry's statistics at a named checkpoint, for a period, in Chinese
 * and English — the figures the replay of the log computes (anyone with the log recomputes
 * them), the amounts as the registry's signed statement, links to the JSON and the PDF
 * report. Bad parameters are shown at their field (400).
 */
import type { Hono } from 'hono';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page, State } from './layout.tsx';
import { viewOf } from './view.ts';
import { emptyForm, Field, issueErrors, TableWrap, type FormState } from './ui.tsx';
import { statisticsAt } from '../statistics.ts';
import { StatisticsQuery } from '../routes/statistics.ts';
import { INDUSTRY_SECTIONS, PROVINCES, type FlowFigures } from '../../statistics/index.ts';
import type { View } from './view.ts';

type Ctx = Pick<ApiServices, 'log' | 'registry' | 'settings' | 'documentSigner' | 'clock' | 'accounts'>;

const FlowTable = ({ v, label, head, rows }: { v: View; label: string; head: string; rows: ({ key: string } & FlowFigures)[] }) => (
  <TableWrap label={label}>
    <table class="card">
      <caption>{label}</caption>
      <tr>
        <th scope="col">{head}</th>
        <th scope="col">{v.t('stats.applications')}</th>
        <th scope="col">{v.t('stats.certificates')}</th>
        <th scope="col">{v.t('stats.transfers')}</th>
        <th scope="col">{v.t('stats.pledges')}</th>
        <th scope="col">{v.t('stats.released')}</th>
        <th scope="col">{v.t('stats.licences')}</th>
        <th scope="col">{v.t('stats.policies')}</th>
      </tr>
      {rows.map((r) => (
        <tr>
          <th scope="row">{r.key}</th>
          <td>{r.applications}</td>
          <td>{r.certificates}</td>
          <td>{r.transfers}</td>
          <td>{r.pledges}</td>
          <td>{r.releases}</td>
          <td>{r.licences}</td>
          <td>{r.policies}</td>
        </tr>
      ))}
    </table>
  </TableWrap>
);

export function registerStatisticsPages(app: Hono<AppEnv>, ctx: Ctx): void {
  app.get('/statistics', async (c) => {
    const v = viewOf(c, ctx.settings);
    const raw = { at: c.req.query('at') || undefined, from: c.req.query('from') || undefined, to: c.req.query('to') || undefined };
    const f: FormState = emptyForm(Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)) as Record<string, string>);
    const parsed = StatisticsQuery.safeParse(raw);
    let answer: Awaited<ReturnType<typeof statisticsAt>> | undefined;
    if (!parsed.success) f.errors = issueErrors(v, parsed.error.issues);
    else {
      try {
        answer = await statisticsAt(ctx, parsed.data);
      } catch (e) {
        if (e instanceof Error && (e as { code?: string }).code === 'invalid_field') f.errors = { at: v.lang === 'zh' ? '没有此大小的已发布检查点' : 'no published checkpoint of that size' };
        else throw e;
      }
    }
    const q = new URLSearchParams(Object.entries(raw).filter(([, x]) => x !== undefined) as [string, string][]).toString();
    const s = answer?.statistics;
    const name = (m: Record<string, { zh: string; en: string }>, k: string) => m[k]?.[v.lang] ?? k;
    return c.html(
      page(
        <Layout v={v} title={v.t('stats.title')}>
          <h1>{v.t('stats.heading')}</h1>
          <form method="get" action="/statistics" class="card row" novalidate>
            <Field v={v} f={f} name="at" label={v.t('stats.at')} inputmode="numeric" />
            <Field v={v} f={f} name="from" label={v.t('stats.from')} type="date" />
            <Field v={v} f={f} name="to" label={v.t('stats.to')} type="date" />
            <button type="submit">{v.t('stats.show')}</button>
          </form>
          {s && answer ? (
            <>
              <p>{v.t('stats.intro', { size: s.treeSize })}</p>
              <p>
                <a href={`/v1/statistics?${q || `at=${answer.checkpoint.size}`}`}>{v.t('stats.json')}</a> ·{' '}
                <a href={`/v1/statistics/report.pdf?${q || `at=${answer.checkpoint.size}`}`}>{v.t('stats.pdf')}</a>
              </p>
              <section class="card" aria-labelledby="st-main">
                <h2 id="st-main">{v.t('stats.certificates')}</h2>
                <dl class="kv">
                  <dt>{v.t('stats.issued')}</dt>
                  <dd data-stat="issued">{s.certificates.issued}</dd>
                  <dt>{v.t('stats.inForce')}</dt>
                  <dd data-stat="inForce">{s.certificates.inForce}</dd>
                  <dt>{v.t('stats.pledged')}</dt>
                  <dd>{s.certificates.pledged}</dd>
                  <dt>{v.t('stats.revoked')}</dt>
                  <dd>{s.certificates.revoked}</dd>
                  <dt>{v.t('stats.expired')}</dt>
                  <dd>{s.certificates.expired}</dd>
                  <dt>{v.t('stats.cancelled')}</dt>
                  <dd>{s.certificates.cancelled}</dd>
                  <dt>{v.t('stats.superseded')}</dt>
                  <dd>{s.certificates.superseded}</dd>
                  <dt>{v.t('stats.transfers')}</dt>
                  <dd>{s.certificates.transfers}</dd>
                  <dt>{v.t('stats.applications')}</dt>
                  <dd>
                    {v.t('stats.submitted')} {s.applications.submitted} ·{' '}
                    {Object.entries(s.applications.byState).map(([k, n]) => (
                      <span>
                        <State v={v} kind="applicationState" value={k} /> {n}{' '}
                      </span>
                    ))}
                  </dd>
                  <dt>{v.t('stats.pledges')}</dt>
                  <dd>
                    {v.t('stats.recorded')} {s.pledges.recorded} · {v.t('stats.released')} {s.pledges.released} · {v.t('stats.current')} {s.pledges.current} · {v.t('stats.pledgedFirms')}{' '}
                    {s.pledges.pledgedFirms}
                  </dd>
                  <dt>{v.t('stats.licences')}</dt>
                  <dd>
                    {s.licences.recorded} ({v.t('stats.exclusive')} {s.licences.exclusive})
                  </dd>
                  <dt>{v.t('stats.insurance')}</dt>
                  <dd>
                    {v.t('stats.policies')} {s.insurance.policies} · {v.t('stats.insuredFirms')} {s.insurance.insuredFirms}
                  </dd>
                </dl>
              </section>
              <FlowTable v={v} label={v.t('stats.byMonth')} head={v.t('stats.month')} rows={s.byMonth.map((r) => ({ ...r, key: r.month }))} />
              <FlowTable v={v} label={v.t('stats.byIndustry')} head={v.t('stats.section')} rows={s.byIndustry.map((r) => ({ ...r, key: `${r.section} ${name(INDUSTRY_SECTIONS, r.section)}` }))} />
              <FlowTable v={v} label={v.t('stats.byRegion')} head={v.t('stats.province')} rows={s.byRegion.map((r) => ({ ...r, key: name(PROVINCES, r.province) }))} />
              <section class="card" aria-labelledby="st-amounts">
                <h2 id="st-amounts">{v.t('stats.amounts')}</h2>
                <p>{v.t('stats.statement')}</p>
                <dl class="kv">
                  <dt>{v.t('stats.pledgedAmounts')}</dt>
                  <dd>{answer.amounts.pledgedAmounts.map((a) => `${a.total} ${a.currency} (${a.count})`).join('; ') || '0'}</dd>
                  <dt>{v.t('stats.insuredAmounts')}</dt>
                  <dd>{answer.amounts.insuredAmounts.map((a) => `${a.total} ${a.currency} (${a.count})`).join('; ') || '0'}</dd>
                </dl>
              </section>
            </>
          ) : null}
        </Layout>,
      ),
      answer ? 200 : 400,
    );
  });
}
