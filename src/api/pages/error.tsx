/** A problem (RFC 9457) shown as a page, for people using the pages: unknown addresses, refusals and failures. */
import type { FC } from 'hono/jsx';
import type { Problem } from '../problem.ts';
import { errorText, errorTitle, fieldMessage } from './i18n.ts';
import { Layout } from './layout.tsx';
import type { View } from './view.ts';

export const ErrorPage: FC<{ v: View; problem: Problem }> = ({ v, problem }) => {
  const title = errorTitle(v.lang, problem.status);
  const text = errorText(v.lang, problem.code);
  return (
    <Layout v={v} title={title}>
      <h1>{title}</h1>
      <div class="err" data-problem={problem.code} data-status={problem.status}>
        {text ? <p>{text}</p> : null}
        {/* the domain's own sentence: only for refusals (an internal error's detail says nothing) */}
        {problem.detail && problem.status < 500 && problem.detail !== text && (!text || v.lang === 'en') ? (
          <p lang="en">{problem.detail}</p>
        ) : null}
        <p class="flush">
          {v.t('error.code')}: <code>{problem.code}</code> (HTTP {problem.status})
        </p>
        {problem.errors?.length ? (
          <ul>
            {problem.errors.map((e) => (
              <li>
                <code>{e.path}</code>: {fieldMessage(v.lang, { message: e.message })}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <p class="row">
        {v.principal ? <a href="/dashboard">{v.t('error.dashboard')}</a> : null}
        <a href="/">{v.t('error.home')}</a>
        {problem.status === 401 && !v.principal ? <a href={`/login?next=${encodeURIComponent(v.here.pathname + v.here.search)}`}>{v.t('nav.signIn')}</a> : null}
      </p>
    </Layout>
  );
};
