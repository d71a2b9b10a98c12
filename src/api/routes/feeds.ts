/**
 * `/notices.atom`: an Atom (RFC 4287) feed of the applications in public notice (公示),
 * newest first, searchable like /v1/notices (`?industry=I65`, `?uscc=…`, `?name=…`), so a
 * right-holder's feed reader shows a conflicting filing while objections are open.
 */
import type { Hono } from 'hono';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { searchOf } from '../schemas.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function registerFeedRoutes(app: Hono<AppEnv>, ctx: Pick<ApiServices, 'registry' | 'settings' | 'clock'>): void {
  app.get('/notices.atom', async (c) => {
    const search = searchOf(c.req.query());
    // the notices list pages oldest first: read them all (a notice lasts ~10 working days, the list is short) and show the newest 100
    const items: Awaited<ReturnType<ApiServices['registry']['applications']['notices']>>['items'] = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.registry.applications.notices({ limit: 200, cursor, search });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < 10_000);
    const newest = items.reverse().slice(0, 100);
    const base = ctx.settings.publicUrl;
    const self = `${base}/notices.atom${c.req.url.includes('?') ? `?${c.req.url.split('?')[1]}` : ''}`;
    const updated = newest[0]?.noticeStartedAt ?? ctx.clock.now().toISOString();
    const entries = newest.map((n) => {
      const ends = n.noticeEndsAt ? `公示截止 / notice ends ${n.noticeEndsAt}` : '异议审查中，公示暂停 / suspended: objection under review';
      const summary = `${n.holder?.name ?? ''} (${n.holder?.uscc ?? ''}) · ${n.industry ?? ''} · ${ends} · manifest ${n.manifest?.root ?? ''}`;
      return `  <entry>
    <id>urn:datadeed:${esc(ctx.settings.origin)}:notice:${n.applicationId}:${n.version}</id>
    <title>${esc(n.datasetName ?? n.applicationId)}</title>
    <updated>${n.noticeStartedAt}</updated>
    <link rel="alternate" href="${esc(`${base}/notices#n-${n.applicationId}`)}"/>
    <link rel="related" href="${esc(`${base}/notices/${n.applicationId}/objections`)}" title="异议 / object"/>
    <category term="${esc(n.industry ?? '')}" scheme="GB/T 4754"/>
    <author><name>${esc(n.holder?.name ?? '')}</name></author>
    <summary>${esc(summary)}</summary>
  </entry>`;
    });
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>urn:datadeed:${esc(ctx.settings.origin)}:notices</id>
  <title>${esc(ctx.settings.authority.zh)} 数据知识产权登记公示 / Public notices</title>
  <updated>${updated}</updated>
  <link rel="self" href="${esc(self)}"/>
  <link rel="alternate" href="${esc(`${base}/notices`)}"/>
  <author><name>${esc(ctx.settings.authority.zh)}</name></author>
${entries.join('\n')}
</feed>
`;
    return c.body(xml, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'no-cache' });
  });
}
