/** A problem (RFC 9457) shown as a page, for people using the forms. */
import type { FC } from 'hono/jsx';
import type { Principal } from '../../registry/accounts.ts';
import type { Problem } from '../problem.ts';
import { Layout } from './layout.tsx';

export const ErrorPage: FC<{ problem: Problem; principal: Principal | null }> = ({ problem, principal }) => (
  <Layout title={problem.title} principal={principal}>
    <h1>
      {problem.status} {problem.title}
    </h1>
    <div class="err">
      <p>
        <code>{problem.code}</code> {problem.detail ?? ''}
      </p>
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
    <p>
      <a href="/dashboard">← 工作台 Dashboard</a> · <a href="/">首页 Home</a>
    </p>
  </Layout>
);
