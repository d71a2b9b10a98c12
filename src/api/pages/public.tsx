/**
 * Public pages (no login): home, verification (certificates and evidence receipts,
 * checked in the browser), the register (登记公告), public notices (公示) with the
 * objection form, and the log explorer.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page } from './layout.tsx';
import { RegistryError } from '../../registry/errors.ts';
import { toHex } from '../../ledger/bytes.ts';

const NUMBER = /^[A-Z][A-Z0-9]{0,15}-\d{4}-\d{6,10}$/;
const DEPOSIT = /^EV-\d{4}-\d{8}$/;
const STATUS_ZH: Record<string, string> = { active: '有效', pledged: '已质押', superseded: '已被取代', revoked: '已撤销', cancelled: '已注销', expired: '已过期' };

export function registerPublicPages(app: Hono<AppEnv>, ctx: AppContext): void {
  app.get('/', async (c) => {
    const cp = await ctx.store.latestCheckpoint();
    return c.html(
      page(
        <Layout title="首页 Home" principal={c.get('principal')}>
          <h1>数据知识产权登记与存证 · Data IP registration and evidence</h1>
          <div class="card">
            <p>
              DataDeed 登记数据知识产权并签发可离线验证的证书。每一项事实都记录在公开、只追加的默克尔日志中，任何人都可审计。
              <br />
              DataDeed registers data intellectual property and issues certificates that verify offline. Every fact is an entry in a public, append-only Merkle log
              that anyone can audit.
            </p>
            <form method="get" action="/verify">
              <label for="q">验证证书编号或存证编号 Verify a certificate or deposit number</label>
              <input id="q" name="q" placeholder="DIP-2026-000001 / EV-2026-00000001" />
              <p>
                <button type="submit">验证 Verify</button>
              </p>
            </form>
          </div>
          <div class="card">
            <h2>透明日志 Transparency log</h2>
            <p class="mono">
              origin {ctx.config.origin} · size {cp?.size ?? 0} · root {cp ? toHex(cp.rootHash) : '—'}
            </p>
            <p>
              <a href="/checkpoint">/checkpoint</a> · <a href="/log">日志浏览 Log explorer</a> · <a href="/v1/keys">/v1/keys</a>
            </p>
          </div>
        </Layout>,
      ),
    );
  });

  app.get('/verify', (c) => {
    const q = (c.req.query('q') ?? '').trim().toUpperCase();
    if (NUMBER.test(q) && !q.startsWith('EV-')) return c.redirect(`/verify/${q}`);
    if (DEPOSIT.test(q)) return c.redirect(`/verify/evidence/${q}`);
    return c.html(
      page(
        <Layout title="验证 Verify" principal={c.get('principal')}>
          <h1>验证 Verify</h1>
          {q ? <p class="err">无法识别的编号 Not a certificate or deposit number: {q}</p> : null}
          <form class="card" method="get" action="/verify">
            <label for="q">证书编号或存证编号 Certificate or deposit number</label>
            <input id="q" name="q" value={q} placeholder="DIP-2026-000001" />
            <p>
              <button type="submit">验证 Verify</button>
            </p>
          </form>
          <p class="muted">离线验证 Offline: <code>datadeed verify &lt;file.pdf|bundle.json&gt; --key &lt;vkey&gt;</code></p>
        </Layout>,
      ),
    );
  });

  app.get('/verify/evidence/:id', async (c) => {
    const id = c.req.param('id');
    if (!DEPOSIT.test(id)) throw new RegistryError('deposit_not_found', 'not a deposit id');
    const { view } = await ctx.registry.evidence.get(null, id);
    return c.html(
      page(
        <Layout title={`存证 ${id}`} principal={c.get('principal')}>
          <h1>数据存证 Evidence deposit {id}</h1>
          <div class="card">
            <table>
              <tr>
                <th>数据指纹 Digest (SHA-256)</th>
                <td class="mono">{view.digest}</td>
              </tr>
              <tr>
                <th>类型 Kind</th>
                <td>{view.kind}</td>
              </tr>
              <tr>
                <th>存证时间 Deposited</th>
                <td>{view.depositedAt}</td>
              </tr>
              <tr>
                <th>日志位置 Log entry</th>
                <td>#{view.logIndex}</td>
              </tr>
            </table>
          </div>
          <VerifyPanel bundleUrl={`/v1/evidence/${id}/receipt`} />
        </Layout>,
      ),
    );
  });

  app.get('/verify/:number', async (c) => {
    const number = c.req.param('number');
    if (!NUMBER.test(number)) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const cert = await ctx.registry.certificates.get(number);
    const enc = await ctx.registry.encumbrances.current(number, ctx.clock.now().toISOString().slice(0, 10));
    const rows: [string, unknown][] = [
      ['登记编号 Registration No.', <strong>{cert.number}</strong>],
      ['状态 Status', <span class={`status ${cert.status}`}>{`${STATUS_ZH[cert.status] ?? ''} ${cert.status}`}</span>],
      ['数据持有人 Holder', `${cert.holder.name} (${cert.holder.uscc})`],
      ['数据名称 Dataset', cert.dataset.name],
      ['数据指纹 Manifest root', <span class="mono">{cert.dataset.manifestRoot}</span>],
      ['有效期 Valid', `${cert.validFrom.slice(0, 10)} — ${cert.validUntil.slice(0, 10)}`],
      ['签发 Issued', cert.issuedAt],
      ['版本 Version', `${cert.version}${cert.supersedes ? ` (supersedes ${cert.supersedes})` : ''}`],
    ];
    if (cert.supersededBy) rows.push(['已被取代 Superseded by', <a href={`/verify/${cert.supersededBy}`}>{cert.supersededBy}</a>]);
    return c.html(
      page(
        <Layout title={`证书 ${number}`} principal={c.get('principal')}>
          <h1>证书验证 Certificate {number}</h1>
          <div class="card">
            <table>
              {rows.map(([k, v]) => (
                <tr>
                  <th>{k}</th>
                  <td>{v as never}</td>
                </tr>
              ))}
            </table>
            <p>
              <a href={`/v1/certificates/${number}/pdf`}>PDF</a> · <a href={`/v1/certificates/${number}/bundle`}>{number}.datadeed.json</a> ·{' '}
              <a href={`/v1/certificates/${number}/history`}>历史 History</a>
            </p>
          </div>
          <div class="card">
            <h2>权利负担 Encumbrances</h2>
            {enc.pledges.length + enc.licences.length + enc.policies.length === 0 ? <p>无 None</p> : null}
            {enc.pledges.map((p) => (
              <p>
                质押 Pledge {p.pledgeNumber} · {p.term.start} — {p.term.end} · 日志 log #{p.logIndex}
              </p>
            ))}
            {enc.licences.map((l) => (
              <p>
                许可 Licence to {l.licensee} {l.exclusive ? '(独占 exclusive)' : ''} · {l.term.start} — {l.term.end} · log #{l.logIndex}
              </p>
            ))}
            {enc.policies.map((p) => (
              <p>
                保险 Insurance policy {p.policyNumber} ({p.coverageType}) · {p.term.start} — {p.term.end} · log #{p.logIndex}
              </p>
            ))}
          </div>
          <VerifyPanel bundleUrl={`/v1/certificates/${number}/bundle`} />
        </Layout>,
      ),
    );
  });

  app.get('/register', async (c) => {
    const list = await ctx.registry.certificates.list({ limit: 100, cursor: c.req.query('cursor') || undefined });
    return c.html(
      page(
        <Layout title="登记公告 Register" principal={c.get('principal')}>
          <h1>登记公告 Register of certificates</h1>
          <table class="card">
            <tr>
              <th>编号 No.</th>
              <th>数据 Dataset</th>
              <th>持有人 Holder</th>
              <th>状态 Status</th>
              <th>签发 Issued</th>
            </tr>
            {list.items.map((x) => (
              <tr>
                <td>
                  <a href={`/verify/${x.number}`}>{x.number}</a>
                </td>
                <td>{x.dataset.name}</td>
                <td>{x.holder.name}</td>
                <td>
                  <span class={`status ${x.status}`}>{x.status}</span>
                </td>
                <td>{x.issuedAt.slice(0, 10)}</td>
              </tr>
            ))}
          </table>
          {list.nextCursor ? <a href={`/register?cursor=${encodeURIComponent(list.nextCursor)}`}>下一页 Next →</a> : null}
        </Layout>,
      ),
    );
  });

  app.get('/notices', async (c) => {
    const list = await ctx.registry.applications.notices({ limit: 100, cursor: c.req.query('cursor') || undefined });
    return c.html(
      page(
        <Layout title="公示 Public notices" principal={c.get('principal')}>
          <h1>公示 Applications in public notice</h1>
          {list.items.length === 0 ? <p>暂无 None at present.</p> : null}
          {list.items.map((n) => (
            <div class="card">
              <h2>{n.datasetName}</h2>
              <p>
                持有人 Holder: {n.holder?.name} ({n.holder?.uscc}) · 公示期至 Notice until: {n.noticeEndsAt ?? '暂停 suspended (objection)'} · 摘要 digest{' '}
                <span class="mono">{n.digest}</span>
              </p>
              <details>
                <summary>提出异议 File an objection</summary>
                <form method="post" action={`/notices/${n.applicationId}/objections`}>
                  <div class="grid">
                    <div>
                      <label>姓名/单位 Name</label>
                      <input name="name" required maxlength={200} />
                    </div>
                    <div>
                      <label>联系方式 Contact</label>
                      <input name="contact" required maxlength={200} />
                    </div>
                  </div>
                  <label>理由 Grounds</label>
                  <textarea name="grounds" required minlength={10} maxlength={10000} rows={4}></textarea>
                  <label>证据哈希 Evidence SHA-256 (optional)</label>
                  <input name="evidenceHash" pattern="[0-9a-f]{64}" />
                  <p>
                    <button type="submit">提交异议 Submit objection</button>
                  </p>
                </form>
              </details>
            </div>
          ))}
        </Layout>,
      ),
    );
  });

  app.post('/notices/:id/objections', async (c) => {
    const form = await c.req.parseBody();
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
    const input = { name: str('name'), contact: str('contact'), grounds: str('grounds'), evidenceHash: str('evidenceHash') || undefined };
    const problems: string[] = [];
    if (!input.name || input.name.length > 200) problems.push('姓名 name');
    if (input.contact.length < 3 || input.contact.length > 200) problems.push('联系方式 contact');
    if (input.grounds.length < 10 || input.grounds.length > 10000) problems.push('理由 grounds (10+ characters)');
    if (input.evidenceHash && !/^[0-9a-f]{64}$/.test(input.evidenceHash)) problems.push('证据哈希 evidence hash');
    const id = c.req.param('id');
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RegistryError('application_not_found', 'no such notice');
    if (problems.length)
      return c.html(
        page(
          <Layout title="异议 Objection" principal={c.get('principal')}>
            <p class="err">请检查 Please check: {problems.join(', ')}</p>
            <a href="/notices">← 返回 Back</a>
          </Layout>,
        ),
        422,
      );
    const r = await ctx.registry.applications.fileObjection(id, input);
    return c.html(
      page(
        <Layout title="异议已提交 Objection filed" principal={c.get('principal')}>
          <h1>异议已提交 Objection filed</h1>
          <p>
            编号 Reference {r.id} · 日志 log entry #{r.logIndex}
          </p>
          <a href="/notices">← 返回 Back</a>
        </Layout>,
      ),
      201,
    );
  });

  app.get('/log', async (c) => {
    const cp = (await ctx.store.latestCheckpoint())!;
    const from = Math.max(0, cp.size - 50);
    const entries = await ctx.store.entries(from, cp.size);
    return c.html(
      page(
        <Layout title="日志 Log" principal={c.get('principal')}>
          <h1>透明日志 Transparency log</h1>
          <div class="card">
            <pre class="mono">{cp.note}</pre>
            <p class="muted">
              C2SP tlog-tiles: <code>/checkpoint</code>, <code>/tile/&lt;L&gt;/&lt;N&gt;</code>, <code>/tile/entries/&lt;N&gt;</code>. 审计 Audit:{' '}
              <code>datadeed audit</code>.
            </p>
          </div>
          <table class="card">
            <tr>
              <th>#</th>
              <th>类型 Kind</th>
              <th>时间 Time</th>
              <th>条目 Entry</th>
            </tr>
            {entries
              .map((e, i) => ({ i: from + i, ev: JSON.parse(new TextDecoder().decode(e)) as Record<string, unknown> }))
              .reverse()
              .map(({ i, ev }) => (
                <tr>
                  <td>
                    <a href={`/v1/log/entries/${i}`}>{i}</a>
                  </td>
                  <td>{String(ev.kind)}</td>
                  <td>{String(ev.time)}</td>
                  <td class="mono">{JSON.stringify(ev).slice(0, 160)}</td>
                </tr>
              ))}
          </table>
        </Layout>,
      ),
    );
  });
}

/** The in-browser verification panel: the bundle is checked by /assets/verify.js with the pure verifier. */
const VerifyPanel = ({ bundleUrl }: { bundleUrl: string }) => (
  <div class="card" data-verify="" data-bundle-url={bundleUrl}>
    <h2>在您的浏览器中验证 Verified in your browser</h2>
    <div data-results="">
      <p class="muted">正在验证签名与默克尔证明… Checking the signature and the Merkle proof… (需要 JavaScript / needs JavaScript)</p>
    </div>
    <script type="module" src="/assets/verify.js"></script>
  </div>
);
