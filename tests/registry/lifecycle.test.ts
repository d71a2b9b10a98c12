/**
 * The state machines, table-driven: the allowed transitions are written out here
 * from DESIGN §2 (not derived from the implementation's table), and every other
 * combination of state × action × actor × kind must be refused with its code.
 */
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_ACTIONS,
  APPLICATION_KINDS,
  APPLICATION_STATES,
  CERTIFICATE_ACTIONS,
  CERTIFICATE_STATUSES,
  effectiveCertificateStatus,
  nextApplicationState,
  nextCertificateStatus,
  noticeElapsed,
  renewalOpen,
  stateAfterDismissal,
  type Actor,
} from '../../src/registry/lifecycle.ts';
import { RegistryError } from '../../src/registry/index.ts';

const ACTORS: Actor[] = ['applicant', 'reviewer', 'public', 'system'];
const ALL_KINDS = ['initial', 'change', 'renewal'] as const;

// [from, action, actor, kinds, to]
const ALLOWED: [string, string, Actor, readonly string[], string][] = [
  ['draft', 'submit', 'applicant', ALL_KINDS, 'submitted'],
  ['changes_requested', 'submit', 'applicant', ALL_KINDS, 'submitted'],
  ['draft', 'withdraw', 'applicant', ALL_KINDS, 'withdrawn'],
  ['submitted', 'withdraw', 'applicant', ALL_KINDS, 'withdrawn'],
  ['changes_requested', 'withdraw', 'applicant', ALL_KINDS, 'withdrawn'],
  ['submitted', 'claim', 'reviewer', ALL_KINDS, 'in_review'],
  ['in_review', 'request_changes', 'reviewer', ALL_KINDS, 'changes_requested'],
  ['in_review', 'reject', 'reviewer', ALL_KINDS, 'rejected'],
  ['in_review', 'open_notice', 'reviewer', ['initial', 'change'], 'public_notice'],
  ['public_notice', 'file_objection', 'public', ['initial', 'change'], 'objection'],
  ['objection', 'file_objection', 'public', ['initial', 'change'], 'objection'],
  ['objection', 'dismiss_objection', 'reviewer', ['initial', 'change'], 'public_notice'],
  ['objection', 'uphold_objection', 'reviewer', ['initial', 'change'], 'rejected'],
  ['public_notice', 'approve', 'system', ['initial', 'change'], 'approved'],
  ['public_notice', 'approve', 'reviewer', ['initial', 'change'], 'approved'],
  ['in_review', 'approve', 'reviewer', ['renewal'], 'approved'],
  ['in_review', 'approve', 'system', ['renewal'], 'approved'],
];

// Renewals never enter public notice, so nothing about objections applies to them.

describe('application state machine', () => {
  const cases: [string, string, Actor, string, string | null][] = [];
  for (const s of APPLICATION_STATES)
    for (const a of APPLICATION_ACTIONS)
      for (const actor of ACTORS)
        for (const k of APPLICATION_KINDS) {
          const rule = ALLOWED.find(([f, act, who, kinds]) => f === s && act === a && who === actor && kinds.includes(k));
          cases.push([s, a, actor, k, rule ? rule[4] : null]);
        }

  it('covers every combination', () => {
    expect(cases.length).toBe(APPLICATION_STATES.length * APPLICATION_ACTIONS.length * ACTORS.length * APPLICATION_KINDS.length);
  });

  it.each(cases)('%s —%s by %s (%s) → %s', (state, action, actor, kind, to) => {
    const run = () => nextApplicationState(state as never, action as never, actor, kind as never);
    if (to === null) {
      expect(run).toThrow(RegistryError);
      try {
        run();
      } catch (e) {
        expect((e as RegistryError).code).toBe('illegal_transition');
      }
    } else {
      expect(run()).toBe(to);
    }
  });

  it('a dismissal leads back to public notice only when no other objection is open', () => {
    expect(stateAfterDismissal(0)).toBe('public_notice');
    expect(stateAfterDismissal(1)).toBe('objection');
    expect(stateAfterDismissal(19)).toBe('objection');
  });

  it('notice elapsed exactly at its end', () => {
    const end = new Date('2026-02-10T00:00:00Z');
    expect(noticeElapsed(end, new Date('2026-02-09T23:59:59.999Z'))).toBe(false);
    expect(noticeElapsed(end, end)).toBe(true);
    expect(noticeElapsed(null, end)).toBe(false);
  });
});

// [from, action, to | error code]
const CERT: [string, string, string][] = [
  ['active', 'pledge', 'pledged'],
  ['pledged', 'release', 'active'],
  ['active', 'revoke', 'revoked'],
  ['pledged', 'revoke', 'revoked'],
  ['active', 'cancel', 'cancelled'],
  ['active', 'expire', 'expired'],
  ['active', 'supersede', 'superseded'],
  ['pledged', 'supersede', 'superseded'],
  ['pledged', 'pledge', '!certificate_already_pledged'],
  ['pledged', 'cancel', '!certificate_pledged'],
];

describe('certificate state machine', () => {
  const cases: [string, string, string][] = [];
  for (const s of CERTIFICATE_STATUSES)
    for (const a of CERTIFICATE_ACTIONS) cases.push([s, a, CERT.find(([f, act]) => f === s && act === a)?.[2] ?? '!illegal_transition']);

  it.each(cases)('%s —%s→ %s', (status, action, expected) => {
    if (expected.startsWith('!')) {
      let code: string | undefined;
      try {
        nextCertificateStatus(status as never, action as never);
      } catch (e) {
        code = (e as RegistryError).code;
      }
      expect(code).toBe(expected.slice(1));
    } else expect(nextCertificateStatus(status as never, action as never)).toBe(expected);
  });

  it('reads an active or pledged certificate past its validity as expired', () => {
    const until = new Date('2029-01-01T00:00:00Z');
    expect(effectiveCertificateStatus('active', until, new Date('2028-12-31T23:59:59Z'))).toBe('active');
    expect(effectiveCertificateStatus('active', until, until)).toBe('expired');
    expect(effectiveCertificateStatus('pledged', until, until)).toBe('expired');
    expect(effectiveCertificateStatus('revoked', until, until)).toBe('revoked');
  });

  it('opens renewal in the last 90 days of validity only', () => {
    const until = new Date('2029-01-01T00:00:00Z');
    expect(renewalOpen(until, new Date('2028-10-02T23:59:59Z'))).toBe(false);
    expect(renewalOpen(until, new Date('2028-10-03T00:00:00Z'))).toBe(true);
    expect(renewalOpen(until, new Date('2028-12-31T23:59:59Z'))).toBe(true);
    expect(renewalOpen(until, until)).toBe(false);
  });
});
