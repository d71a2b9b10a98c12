/**
 * Signed-in pages: sign-in / sign-out (session cookie, HttpOnly, SameSite=Strict),
 * the dashboard per role (applicant: applications and certificates; reviewer: the
 * queue with decisions; bank/insurer: verification), and the application form with
 * in-browser fingerprinting (the data never leaves the browser).
 */
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../../context.ts';
import { SESSION_COOKIE, type AppEnv } from '../auth.ts';
import { Layout, page } from './layout.tsx';
import { SESSION_TTL_MS, signIn, signOut, type Principal } from '../../registry/accounts.ts';
import { RegistryError } from '../../registry/errors.ts';
import { UPDATE_FREQUENCIES } from '../../registry/form.ts';

function need(p: Principal | null, ...roles: Principal['role'][]): Principal {
  if (!p) throw new RegistryError('unauthenticated', 'sign in first');
  if (!roles.includes(p.role)) throw new RegistryError('forbidden', 'not for your role');
  return p;
}

export function registerAccountPages(app: Hono<AppEnv>, ctx: AppContext): void {
  const db = ctx.database.db;

  app.get('/login', (c) =>
    c.html(
      page(
        <Layout title="登录 Sign in" principal={c.get('principal')}>
          <h1>登录 Sign in</h1>
          <form class="card" method="post" action="/login" style="max-width:420px">
            <label for="u">用户名 Username</label>
            <input id="u" name="username" autocomplete="username" required />
            <label for="p">密码 Password</label>
            <input id="p" name="password" type="password" autocomplete="current-password" required />
            <p>
              <button type="submit">登录 Sign in</button>
            </p>
          </form>
        </Layout>,
      ),
    ),
  );

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const username = typeof body.username === 'string' ? body.username.slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const r = username && password ? await signIn(db, username, password, ctx.clock.now()) : undefined;
    if (!r)
      return c.html(
        page(
          <Layout title="登录 Sign in">
            <p class="err">用户名或密码错误 Wrong username or password.</p>
            <a href="/login">← 重试 Try again</a>
          </Layout>,
        ),
        401,
      );
    setCookie(c, SESSION_COOKIE, r.sessionId, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: ctx.config.publicUrl.startsWith('https:'),
      path: '/',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.redirect('/dashboard', 303);
  });

  app.post('/logout', async (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) await signOut(db, sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  app.get('/dashboard', async (c) => {
    const p = c.get('principal');
    if (!p) return c.redirect('/login', 303);
    let body: unknown = null;
    if (p.role === 'applicant') {
      const apps = await ctx.registry.applications.list(p, { limit: 100 });
      const pledges = (await ctx.registry.encumbrances.listPledges(p)).filter((x) => x.state === 'requested' || x.state === 'recorded');
      body = (
        <>
          {pledges.length ? (
            <div class="card">
              <h2>质押 Pledges of your certificates</h2>
              <table>
                <tr>
                  <th>证书 Certificate</th>
                  <th>贷款 Loan</th>
                  <th>金额 Amount</th>
                  <th>期限 Term</th>
                  <th>状态 State</th>
                  <th></th>
                </tr>
                {pledges.map((x) => (
                  <tr>
                    <td>{x.certificateNumber}</td>
                    <td>{x.loanReference}</td>
                    <td>
                      {x.amount.value} {x.amount.currency}
                    </td>
                    <td>
                      {x.term.start} — {x.term.end}
                    </td>
                    <td>{x.pledgeNumber ?? x.state}</td>
                    <td>
                      {x.state === 'requested' ? (
                        <>
                          <form method="post" action={`/pledges/${x.id}/consent`} style="display:inline">
                            <button type="submit">同意 Consent</button>
                          </form>{' '}
                          <form method="post" action={`/pledges/${x.id}/decline`} style="display:inline">
                            <button class="secondary" type="submit">
                              拒绝 Decline
                            </button>
                          </form>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </table>
            </div>
          ) : null}
          <p>
            <a href="/applications/new">
              <button type="button">新建登记申请 New application</button>
            </a>
          </p>
          <table class="card">
            <tr>
              <th>数据 Dataset</th>
              <th>类型 Kind</th>
              <th>状态 State</th>
              <th>证书 Certificate</th>
              <th>更新 Updated</th>
            </tr>
            {apps.items.map((a) => (
              <tr>
                <td>{a.form.datasetName ?? '—'}</td>
                <td>{a.kind}</td>
                <td>{a.state}</td>
                <td>{a.certificateNumber ? <a href={`/verify/${a.certificateNumber}`}>{a.certificateNumber}</a> : '—'}</td>
                <td>{a.updatedAt.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </table>
        </>
      );
    } else if (p.role === 'reviewer' || p.role === 'admin') {
      const queue = await ctx.registry.applications.list(p, { state: ['submitted', 'in_review', 'objection', 'public_notice'], limit: 100 });
      body = (
        <table class="card">
          <tr>
            <th>数据 Dataset</th>
            <th>持有人 Holder</th>
            <th>状态 State</th>
            <th>操作 Actions</th>
          </tr>
          {queue.items.map((a) => (
            <tr>
              <td>{a.form.datasetName}</td>
              <td>{a.form.holder?.name}</td>
              <td>{a.state}</td>
              <td>
                {p.role === 'reviewer'
                  ? ((
                      {
                        submitted: ['claim'],
                        in_review: ['open-notice', 'request-changes', 'reject', ...(a.kind === 'renewal' ? ['approve'] : [])],
                        public_notice: ['approve'],
                        objection: [],
                      } as Record<string, string[]>
                    )[a.state] ?? []).map((act) => (
                      <form method="post" action={`/applications/${a.id}/${act}`} style="display:inline-block;margin:0 .3rem .3rem 0">
                        <input type="hidden" name="version" value={String(a.rowVersion)} />
                        {act === 'request-changes' || act === 'reject' ? <input name="comment" placeholder="理由 reason" required style="width:10rem" /> : null}
                        <button type="submit" class={act === 'reject' ? 'secondary' : ''}>
                          {act}
                        </button>
                      </form>
                    ))
                  : null}
              </td>
            </tr>
          ))}
        </table>
      );
    } else if (p.role === 'bank') {
      const pledges = await ctx.registry.encumbrances.listPledges(p);
      body = (
        <>
          <form class="card" method="post" action="/pledges/new">
            <h2>申请质押登记 Request a pledge</h2>
            <p class="muted">先验证证书；持有人同意后质押即登记入日志。 Verify the certificate first; the pledge is recorded in the log once the holder consents.</p>
            <div class="grid">
              <div>
                <label>证书编号 Certificate number</label>
                <input name="number" required pattern="[A-Z][A-Z0-9]{0,15}-[0-9]{4}-[0-9]{6,10}" placeholder="DIP-2026-000001" />
              </div>
              <div>
                <label>贷款编号 Loan reference</label>
                <input name="loanReference" required maxlength={100} />
              </div>
              <div>
                <label>担保金额 Secured amount</label>
                <input name="amount" required pattern="(0|[1-9][0-9]{0,15})([.][0-9]{1,2})?" placeholder="5000000.00" />
              </div>
              <div>
                <label>币种 Currency</label>
                <input name="currency" required value="CNY" pattern="[A-Z]{3}" />
              </div>
              <div>
                <label>起始 Term start</label>
                <input name="start" type="date" required />
              </div>
              <div>
                <label>到期 Term end</label>
                <input name="end" type="date" required />
              </div>
            </div>
            <p>
              <button type="submit">提交申请 Request</button>
            </p>
          </form>
          <table class="card">
            <tr>
              <th>证书 Certificate</th>
              <th>贷款 Loan</th>
              <th>状态 State</th>
              <th>质押编号 Pledge No.</th>
              <th></th>
            </tr>
            {pledges.map((x) => (
              <tr>
                <td>
                  <a href={`/verify/${x.certificateNumber}`}>{x.certificateNumber}</a>
                </td>
                <td>{x.loanReference}</td>
                <td>{x.state}</td>
                <td>{x.pledgeNumber ?? '—'}</td>
                <td>
                  {x.state === 'recorded' ? (
                    <>
                      <a href={`/v1/pledges/${x.id}/receipt`}>回执 Receipt</a>{' '}
                      <form method="post" action={`/pledges/${x.id}/release`} style="display:inline">
                        <button class="secondary" type="submit">
                          解除 Release
                        </button>
                      </form>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </table>
        </>
      );
    } else {
      body = (
        <div class="card">
          <p>验证证书后可通过 API 登记质押或保险。 Verify a certificate, then record a pledge or policy through the API (see /docs).</p>
          <form method="get" action="/verify">
            <input name="q" placeholder="DIP-2026-000001" />
            <p>
              <button type="submit">验证 Verify</button>
            </p>
          </form>
        </div>
      );
    }
    return c.html(
      page(
        <Layout title="工作台 Dashboard" principal={p}>
          <h1>
            工作台 Dashboard — {p.orgName} ({p.role})
          </h1>
          {body as never}
        </Layout>,
      ),
    );
  });

  // reviewer decisions from the queue page
  app.post('/applications/:id/:action{claim|open-notice|request-changes|reject|approve}', async (c) => {
    const p = need(c.get('principal'), 'reviewer');
    const id = c.req.param('id');
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RegistryError('application_not_found', 'no such application');
    const body = await c.req.parseBody();
    const version = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : undefined;
    const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, 2000) : '';
    const apps = ctx.registry.applications;
    switch (c.req.param('action')) {
      case 'claim':
        await apps.claim(p, id, version);
        break;
      case 'open-notice':
        await apps.openNotice(p, id, version);
        break;
      case 'request-changes':
        if (!comment) throw new RegistryError('invalid_field', 'a comment is required', [{ path: 'comment', message: 'required' }]);
        await apps.requestChanges(p, id, comment, version);
        break;
      case 'reject':
        if (!comment) throw new RegistryError('invalid_field', 'a reason is required', [{ path: 'comment', message: 'required' }]);
        await apps.reject(p, id, comment, version);
        break;
      case 'approve':
        await apps.approve(p, id, version);
        break;
    }
    return c.redirect('/dashboard', 303);
  });

  // pledges from the dashboards (the same services as the API; cookie writes pass the Origin check)
  app.post('/pledges/new', async (c) => {
    const p = need(c.get('principal'), 'bank');
    const b = await c.req.parseBody();
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
    const errors: { path: string; message: string }[] = [];
    if (!/^[A-Z][A-Z0-9]{0,15}-\d{4}-\d{6,10}$/.test(s('number'))) errors.push({ path: 'number', message: 'not a certificate number' });
    if (!s('loanReference') || s('loanReference').length > 100) errors.push({ path: 'loanReference', message: '1–100 characters' });
    if (!/^(0|[1-9]\d{0,15})(\.\d{1,2})?$/.test(s('amount'))) errors.push({ path: 'amount', message: 'a decimal amount' });
    if (!/^[A-Z]{3}$/.test(s('currency'))) errors.push({ path: 'currency', message: 'ISO 4217' });
    for (const k of ['start', 'end']) if (!/^\d{4}-\d{2}-\d{2}$/.test(s(k))) errors.push({ path: k, message: 'a date' });
    if (errors.length) throw new RegistryError('invalid_field', 'the pledge request has invalid fields', errors);
    await ctx.registry.encumbrances.requestPledge(p, s('number'), {
      loanReference: s('loanReference'),
      amount: { value: s('amount'), currency: s('currency') },
      term: { start: s('start'), end: s('end') },
    });
    return c.redirect('/dashboard', 303);
  });

  app.post('/pledges/:id/:action{consent|decline|release}', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RegistryError('pledge_not_found', 'no such pledge');
    const enc = ctx.registry.encumbrances;
    switch (c.req.param('action')) {
      case 'consent':
        await enc.consent(need(c.get('principal'), 'applicant'), id);
        break;
      case 'decline':
        await enc.decline(need(c.get('principal'), 'applicant'), id);
        break;
      case 'release':
        await enc.release(need(c.get('principal'), 'bank'), id);
        break;
    }
    return c.redirect('/dashboard', 303);
  });

  app.get('/applications/new', (c) => {
    const p = c.get('principal');
    if (!p) return c.redirect('/login', 303);
    need(p, 'applicant');
    return c.html(
      page(
        <Layout title="登记申请 New application" principal={p}>
          <h1>数据知识产权登记申请 New application</h1>
          <form method="post" action="/applications/new" class="card">
            <h2>1. 数据指纹 Dataset fingerprint</h2>
            <p class="muted">在您的浏览器中计算，数据不会上传。 Computed in your browser; the data is never uploaded.</p>
            <div data-datadeed-fingerprint="" data-worker-src="/assets/fingerprint-worker.js">
              <label>选择文件夹 Pick a folder</label>
              <input type="file" webkitdirectory="" />
              <label>或选择文件 or files</label>
              <input type="file" multiple />
              <progress value="0" max="1" style="width:100%"></progress>
              <output data-fingerprint-status=""></output>
              <div class="grid">
                <div>
                  <label>清单根 Manifest root</label>
                  <input name="manifestRoot" readonly required pattern="[0-9a-f]{64}" />
                </div>
                <div class="grid">
                  <div>
                    <label>文件数 Files</label>
                    <input name="files" readonly required />
                  </div>
                  <div>
                    <label>字节 Bytes</label>
                    <input name="bytes" readonly required />
                  </div>
                </div>
              </div>
            </div>
            <h2>2. 数据信息 About the data</h2>
            <div class="grid">
              <div>
                <label>数据名称 Dataset name</label>
                <input name="datasetName" required maxlength={200} />
              </div>
              <div>
                <label>持有人名称 Holder name</label>
                <input name="holderName" required value={p.orgName} maxlength={200} />
              </div>
              <div>
                <label>统一社会信用代码 Unified social credit code</label>
                <input name="holderUscc" required value={p.orgUscc ?? ''} pattern="[0-9A-HJ-NPQRTUWXY]{18}" />
              </div>
              <div>
                <label>更新频率 Update frequency</label>
                <select name="updateFrequency">
                  {UPDATE_FREQUENCIES.map((f) => (
                    <option value={f}>{f}</option>
                  ))}
                </select>
              </div>
            </div>
            <p class="muted">其余字段可通过 API 补充后提交。 Complete the remaining fields and submit through the API (PATCH /v1/applications/{'{id}'}).</p>
            <p>
              <button type="submit">保存草稿 Save draft</button>
            </p>
          </form>
          <script src="/assets/fingerprint.js"></script>
        </Layout>,
      ),
    );
  });

  app.post('/applications/new', async (c) => {
    const p = need(c.get('principal'), 'applicant');
    const b = await c.req.parseBody();
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : undefined);
    const num = (k: string) => (s(k) && /^\d{1,15}$/.test(s(k)!) ? Number(s(k)) : undefined);
    const draft = {
      datasetName: s('datasetName'),
      holder: { name: s('holderName'), uscc: s('holderUscc') },
      updateFrequency: s('updateFrequency'),
      manifest: { root: s('manifestRoot'), files: num('files'), bytes: num('bytes') },
      scale: { files: num('files'), bytes: num('bytes') },
    };
    const a = await ctx.registry.applications.createDraft(p, JSON.parse(JSON.stringify(draft)));
    return c.redirect(`/dashboard#${a.id}`, 303);
  });
}
