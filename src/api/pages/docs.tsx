/** `/docs`: the API reference, server-rendered from the same OpenAPI document (no scripts, no CDN). */
import type { FC } from 'hono/jsx';
import { HTML_LANG, type Lang } from './i18n.ts';

const TEXT = {
  zh: {
    title: 'API 文档',
    machine: '机器可读：',
    auth: '认证：',
    errors: '错误：RFC 9457 ',
    errorsTail: '，带稳定的 code。',
    concurrency: '乐观并发：把读取到的 ETag 作为 If-Match 发送。',
    params: '参数',
    responses: '响应',
    token: '需令牌',
    pages: '返回网站',
  },
  en: {
    title: 'API reference',
    machine: 'Machine-readable: ',
    auth: 'Authentication: ',
    errors: 'Errors: RFC 9457 ',
    errorsTail: ' with a stable code.',
    concurrency: 'Optimistic concurrency: send the ETag you read as If-Match.',
    params: 'parameters',
    responses: 'responses',
    token: 'token',
    pages: 'Back to the site',
  },
} as const;

interface Op {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

/** The reference page's stylesheet, served as `/assets/docs.css` (no inline styles under the CSP). */
export const DOCS_CSS = `body{font:15px/1.5 system-ui,"Noto Sans SC",sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1c2733}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:2px solid #8a1c1c;color:#8a1c1c}
.op{border:1px solid #d9dee5;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4.5em;font-weight:700;font-family:monospace}.GET{color:#1b6e2d}.POST{color:#1f4fa8}.PATCH,.PUT{color:#8a5a00}.DELETE{color:#a11}
code{font-family:ui-monospace,monospace;overflow-wrap:anywhere}.lock{font-size:.8rem;color:#666}small{color:#555}`;

export const DocsPage: FC<{ lang: Lang; doc: { info: { title: string; description?: string }; paths: Record<string, Record<string, Op>> } }> = ({ lang, doc }) => {
  const x = TEXT[lang];
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ path, method: m.toUpperCase(), op })));
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? 'other'))];
  return (
    <html lang={HTML_LANG[lang]}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${doc.info.title} — ${x.title}`}</title>
        <link rel="stylesheet" href="/assets/docs.css" />
      </head>
      <body>
        <p>
          <a href="/">← {x.pages}</a> · <a href={lang === 'zh' ? '/docs?lang=en' : '/docs?lang=zh'}>{lang === 'zh' ? 'English' : '中文'}</a>
        </p>
        <h1>
          {doc.info.title} — {x.title}
        </h1>
        <p lang="en">{doc.info.description}</p>
        <p>
          {x.machine}
          <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). {x.auth}
          <code>Authorization: Bearer ddt_…</code>. {x.errors}
          <code>application/problem+json</code>
          {x.errorsTail} {x.concurrency}
        </p>
        {tags.map((t) => (
          <section>
            <h2>{t}</h2>
            {ops
              .filter((o) => (o.op.tags?.[0] ?? 'other') === t)
              .map(({ path, method, op }) => (
                <div class="op">
                  <span class={`m ${method}`}>{method}</span> <code>{path}</code> {op.security?.length ? <span class="lock">🔒 {x.token}</span> : null}
                  <div lang="en">{op.summary}</div>
                  {op.parameters?.length ? (
                    <small>
                      {x.params}:{' '}
                      {op.parameters.map((p) => (
                        <code>
                          {p.name}
                          {p.required ? '' : '?'} ({p.in}){' '}
                        </code>
                      ))}
                    </small>
                  ) : null}
                  <div>
                    <small>
                      {x.responses}: {Object.entries(op.responses ?? {}).map(([s, r]) => `${s} ${r.description ?? ''}`).join(' · ')}
                    </small>
                  </div>
                </div>
              ))}
          </section>
        ))}
      </body>
    </html>
  );
};
