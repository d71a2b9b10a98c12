/**
 * Registry statistics as registries publish them (applications by state, certificates
 * issued / in force / revoked / expired, pledges and releases, licences, transfers, insured
 * firms; by month, industry and region), computed from the log alone by the pure replay
 * (src/state): anyone holding the first `treeSize` entries recomputes the same figures.
 * Pure: no clock (the state's "now" is the newest entry's time), no I/O.
 *
 * - **Flow** figures (issued, recorded, released, …, and the monthly, industry and region
 *   tables) count entries whose time falls in the period (dates in the registry's time
 *   zone, both ends included; no period: every entry).
 * - **Stock** figures (applications by state, certificates in force, pledged, revoked,
 *   expired …, current pledges, insured firms) are the state after the last entry.
 * - Amounts are not in the log (only their commitments): they are not here; the registry
 *   states them separately, signed (src/api/statistics.ts).
 * - Industry: the GB/T 4754 code `application.submitted` logs (its section letter); a
 *   transfer keeps its predecessor's. Region: the province of the holder's 统一社会信用代码.
 */
import { applyEntry, emptyState, type RegistryState, type ReplayEntry } from '../state/index.ts';
import { localTime } from '../time.ts';
import { provinceOfUscc } from './regions.ts';

export const STATISTICS_FORMAT = 'datadeed-statistics/1';

/** The flow figures of one bucket (a month, an industry section, a province). */
export interface FlowFigures {
  applications: number;
  certificates: number;
  pledges: number;
  releases: number;
  licences: number;
  transfers: number;
  policies: number;
}

export interface Statistics {
  format: typeof STATISTICS_FORMAT;
  /** Entries replayed: the checkpoint's tree size. */
  treeSize: number;
  /** The newest entry's time (the state's "now"), or null for an empty log. */
  asOf: string | null;
  timeZone: string;
  period: { from: string | null; to: string | null };
  applications: { submitted: number; byState: Record<string, number> };
  certificates: {
    issued: number;
    initial: number;
    changes: number;
    renewals: number;
    transfers: number;
    inForce: number;
    pledged: number;
    revoked: number;
    cancelled: number;
    expired: number;
    superseded: number;
  };
  pledges: { recorded: number; released: number; current: number; pledgedFirms: number };
  licences: { recorded: number; exclusive: number };
  insurance: { policies: number; insuredFirms: number };
  byMonth: ({ month: string } & FlowFigures)[];
  byIndustry: ({ section: string } & FlowFigures)[];
  byRegion: ({ province: string } & FlowFigures)[];
  /** Entries the replay found out of the rules (they are counted as the log says). */
  anomalies: number;
}

const emptyFlow = (): FlowFigures => ({ applications: 0, certificates: 0, pledges: 0, releases: 0, licences: 0, transfers: 0, policies: 0 });

export interface StatisticsOptions {
  timeZone: string;
  /** Dates `YYYY-MM-DD` in the registry's time zone (both included). */
  from?: string;
  to?: string;
}

/** Computes the statistics of a log from its entries (index 0 onward, in order). */
export function computeStatistics(entries: Iterable<ReplayEntry>, opts: StatisticsOptions): Statistics {
  const s = emptyState();
  const months = new Map<string, FlowFigures>();
  const industries = new Map<string, FlowFigures>();
  const regions = new Map<string, FlowFigures>();
  const flow = { submitted: 0, issued: 0, initial: 0, changes: 0, renewals: 0, transfers: 0, pledges: 0, releases: 0, licences: 0, exclusive: 0, policies: 0 };
  const decoder = new TextDecoder();

  for (const e of entries) {
    const found = applyEntry(s, e);
    if (found.some((a) => a.code === 'malformed_entry')) continue;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(decoder.decode(e.data)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const time = ev.time as string;
    const day = localTime(new Date(time), opts.timeZone).date;
    if ((opts.from && day < opts.from) || (opts.to && day > opts.to)) continue;
    const bucket = bucketOf(s, ev);
    if (!bucket) continue;
    const { field, number, uscc } = bucket;
    const bump = (m: Map<string, FlowFigures>, key: string) => {
      const f = m.get(key) ?? emptyFlow();
      f[field]++;
      m.set(key, f);
    };
    bump(months, day.slice(0, 7));
    const cert = number ? s.certificates.get(number) : undefined;
    const industry = bucket.industry ?? (cert ? industryOf(s, cert.number) : null);
    bump(industries, industry ? industry.slice(0, 1) : '?');
    const holderUscc = uscc ?? cert?.holderUscc;
    bump(regions, holderUscc ? provinceOfUscc(holderUscc) : '00');
    switch (field) {
      case 'applications':
        flow.submitted++;
        break;
      case 'certificates': {
        flow.issued++;
        const b = cert?.basis;
        if (b === 'initial') flow.initial++;
        else if (b === 'change') flow.changes++;
        else if (b === 'renewal') flow.renewals++;
        break;
      }
      case 'transfers':
        flow.issued++;
        flow.transfers++;
        break;
      case 'pledges':
        flow.pledges++;
        break;
      case 'releases':
        flow.releases++;
        break;
      case 'licences':
        flow.licences++;
        if (ev.exclusive === true) flow.exclusive++;
        break;
      case 'policies':
        flow.policies++;
        break;
    }
  }

  // the stock at the last entry
  const asOf = s.lastTime;
  const now = asOf === null ? 0 : Date.parse(asOf);
  const byState: Record<string, number> = {};
  for (const [, a] of s.applications.entries()) byState[a.state] = (byState[a.state] ?? 0) + 1;
  const certs = { inForce: 0, pledged: 0, revoked: 0, cancelled: 0, expired: 0, superseded: 0 };
  for (const [, c] of s.certificates.entries()) {
    const live = c.status === 'active' || c.status === 'pledged';
    if (live && Date.parse(c.validUntil) <= now) certs.expired++;
    else if (live) {
      certs.inForce++;
      if (c.status === 'pledged') certs.pledged++;
    } else if (c.status === 'revoked') certs.revoked++;
    else if (c.status === 'cancelled') certs.cancelled++;
    else if (c.status === 'expired') certs.expired++;
    else if (c.status === 'superseded') certs.superseded++;
  }
  let current = 0;
  const pledgedFirms = new Set<string>();
  for (const [, p] of s.pledges.entries()) {
    if (p.state !== 'recorded') continue;
    current++;
    const c = s.certificates.get(p.certificate);
    if (c) pledgedFirms.add(c.holderUscc);
  }
  const insured = new Set<string>();
  let policies = 0;
  for (const [, p] of s.policies.entries()) {
    policies++;
    const c = s.certificates.get(p.certificate);
    if (c) insured.add(c.holderUscc);
  }
  const sorted = <K extends string>(m: Map<string, FlowFigures>, key: K) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, f]) => ({ [key]: k, ...f }) as { [P in K]: string } & FlowFigures);

  return {
    format: STATISTICS_FORMAT,
    treeSize: s.size,
    asOf,
    timeZone: opts.timeZone,
    period: { from: opts.from ?? null, to: opts.to ?? null },
    applications: { submitted: flow.submitted, byState: sortKeys(byState) },
    certificates: { issued: flow.issued, initial: flow.initial, changes: flow.changes, renewals: flow.renewals, transfers: flow.transfers, ...certs },
    pledges: { recorded: flow.pledges, released: flow.releases, current, pledgedFirms: pledgedFirms.size },
    licences: { recorded: flow.licences, exclusive: flow.exclusive },
    insurance: { policies, insuredFirms: insured.size },
    byMonth: sorted(months, 'month'),
    byIndustry: sorted(industries, 'section'),
    byRegion: sorted(regions, 'province'),
    anomalies: s.anomalies.length,
  };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Which flow an entry counts in, with the certificate, holder or industry it is about. */
function bucketOf(s: RegistryState, ev: Record<string, unknown>): { field: keyof FlowFigures; number?: string; uscc?: string; industry?: string | null } | undefined {
  switch (ev.kind) {
    case 'application.submitted': {
      if (ev.version !== 1) return undefined;
      const a = s.applications.get(ev.applicationId as string);
      const org = a?.applicant ? s.organisations.get(a.applicant) : undefined;
      return { field: 'applications', ...(org?.uscc ? { uscc: org.uscc } : {}), industry: a?.industry ?? null };
    }
    case 'certificate.issued':
      return { field: s.certificates.get(ev.number as string)?.basis === 'transfer' ? 'transfers' : 'certificates', number: ev.number as string };
    case 'pledge.recorded':
      return { field: 'pledges', number: ev.number as string };
    case 'pledge.released':
      return { field: 'releases', number: ev.number as string };
    case 'licence.recorded':
      return { field: 'licences', number: ev.number as string };
    case 'insurance.recorded':
      return { field: 'policies', number: ev.number as string };
    default:
      return undefined;
  }
}

/** The industry of a certificate: its application's logged code, else its predecessor's. */
function industryOf(s: RegistryState, number: string): string | null {
  for (let n: string | null = number, hops = 0; n !== null && hops < 1000; hops++) {
    const c = s.certificates.get(n);
    if (!c) return null;
    const a = c.applicationId ? s.applications.get(c.applicationId) : undefined;
    if (a?.industry) return a.industry;
    n = c.supersedes;
  }
  return null;
}
