/**
 * The page frame: header with the issuing authority, navigation, the signed-in person and
 * their role, the language switch; a footer naming the authority and the time zone. No
 * front-end framework; scripts only where a page needs them (by file, under /assets).
 */
import type { FC, PropsWithChildren } from 'hono/jsx';
import { HTML_LANG, zoneOffset } from './i18n.ts';
import { withQuery, type View } from './view.ts';

export const CSS = `
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.55 system-ui,"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1c2733;background:#f6f7f9;overflow-wrap:break-word}
a{color:#0b4f8a}a:hover{color:#7a1a1a}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#000;padding:.4rem .8rem;z-index:10}.skip:focus{left:.5rem}
header{background:#7a1a1a;color:#fff}header .in{max-width:1100px;margin:auto;padding:.6rem 1rem;display:flex;gap:.4rem 1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header a:hover,header a:focus{color:#fff;text-decoration:underline}
.brand{margin-right:auto;display:flex;flex-direction:column;line-height:1.25}.brand strong{font-size:1.08rem}.brand small{font-size:.78rem;opacity:.92}
nav.main ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .9rem}
.who{display:flex;flex-wrap:wrap;gap:.3rem .7rem;align-items:center;font-size:.9rem}
.who .role{background:#fff;color:#7a1a1a;border-radius:1rem;padding:0 .5rem;font-weight:700}
header button{background:#fff;color:#7a1a1a;padding:.2rem .6rem}
main{max-width:1100px;margin:1.2rem auto;padding:0 1rem}
footer{max-width:1100px;margin:2rem auto 1rem;padding:0 1rem;color:#4d5866;font-size:.85rem}
.card{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:1rem 1.1rem;margin:1rem 0}
h1{font-size:1.45rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:.4rem 0 .7rem}h3{font-size:1rem}
.table-wrap{overflow-x:auto;max-width:100%}.table-wrap table{min-width:40rem}time{white-space:nowrap}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #eceff3;vertical-align:top;overflow-wrap:break-word}
th{font-weight:600;color:#2f3b48}th[scope=row]{width:32%}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}.mono{word-break:break-all}
pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-all;background:#f3f5f8;padding:.6rem;border-radius:6px;margin:.4rem 0}
.ok{color:#17692f;font-weight:700}.bad{color:#a11;font-weight:700}.muted{color:#4d5866}
.status{display:inline-block;padding:.05rem .55rem;border-radius:1rem;font-weight:700;font-size:.85rem;background:#e8eef5;color:#1c2733;white-space:nowrap}
.status.active,.status.approved,.status.recorded,.status.dismissed{background:#dcf2e3;color:#135a27}
.status.pledged,.status.public_notice,.status.changes_requested,.status.requested,.status.objection,.status.open{background:#fff1d6;color:#6e4700}
.status.revoked,.status.cancelled,.status.expired,.status.rejected,.status.upheld,.status.declined{background:#fde2e2;color:#8f0f0f}
.status.superseded,.status.withdrawn,.status.released{background:#eee;color:#444}
label,.label{display:block;margin:.7rem 0 .2rem;font-weight:600}
input,select,textarea{width:100%;max-width:100%;padding:.45rem;border:1px solid #8a96a3;border-radius:5px;font:inherit;background:#fff;color:inherit}
input[type=checkbox],input[type=radio]{width:auto;margin-right:.4rem}
.check{display:flex;align-items:flex-start;font-weight:400;margin:.5rem 0}.check input{margin-top:.3rem}
input[readonly]{background:#f1f3f6}
[aria-invalid=true]{border-color:#a11;border-width:2px}
.field-error{color:#8f0f0f;font-weight:600;margin:.2rem 0 0;font-size:.9rem}
.hint{color:#4d5866;font-size:.88rem;margin:.2rem 0 0}
button,.button{display:inline-block;background:#7a1a1a;color:#fff;border:0;border-radius:5px;padding:.5rem 1rem;font:inherit;cursor:pointer;text-decoration:none;line-height:1.4}
.button:hover,.button:focus{color:#fff;text-decoration:underline}
button.secondary,.button.secondary{background:#3a4654}button.danger,.button.danger{background:#8f0f0f}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #1a66c2;outline-offset:2px}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:0 1rem}.grid3{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:0 1rem}
@media(max-width:700px){.grid,.grid3{grid-template-columns:minmax(0,1fr)}th[scope=row]{width:40%}.who .org{display:none}header .in{padding:.5rem .8rem}}
.err{background:#fde2e2;border:1px solid #e9a3a3;padding:.6rem .8rem;border-radius:6px;color:#5e0909}
.note{background:#e8f1fb;border:1px solid #b5cde8;padding:.6rem .8rem;border-radius:6px}
.flash{background:#dcf2e3;border:1px solid #9fd3b0;padding:.6rem .8rem;border-radius:6px}
.narrow{max-width:440px}.inline{display:inline}.action{display:inline-block;margin:0 .3rem .3rem 0}.full{width:100%}.flush{margin:0}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.pager{display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;margin:.8rem 0}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:0 .8rem;align-items:end}
.filters button{margin-top:.7rem}
.entries{list-style:none;margin:0;padding:0}.entries li{border-bottom:1px solid #eceff3;padding:.5rem 0}
.entries .head{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline}
dl.kv{display:grid;grid-template-columns:fit-content(40%) minmax(0,1fr);gap:.15rem .8rem;margin:.3rem 0}dl.kv dt{color:#4d5866}dl.kv dd{margin:0;overflow-wrap:anywhere;word-break:break-word}
.seal{display:inline-flex;align-items:center;justify-content:center;text-align:center;width:8.5rem;height:8.5rem;border:3px solid #b01b1b;border-radius:50%;color:#b01b1b;font-weight:700;padding:.6rem;font-size:.85rem;line-height:1.3}
.cert-head{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;align-items:flex-start}
.verdict{font-size:1.1rem;padding:.6rem .8rem;border-radius:6px}.verdict.ok{background:#dcf2e3}.verdict.bad{background:#fde2e2}.verdict.warn{background:#fff1c2}
progress{width:100%;height:1.2rem}
details summary{cursor:pointer;font-weight:600}
fieldset{border:0;border-top:1px solid #dfe3e8;padding:.6rem 0 0;margin:0 0 1rem;min-width:0}fieldset:first-of-type{border-top:0}legend{padding:0}legend h2{margin:0}
.pre-line{white-space:pre-line}
.events{list-style:none;margin:0;padding:0}.events li{border-bottom:1px solid #eceff3;padding:.5rem 0}.events .head{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline}.events .comment{margin:.3rem 0 0;white-space:pre-line}
@media print{header,footer,nav,.no-print,form{display:none!important}body{background:#fff}.card{border:0}}
`;

/** An instant in the registry's zone, with the exact UTC instant for machines. */
export const Time: FC<{ v: View; at: string | Date | null | undefined; date?: boolean }> = ({ v, at, date }) => {
  if (at === null || at === undefined) return <>—</>;
  const iso = typeof at === 'string' ? at : at.toISOString();
  return <time datetime={iso}>{date ? v.d(at) : v.dt(at)}</time>;
};

/** A state or status as a coloured label. */
export const State: FC<{ v: View; kind: 'applicationState' | 'certificateStatus' | 'pledgeState' | 'objectionState'; value: string }> = ({ v, kind, value }) => (
  <span class={`status ${value}`} data-state={value}>
    {v.name(kind, value)}
  </span>
);

export const Layout: FC<PropsWithChildren<{ v: View; title: string }>> = ({ v, title, children }) => {
  const p = v.principal;
  const other = v.lang === 'zh' ? 'en' : 'zh';
  return (
    <html lang={HTML_LANG[v.lang]}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — ${v.authority}`}</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          {v.t('nav.skip')}
        </a>
        <header>
          <div class="in">
            <a class="brand" href="/">
              <strong>{v.authority}</strong>
              <small>
                {v.t('site.tagline')} · {v.t('site.product')}
              </small>
            </a>
            <nav class="main" aria-label={v.t('nav.main')}>
              <ul>
                <li>
                  <a href="/verify">{v.t('nav.verify')}</a>
                </li>
                <li>
                  <a href="/register">{v.t('nav.register')}</a>
                </li>
                <li>
                  <a href="/notices">{v.t('nav.notices')}</a>
                </li>
                <li>
                  <a href="/log">{v.t('nav.log')}</a>
                </li>
                <li>
                  <a href="/docs">{v.t('nav.docs')}</a>
                </li>
                {p ? (
                  <li>
                    <a href="/dashboard">{v.t('nav.dashboard')}</a>
                  </li>
                ) : null}
              </ul>
            </nav>
            <div class="who">
              <a href={withQuery(v.here, { lang: other })} lang={HTML_LANG[other]} hreflang={HTML_LANG[other]} data-lang-switch={other}>
                {v.t('nav.switchTo')}
              </a>
              {p ? (
                <>
                  <span data-user={p.username}>
                    {p.displayName}
                    <span class="org"> · {p.orgName}</span>
                  </span>
                  <span class="role" data-role={p.role}>
                    <span class="sr-only">{v.t('role.label')}: </span>
                    {v.name('role', p.role)}
                  </span>
                  <form method="post" action="/logout" class="flush">
                    <button type="submit">{v.t('nav.signOut')}</button>
                  </form>
                </>
              ) : (
                <>
                  <span class="role" data-role="anonymous">
                    {v.t('role.anonymous')}
                  </span>
                  <a href="/login">{v.t('nav.signIn')}</a>
                </>
              )}
            </div>
          </div>
        </header>
        <main id="main">{children}</main>
        <footer>
          <p>
            {v.t('footer.authority', { name: v.authority })} · {v.t('footer.times', { zone: v.settings.timeZone, offset: zoneOffset(v.settings.timeZone) })}
          </p>
        </footer>
      </body>
    </html>
  );
};

export function page(node: unknown): string {
  return '<!DOCTYPE html>' + String(node);
}
