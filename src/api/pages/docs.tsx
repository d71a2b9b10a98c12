/** `/docs`: the API reference, server-rendered from the same OpenAPI document (no scripts, no CDN). */
import type { FC } from 'hono/jsx';

interface Op {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}

export const DocsPage: FC<{ doc: { info: { title: string; description?: string }; paths: Record<string, Record<string, Op>> } }> = ({ doc }) => {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ path, method: m.toUpperCase(), op })));
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? 'other'))];
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} — API 文档 / reference</title>
        <style>{`body{font:15px/1.5 system-ui,"Noto Sans SC",sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1c2733}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:2px solid #8a1c1c;color:#8a1c1c}
.op{border:1px solid #d9dee5;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4.5em;font-weight:700;font-family:monospace}.GET{color:#1b6e2d}.POST{color:#1f4fa8}.PATCH,.PUT{color:#8a5a00}.DELETE{color:#a11}
code{font-family:ui-monospace,monospace}.lock{font-size:.8rem;color:#666}small{color:#555}`}</style>
      </head>
      <body>
        <h1>{doc.info.title} — API 文档 / API reference</h1>
        <p>{doc.info.description}</p>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authentication: <code>Authorization: Bearer ddt_…</code>. Errors: RFC 9457{' '}
          <code>application/problem+json</code> with a stable <code>code</code>. Optimistic concurrency: send the <code>ETag</code> you read as <code>If-Match</code>.
        </p>
        {tags.map((t) => (
          <section>
            <h2>{t}</h2>
            {ops
              .filter((o) => (o.op.tags?.[0] ?? 'other') === t)
              .map(({ path, method, op }) => (
                <div class="op">
                  <span class={`m ${method}`}>{method}</span> <code>{path}</code> {op.security?.length ? <span class="lock">🔒 token</span> : null}
                  <div>{op.summary}</div>
                  {op.parameters?.length ? (
                    <small>
                      parameters:{' '}
                      {op.parameters.map((p) => (
                        <code>
                          {p.name}
                          {p.required ? '' : '?'} ({p.in}){' '}
                        </code>
                      ))}
                    </small>
                  ) : null}
                  <div>
                    <small>responses: {Object.entries(op.responses ?? {}).map(([s, r]) => `${s} ${r.description ?? ''}`).join(' · ')}</small>
                  </div>
                </div>
              ))}
          </section>
        ))}
      </body>
    </html>
  );
};
