/**
 * The client address that rate limits, the sign-in back-off and the objection limits are
 * counted by (issue 15, finding 7).
 *
 * - Without DATADEED_TRUST_PROXY: the socket's peer address. X-Forwarded-For is ignored —
 *   anyone can send it.
 * - With DATADEED_TRUST_PROXY=1 (one reverse proxy in front, which appends the address it
 *   saw to X-Forwarded-For): the **last** X-Forwarded-For address. Earlier ones were sent by
 *   the client and are not trusted. Without the header, the socket's address.
 *
 * An IPv6 address counts by its /64 prefix (one host usually holds a whole /64); an
 * IPv4-mapped IPv6 address counts as its IPv4 address.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** What `c`'s peer is, as a key for counting: see the module comment. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = c.req.header('x-forwarded-for')?.split(',');
    const last = hops?.[hops.length - 1]?.trim();
    if (last) return addressKey(last);
  }
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    remote = undefined; // in-process requests (app.request) have no socket
  }
  return remote ? addressKey(remote) : 'unknown';
}

/** The counting key of an address: IPv4 as is, IPv6 by its /64, anything else bounded as sent. */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1]!;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(a)) return a;
  if (a.includes(':') && /^[0-9a-f:.%a-z]+$/.test(a)) {
    const groups = expandIpv6(a.split('%')[0]!);
    if (groups) return `${groups.slice(0, 4).join(':')}::/64`;
  }
  return a.slice(0, 64) || 'unknown';
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two), or undefined. */
function expandIpv6(a: string): string[] | undefined {
  let s = a;
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [b1, b2, b3, b4] = v4.slice(1).map(Number) as [number, number, number, number];
    s = s.slice(0, v4.index) + ((b1 << 8) | b2).toString(16) + ':' + ((b3 << 8) | b4).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16).toString(16));
}
