/**
 * What every page renders with: the language and its messages, the signed-in person, the
 * registry's time zone and authority, and the address of the page (for the language switch
 * and paging links). Built once per request by {@link viewOf}.
 */
import type { Context } from 'hono';
import type { Principal } from '../../accounts/pg/index.ts';
import type { AppEnv } from '../auth.ts';
import type { ApiSettings } from '../services.ts';
import { RegistryError } from '../../registry/index.ts';
import { formatDate, formatDateTime, nameOf, t, type Lang, type MessageKey, NAMES } from './i18n.ts';

/** The settings pages show. */
export type PageSettings = Pick<ApiSettings, 'timeZone' | 'authority' | 'origin' | 'publicUrl'>;

export interface View {
  lang: Lang;
  /** A message of the catalogue in the page's language. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** The name of an enumeration's value (a state, an action, a role …). */
  name(kind: keyof typeof NAMES, value: string | null | undefined): string;
  /** An instant as `YYYY-MM-DD HH:mm` in the registry's zone. */
  dt(at: string | Date | null | undefined): string;
  /** An instant as a date in the registry's zone. */
  d(at: string | Date | null | undefined): string;
  principal: Principal | null;
  /** The page's path and query (without `lang`). */
  here: URL;
  settings: PageSettings;
  /** The authority's name in the page's language. */
  authority: string;
}

export function makeView(lang: Lang, principal: Principal | null, here: URL, settings: PageSettings): View {
  return {
    lang,
    t: (key, params) => t(lang, key, params),
    name: (kind, value) => nameOf(lang, kind, value),
    dt: (at) => formatDateTime(at, settings.timeZone),
    d: (at) => formatDate(at, settings.timeZone),
    principal,
    here,
    settings,
    authority: lang === 'zh' ? settings.authority.zh : settings.authority.en,
  };
}

/** The view of a page request (the language was chosen by the app's middleware). */
export function viewOf(c: Context<AppEnv>, settings: PageSettings): View {
  const here = new URL(c.req.url);
  here.searchParams.delete('lang');
  return makeView(c.get('lang') ?? 'zh', c.get('principal') ?? null, here, settings);
}

/** `url` with the query parameters of `params` set (undefined or '' removes one), as a path and query. */
export function withQuery(url: URL, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  return u.pathname + u.search;
}

/**
 * The signed-in person, who must hold one of `roles`.
 * @throws RegistryError `unauthenticated` (the error boundary sends a browser to sign in) or `forbidden`.
 */
export function signedIn(v: View, ...roles: Principal['role'][]): Principal {
  if (!v.principal) throw new RegistryError('unauthenticated', 'sign in first');
  if (roles.length && !roles.includes(v.principal.role)) throw new RegistryError('forbidden', `this page is for the role ${roles.join(' or ')}`);
  return v.principal;
}
