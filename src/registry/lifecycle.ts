/**
 * The registry's state machines (DESIGN §2), pure: every transition of an
 * application or a certificate is checked here and only here. An illegal one
 * throws RegistryError('illegal_transition') naming the action and the state.
 */
import { RegistryError } from './errors.ts';

export const APPLICATION_STATES = [
  'draft',
  'submitted',
  'in_review',
  'changes_requested',
  'public_notice',
  'objection',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const APPLICATION_KINDS = ['initial', 'change', 'renewal'] as const;
export type ApplicationKind = (typeof APPLICATION_KINDS)[number];

export const APPLICATION_ACTIONS = [
  'submit',
  'withdraw',
  'claim',
  'request_changes',
  'reject',
  'open_notice',
  'file_objection',
  'dismiss_objection',
  'uphold_objection',
  'approve',
] as const;
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];

/** Who may perform an action: the owning applicant, a reviewer, anyone (public), or the system clock. */
export type Actor = 'applicant' | 'reviewer' | 'public' | 'system';

interface Rule {
  from: readonly ApplicationState[];
  to: ApplicationState;
  by: readonly Actor[];
  /** Extra guard on the application kind. */
  kinds?: readonly ApplicationKind[];
}

/** The transition table. `approve` from public_notice happens when the notice period ends. */
export const APPLICATION_RULES: Record<ApplicationAction, Rule> = {
  submit: { from: ['draft', 'changes_requested'], to: 'submitted', by: ['applicant'] },
  withdraw: { from: ['draft', 'submitted', 'changes_requested'], to: 'withdrawn', by: ['applicant'] },
  claim: { from: ['submitted'], to: 'in_review', by: ['reviewer'] },
  request_changes: { from: ['in_review'], to: 'changes_requested', by: ['reviewer'] },
  reject: { from: ['in_review'], to: 'rejected', by: ['reviewer'] },
  open_notice: { from: ['in_review'], to: 'public_notice', by: ['reviewer'], kinds: ['initial', 'change'] },
  file_objection: { from: ['public_notice', 'objection'], to: 'objection', by: ['public'], kinds: ['initial', 'change'] },
  dismiss_objection: { from: ['objection'], to: 'public_notice', by: ['reviewer'], kinds: ['initial', 'change'] },
  uphold_objection: { from: ['objection'], to: 'rejected', by: ['reviewer'], kinds: ['initial', 'change'] },
  approve: { from: ['public_notice', 'in_review'], to: 'approved', by: ['system', 'reviewer'] },
};

/**
 * Check one application transition and return the new state.
 * `approve` from in_review is a renewal's path (no public notice); from
 * public_notice it needs the notice period to have elapsed (checked by the caller
 * with `noticeElapsed`), and only the system or a reviewer may take it.
 * @throws RegistryError illegal_transition
 */
export function nextApplicationState(
  state: ApplicationState,
  action: ApplicationAction,
  actor: Actor,
  kind: ApplicationKind = 'initial',
): ApplicationState {
  const rule = APPLICATION_RULES[action];
  const legal =
    rule.from.includes(state) &&
    rule.by.includes(actor) &&
    (!rule.kinds || rule.kinds.includes(kind)) &&
    !(action === 'approve' && state === 'in_review' && kind !== 'renewal') &&
    !(action === 'approve' && state === 'public_notice' && kind === 'renewal');
  if (!legal)
    throw new RegistryError('illegal_transition', `cannot ${action.replace(/_/g, ' ')} an application that is ${state.replace(/_/g, ' ')} (as ${actor}, ${kind})`);
  return rule.to;
}

/**
 * Where `dismiss_objection` leads: back to public notice (which restarts) when no other
 * objection on the application is open; while others are, the application stays in
 * `objection` — each objection is decided on its own, and the notice resumes after the last.
 */
export function stateAfterDismissal(otherOpenObjections: number): ApplicationState {
  return otherOpenObjections > 0 ? 'objection' : APPLICATION_RULES.dismiss_objection.to;
}

/** Whether the notice period has run out at `now` (end inclusive). */
export function noticeElapsed(noticeEndsAt: Date | null, now: Date): boolean {
  return noticeEndsAt !== null && now.getTime() >= noticeEndsAt.getTime();
}

// ───────────────────────── certificates ─────────────────────────

export const CERTIFICATE_STATUSES = ['active', 'pledged', 'superseded', 'revoked', 'cancelled', 'expired'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const CERTIFICATE_ACTIONS = ['pledge', 'release', 'revoke', 'cancel', 'expire', 'supersede'] as const;
export type CertificateAction = (typeof CERTIFICATE_ACTIONS)[number];

export const CERTIFICATE_RULES: Record<CertificateAction, { from: readonly CertificateStatus[]; to: CertificateStatus }> = {
  pledge: { from: ['active'], to: 'pledged' },
  release: { from: ['pledged'], to: 'active' },
  revoke: { from: ['active', 'pledged'], to: 'revoked' },
  cancel: { from: ['active'], to: 'cancelled' },
  expire: { from: ['active'], to: 'expired' },
  supersede: { from: ['active', 'pledged'], to: 'superseded' },
};

/**
 * Check one certificate transition. A pledged certificate cannot be cancelled or
 * pledged again (codes certificate_pledged / certificate_already_pledged).
 * @throws RegistryError
 */
export function nextCertificateStatus(status: CertificateStatus, action: CertificateAction): CertificateStatus {
  const rule = CERTIFICATE_RULES[action];
  if (rule.from.includes(status)) return rule.to;
  if (status === 'pledged' && action === 'pledge') throw new RegistryError('certificate_already_pledged', 'the certificate is already pledged');
  if (status === 'pledged' && action === 'cancel') throw new RegistryError('certificate_pledged', 'a pledged certificate cannot be cancelled');
  throw new RegistryError('illegal_transition', `cannot ${action} a certificate that is ${status}`);
}

/** The status a reader sees at `now`: an active certificate past its validity is expired. */
export function effectiveCertificateStatus(status: CertificateStatus, validUntil: Date, now: Date): CertificateStatus {
  if ((status === 'active' || status === 'pledged') && now.getTime() >= validUntil.getTime()) return 'expired';
  return status;
}

/** A certificate in force (active or pledged) may carry licences, policies, pledges and follow-ups. @throws RegistryError certificate_not_active */
export function assertInForce(effective: CertificateStatus): void {
  if (effective !== 'active' && effective !== 'pledged') throw new RegistryError('certificate_not_active', `the certificate is ${effective}`);
}

/** Renewal (续展) is allowed within the last `windowDays` days of validity and not after expiry. */
export function renewalOpen(validUntil: Date, now: Date, windowDays = 90): boolean {
  const t = now.getTime();
  return t < validUntil.getTime() && t >= validUntil.getTime() - windowDays * 86_400_000;
}
