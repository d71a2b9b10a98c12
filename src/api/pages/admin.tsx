/**
 * The administrator's pages: organisations, users (created with a password, so they can
 * sign in; disabled with a confirmation), API tokens (shown once; revoked with a
 * confirmation), and the log's published signing keys. The same account commands and
 * rules as the admin API and `datadeed orgs|users|tokens`.
 */
import type { Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { Layout, page, Time } from './layout.tsx';
import { signedIn, viewOf, type View } from './view.ts';
import { ConfirmForm, emptyForm, ErrorSummary, Field, Flash, formText, refusalOf, SelectField, TableWrap, type FormState } from './ui.tsx';
import { ORG_KINDS, ROLES } from '../../accounts/index.ts';
import { AccountError } from '../../accounts/index.ts';

type Ctx = Pick<ApiServices, 'accounts' | 'settings' | 'keys'>;

const AdminNav: FC<{ v: View }> = ({ v }) => (
  <nav class="row card" aria-label={v.t('nav.dashboard')}>
    <a href="/admin/organisations">{v.t('admin.orgs')}</a>
    <a href="/admin/users">{v.t('admin.users')}</a>
    <a href="/admin/tokens">{v.t('admin.tokens')}</a>
    <a href="/admin/keys">{v.t('admin.keys')}</a>
    <a href="/queue">{v.t('queue.title')}</a>
  </nav>
);

export function registerAdminPages(app: Hono<AppEnv>, ctx: Ctx): void {
  const accounts = ctx.accounts;

  app.get('/admin', (c) => c.redirect('/admin/organisations', 303));

  // ── organisations ──
  const orgsPage = async (c: Context<AppEnv>, f: FormState, status = 200, flash?: string) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const orgs = await accounts.listOrganisations();
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.orgs')}>
          <h1>{v.t('admin.orgs')}</h1>
          <AdminNav v={v} />
          <Flash text={flash} />
          <TableWrap label={v.t('admin.orgs')}>
            <table class="card" data-organisations="">
              <tr>
                <th scope="col">{v.t('admin.orgName')}</th>
                <th scope="col">{v.t('admin.orgKind')}</th>
                <th scope="col">{v.t('app.holderUscc')}</th>
                <th scope="col">ID</th>
              </tr>
              {orgs.map((o) => (
                <tr>
                  <td>{o.name}</td>
                  <td>{v.name('orgKind', o.kind)}</td>
                  <td class="mono">{o.uscc ?? '—'}</td>
                  <td class="mono">{o.id}</td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <form method="post" action="/admin/organisations" class="card" novalidate>
            <h2>{v.t('admin.addOrg')}</h2>
            <ErrorSummary v={v} f={f} labels={{ name: 'name', kind: 'kind', uscc: 'uscc' }} />
            <Field v={v} f={f} name="name" label={v.t('admin.orgName')} required maxlength={200} />
            <div class="grid">
              <SelectField v={v} f={f} name="kind" label={v.t('admin.orgKind')} required options={ORG_KINDS.map((k) => ({ value: k, label: v.name('orgKind', k) }))} />
              <div>
                <Field v={v} f={f} name="uscc" label={v.t('admin.orgUscc')} maxlength={18} data={{ uscc: '' }} />
                <p id="f-uscc-live" class="hint" aria-live="polite" data-uscc-status=""></p>
              </div>
            </div>
            <p>
              <button type="submit">{v.t('admin.addOrg')}</button>
            </p>
            <script src="/assets/forms.js"></script>
          </form>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/admin/organisations', (c) => orgsPage(c, emptyForm()));

  app.post('/admin/organisations', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(['name', 'kind', 'uscc'].map((k) => [k, formText(b, k) ?? '']));
    try {
      if (values.kind === 'enterprise' && !values.uscc!.trim())
        throw new AccountError('invalid_field', 'an enterprise needs its 统一社会信用代码', [{ path: 'uscc', message: 'required for an enterprise' }]);
      await accounts.createOrganisation({ name: values.name!, kind: values.kind as never, uscc: values.uscc!.trim() || undefined });
    } catch (err) {
      const r = refusalOf(v, err, values);
      if (r.form.code === 'duplicate_uscc') r.form.errors.uscc = r.form.message ?? '';
      return orgsPage(c, r.form, r.status);
    }
    return orgsPage(c, emptyForm(), 201, v.t('admin.created'));
  });

  // ── users ──
  const usersPage = async (c: Context<AppEnv>, f: FormState, status = 200, flash?: string) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const [orgs, users] = await Promise.all([accounts.listOrganisations(), accounts.listUsers()]);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.users')}>
          <h1>{v.t('admin.users')}</h1>
          <AdminNav v={v} />
          <Flash text={flash} />
          <TableWrap label={v.t('admin.users')}>
            <table class="card" data-users="">
              <tr>
                <th scope="col">{v.t('admin.username')}</th>
                <th scope="col">{v.t('admin.displayName')}</th>
                <th scope="col">{v.t('admin.role')}</th>
                <th scope="col">{v.t('admin.org')}</th>
                <th scope="col">{v.t('common.state')}</th>
                <th scope="col">{v.t('common.actions')}</th>
              </tr>
              {users.map((u) => (
                <tr>
                  <td class="mono">{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>{v.name('role', u.role)}</td>
                  <td>{orgName.get(u.orgId) ?? u.orgId}</td>
                  <td>{u.disabled ? v.t('admin.disabled') : v.t('admin.active')}</td>
                  <td>{u.disabled ? null : <a href={`/admin/users/${u.id}/disable`}>{v.t('admin.disable')}</a>}</td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <form method="post" action="/admin/users" class="card" novalidate>
            <h2>{v.t('admin.addUser')}</h2>
            <ErrorSummary v={v} f={f} labels={{ orgId: 'orgId', username: 'username', displayName: 'displayName', role: 'role', password: 'password' }} />
            <div class="grid">
              <SelectField v={v} f={f} name="orgId" label={v.t('admin.org')} required options={orgs.map((o) => ({ value: o.id, label: `${o.name} (${v.name('orgKind', o.kind)})` }))} />
              <SelectField v={v} f={f} name="role" label={v.t('admin.role')} required options={ROLES.map((r) => ({ value: r, label: v.name('role', r) }))} />
              <Field v={v} f={f} name="username" label={v.t('admin.username')} required autocomplete="off" />
              <Field v={v} f={f} name="displayName" label={v.t('admin.displayName')} required maxlength={200} />
              <Field v={v} f={f} name="password" type="password" label={v.t('admin.password')} required autocomplete="new-password" value="" />
            </div>
            <p>
              <button type="submit">{v.t('admin.addUser')}</button>
            </p>
          </form>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/admin/users', (c) => usersPage(c, emptyForm()));

  app.post('/admin/users', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(['orgId', 'role', 'username', 'displayName'].map((k) => [k, formText(b, k) ?? '']));
    const password = formText(b, 'password') ?? '';
    try {
      // a user made here always has a password: one who cannot sign in is not made by accident
      if (!password) throw new AccountError('invalid_field', 'the user needs a password', [{ path: 'password', message: 'must have at least 12 characters' }]);
      await accounts.createUser({ orgId: values.orgId!, role: values.role as never, username: values.username!.trim(), displayName: values.displayName!.trim(), password });
    } catch (err) {
      const r = refusalOf(v, err, values);
      if (r.form.code === 'duplicate_username') r.form.errors.username = r.form.message ?? '';
      if (r.form.code === 'organisation_not_found') r.form.errors.orgId = r.form.message ?? '';
      return usersPage(c, r.form, r.status);
    }
    return usersPage(c, emptyForm(), 201, v.t('admin.created'));
  });

  app.get('/admin/users/:id/disable', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const u = (await accounts.listUsers()).find((x) => x.id === c.req.param('id'));
    if (!u) throw new AccountError('user_not_found', 'no such user');
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.disableTitle')}>
          <h1>{v.t('admin.disableTitle')}</h1>
          <ConfirmForm v={v} action={`/admin/users/${u.id}/disable`} submit={v.t('admin.disable')} cancel="/admin/users" danger>
            <p>{v.t('admin.disableText', { user: `${u.displayName} (${u.username})` })}</p>
          </ConfirmForm>
        </Layout>,
      ),
    );
  });

  app.post('/admin/users/:id/disable', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const id = c.req.param('id');
    if (!(await accounts.listUsers()).some((x) => x.id === id)) throw new AccountError('user_not_found', 'no such user');
    await accounts.setUserDisabled(id, true);
    return c.redirect('/admin/users', 303);
  });

  // ── API tokens ──
  const tokensPage = async (c: Context<AppEnv>, f: FormState, status = 200, created?: { token: string; name: string }) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const [users, tokens] = await Promise.all([accounts.listUsers(), accounts.listTokens()]);
    const userName = new Map(users.map((u) => [u.id, u.username]));
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.tokens')}>
          <h1>{v.t('admin.tokens')}</h1>
          <AdminNav v={v} />
          {created ? (
            <div class="flash" role="status">
              <p class="flush">{v.t('admin.tokenShown')}</p>
              <p class="mono" data-new-token="">
                {created.token}
              </p>
            </div>
          ) : null}
          <TableWrap label={v.t('admin.tokens')}>
            <table class="card" data-tokens="">
              <tr>
                <th scope="col">{v.t('admin.tokenName')}</th>
                <th scope="col">{v.t('admin.username')}</th>
                <th scope="col">{v.t('common.created')}</th>
                <th scope="col">{v.t('admin.lastUsed')}</th>
                <th scope="col">{v.t('common.state')}</th>
                <th scope="col">{v.t('common.actions')}</th>
              </tr>
              {tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td class="mono">{userName.get(t.userId) ?? t.userId}</td>
                  <td>
                    <Time v={v} at={t.createdAt} />
                  </td>
                  <td>{t.lastUsedAt ? <Time v={v} at={t.lastUsedAt} /> : v.t('admin.never')}</td>
                  <td>{t.revokedAt ? v.t('admin.revoked') : v.t('admin.active')}</td>
                  <td>{t.revokedAt ? null : <a href={`/admin/tokens/${t.id}/revoke`}>{v.t('admin.revoke')}</a>}</td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <form method="post" action="/admin/tokens" class="card" novalidate>
            <h2>{v.t('admin.createToken')}</h2>
            <ErrorSummary v={v} f={f} labels={{ userId: 'userId', name: 'name' }} />
            <div class="grid">
              <SelectField v={v} f={f} name="userId" label={v.t('admin.tokenUser')} required options={users.filter((u) => !u.disabled).map((u) => ({ value: u.id, label: `${u.username} (${v.name('role', u.role)})` }))} />
              <Field v={v} f={f} name="name" label={v.t('admin.tokenName')} required maxlength={100} />
            </div>
            <p>
              <button type="submit">{v.t('admin.createToken')}</button>
            </p>
          </form>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/admin/tokens', (c) => tokensPage(c, emptyForm()));

  app.post('/admin/tokens', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const b = await c.req.parseBody();
    const values = Object.fromEntries(['userId', 'name'].map((k) => [k, formText(b, k) ?? '']));
    try {
      const t = await accounts.createToken({ userId: values.userId!, name: values.name!.trim() });
      return tokensPage(c, emptyForm(), 201, { token: t.token, name: t.name });
    } catch (err) {
      const r = refusalOf(v, err, values);
      if (r.form.code === 'user_not_found') r.form.errors.userId = r.form.message ?? '';
      return tokensPage(c, r.form, r.status);
    }
  });

  app.get('/admin/tokens/:id/revoke', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const t = (await accounts.listTokens()).find((x) => x.id === c.req.param('id') && !x.revokedAt);
    if (!t) throw new AccountError('token_not_found', 'no such active token');
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.revokeTitle')}>
          <h1>{v.t('admin.revokeTitle')}</h1>
          <ConfirmForm v={v} action={`/admin/tokens/${t.id}/revoke`} submit={v.t('admin.revoke')} cancel="/admin/tokens" danger>
            <p>{v.t('admin.revokeText', { name: t.name })}</p>
          </ConfirmForm>
        </Layout>,
      ),
    );
  });

  app.post('/admin/tokens/:id/revoke', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    await accounts.revokeToken(c.req.param('id'));
    return c.redirect('/admin/tokens', 303);
  });

  // ── keys ──
  app.get('/admin/keys', async (c) => {
    const v = viewOf(c, ctx.settings);
    signedIn(v, 'admin');
    const keys = await ctx.keys.published();
    return c.html(
      page(
        <Layout v={v} title={v.t('admin.keys')}>
          <h1>{v.t('admin.keys')}</h1>
          <AdminNav v={v} />
          <TableWrap label={v.t('admin.keys')}>
            <table class="card" data-keys="">
              <tr>
                <th scope="col">{v.t('admin.keyId')}</th>
                <th scope="col">{v.t('admin.purpose')}</th>
                <th scope="col">{v.t('admin.validFrom')}</th>
                <th scope="col">{v.t('admin.validUntil')}</th>
                <th scope="col">{v.t('verify.logPosition')}</th>
              </tr>
              {keys.map((k) => (
                <tr>
                  <td class="mono">{k.keyId}</td>
                  <td>{v.name('keyPurpose', String(k.purpose))}</td>
                  <td>
                    <Time v={v} at={k.validFrom} />
                  </td>
                  <td>{k.validUntil ? <Time v={v} at={k.validUntil} /> : '—'}</td>
                  <td>{k.logIndex !== null ? <a href={`/log/entries/${k.logIndex}`}>#{k.logIndex}</a> : '—'}</td>
                </tr>
              ))}
            </table>
          </TableWrap>
          <p>{v.t('admin.rotateHint', { command: 'datadeed keys rotate' })}</p>
        </Layout>,
      ),
    );
  });
}
