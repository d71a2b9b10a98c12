/** The page frame: bilingual header and navigation, no front-end framework, works without scripts except where a page verifies in the browser. */
import type { FC, PropsWithChildren } from 'hono/jsx';
import type { Principal } from '../../registry/accounts.ts';

export const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1c2733;background:#f6f7f9}
header{background:#7a1a1a;color:#fff}header .in{max-width:1040px;margin:auto;padding:.7rem 1rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.1rem;margin-right:auto}
main{max-width:1040px;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
h1{font-size:1.45rem;margin:.2rem 0 1rem}h2{font-size:1.15rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eceff3;vertical-align:top}
th{font-weight:600;color:#445}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
.ok{color:#17692f;font-weight:700}.bad{color:#a11;font-weight:700}.muted{color:#667}
.status{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-weight:700;font-size:.85rem;background:#e8eef5}
.status.active{background:#dcf2e3;color:#17692f}.status.pledged{background:#fff1d6;color:#8a5a00}.status.revoked,.status.cancelled,.status.expired{background:#fde2e2;color:#a11}.status.superseded{background:#eee;color:#555}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}input,select,textarea{width:100%;padding:.45rem;border:1px solid #c9d0d8;border-radius:5px;font:inherit}
button{background:#7a1a1a;color:#fff;border:0;border-radius:5px;padding:.5rem 1rem;font:inherit;cursor:pointer}button.secondary{background:#445}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem}@media(max-width:700px){.grid{grid-template-columns:1fr}}
.err{background:#fde2e2;border:1px solid #f0b4b4;padding:.6rem .8rem;border-radius:6px}
`;

export const Layout: FC<PropsWithChildren<{ title: string; principal?: Principal | null }>> = ({ title, principal, children }) => (
  <html lang="zh-CN">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} — DataDeed 数据知识产权登记</title>
      <style>{CSS}</style>
    </head>
    <body>
      <header>
        <div class="in">
          <a class="brand" href="/">
            DataDeed 数据知识产权登记
          </a>
          <a href="/verify">验证 Verify</a>
          <a href="/register">登记公告 Register</a>
          <a href="/notices">公示 Notices</a>
          <a href="/log">日志 Log</a>
          <a href="/docs">API</a>
          {principal ? (
            <>
              <a href="/dashboard">
                {principal.displayName} ({principal.role})
              </a>
              <form method="post" action="/logout" style="margin:0">
                <button class="secondary" type="submit">
                  退出 Sign out
                </button>
              </form>
            </>
          ) : (
            <a href="/login">登录 Sign in</a>
          )}
        </div>
      </header>
      <main>{children}</main>
    </body>
  </html>
);

export function page(node: unknown): string {
  return '<!DOCTYPE html>' + String(node);
}
