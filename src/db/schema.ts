/**
 * Drizzle schema of DataDeed. Every table and column is commented in the SQL
 * migrations (migrations/), which are generated from this file by drizzle-kit
 * and extended by hand-written custom migrations (triggers, comments).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** PostgreSQL bytea, read as Uint8Array (PGlite) or Buffer (postgres.js, a Uint8Array subclass). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return 'bytea';
  },
  toDriver(value: Uint8Array): Uint8Array {
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
});

/** Key/value facts about this database: log origin, creation time. */
export const meta = pgTable('datadeed_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The log's entries, by index. Append-only (trigger). */
export const logEntries = pgTable(
  'log_entries',
  {
    idx: bigint('idx', { mode: 'number' }).primaryKey(),
    data: bytea('data').notNull(),
  },
  (t) => [check('log_entries_idx_nonneg', sql`${t.idx} >= 0`), check('log_entries_data_size', sql`octet_length(${t.data}) <= 65535`)],
);

/**
 * Every complete node of the Merkle tree: level 0 = leaf hashes, level l index i
 * covers leaves [i·2^l, (i+1)·2^l). Complete nodes never change. Append-only.
 */
export const logNodes = pgTable(
  'log_nodes',
  {
    level: smallint('level').notNull(),
    idx: bigint('idx', { mode: 'number' }).notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] }), check('log_nodes_hash_len', sql`octet_length(${t.hash}) = 32`)],
);

/** Every signed checkpoint the log ever published, one per committed batch. Append-only. */
export const logCheckpoints = pgTable(
  'log_checkpoints',
  {
    treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
    rootHash: bytea('root_hash').notNull(),
    note: text('note').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [check('log_checkpoints_root_len', sql`octet_length(${t.rootHash}) = 32`)],
);

/** Public verifier keys (log and certificate signing) and their validity windows. */
export const signingKeys = pgTable('signing_keys', {
  keyId: text('key_id').primaryKey(),
  name: text('name').notNull(),
  purpose: text('purpose').notNull(),
  vkey: text('vkey').notNull(),
  validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
  validUntil: timestamp('valid_until', { withTimezone: true, mode: 'date' }),
  logIndex: bigint('log_index', { mode: 'number' }),
});

// ───────────────────────── registry: accounts ─────────────────────────

/** Organisations: enterprises (data holders), banks, insurers, the registry itself. */
export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  uscc: text('uscc').unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** People and programs acting for an organisation, with one role each. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  orgId: text('org_id')
    .notNull()
    .references(() => organisations.id),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  passwordHash: text('password_hash'),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** API tokens: only a SHA-256 of the token is stored. */
export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  tokenHash: text('token_hash').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
});

/** Page sign-in sessions: only a SHA-256 of the cookie value is stored. */
export const sessions = pgTable('sessions', {
  idHash: text('id_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

// ───────────────────────── registry: applications ─────────────────────────

/** Registration applications (数据知识产权登记申请) and their workflow state. */
export const applications = pgTable(
  'applications',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    state: text('state').notNull(),
    rowVersion: integer('row_version').notNull().default(1),
    draft: jsonb('draft').notNull(),
    submittedVersion: integer('submitted_version').notNull().default(0),
    claimedBy: text('claimed_by').references(() => users.id),
    noticeStartedAt: timestamp('notice_started_at', { withTimezone: true, mode: 'date' }),
    noticeEndsAt: timestamp('notice_ends_at', { withTimezone: true, mode: 'date' }),
    targetCertificate: text('target_certificate'),
    certificateNumber: text('certificate_number'),
    lastLogIndex: bigint('last_log_index', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('applications_state_idx').on(t.state, t.updatedAt)],
);

/** Frozen submitted versions of an application; the digest is logged. */
export const applicationVersions = pgTable(
  'application_versions',
  {
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    version: integer('version').notNull(),
    data: jsonb('data').notNull(),
    digest: text('digest').notNull(),
    submittedBy: text('submitted_by')
      .notNull()
      .references(() => users.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }).notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.version] })],
);

/** Everyone who edited an application's draft (reviewers who did may not decide it). */
export const applicationEditors = pgTable(
  'application_editors',
  {
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.userId] })],
);

/** Every workflow step with its actor, comment and log index. */
export const applicationEvents = pgTable(
  'application_events',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    action: text('action').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    actorId: text('actor_id'),
    comment: text('comment'),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('application_events_app_idx').on(t.applicationId, t.at)],
);

/** The data sample uploaded with an application (small, type-checked). */
export const applicationSamples = pgTable('application_samples', {
  applicationId: text('application_id')
    .primaryKey()
    .references(() => applications.id),
  filename: text('filename').notNull(),
  mediaType: text('media_type').notNull(),
  bytes: bytea('bytes').notNull(),
  sha256: text('sha256').notNull(),
  uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** Objections (异议) filed during public notice. */
export const objections = pgTable('objections', {
  id: text('id').primaryKey(),
  applicationId: text('application_id')
    .notNull()
    .references(() => applications.id),
  name: text('name').notNull(),
  contact: text('contact').notNull(),
  grounds: text('grounds').notNull(),
  evidenceHash: text('evidence_hash'),
  state: text('state').notNull(),
  filedAt: timestamp('filed_at', { withTimezone: true, mode: 'date' }).notNull(),
  decidedBy: text('decided_by').references(() => users.id),
  decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  decisionReason: text('decision_reason'),
  logIndex: bigint('log_index', { mode: 'number' }).notNull(),
});

// ───────────────────────── registry: certificates ─────────────────────────

/** Issued certificates; payload and signature exactly as signed. */
export const certificates = pgTable(
  'certificates',
  {
    number: text('number').primaryKey(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    version: integer('version').notNull(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    status: text('status').notNull(),
    rowVersion: integer('row_version').notNull().default(1),
    datasetName: text('dataset_name').notNull(),
    manifestRoot: text('manifest_root').notNull(),
    payload: text('payload').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    leafHash: text('leaf_hash').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'date' }).notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true, mode: 'date' }).notNull(),
    supersedes: text('supersedes'),
    supersededBy: text('superseded_by'),
    statusReason: text('status_reason'),
    statusLogIndex: bigint('status_log_index', { mode: 'number' }),
  },
  (t) => [uniqueIndex('certificates_year_seq').on(t.year, t.seq), index('certificates_org_idx').on(t.orgId)],
);

/** Per-year counters making certificate numbers gap-free (row-locked on use). */
export const certificateCounters = pgTable('certificate_counters', {
  year: integer('year').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});

/** Every log entry about a certificate (history with proofs). */
export const certificateEvents = pgTable(
  'certificate_events',
  {
    number: text('number')
      .notNull()
      .references(() => certificates.number),
    kind: text('kind').notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.number, t.logIndex] })],
);

// ───────────────────────── encumbrances: pledges, licences, insurance ─────────────────────────

/** Pledges (质押): requested by a bank, consented by the holder, recorded in the log, released by the pledgee. */
export const pledges = pgTable(
  'pledges',
  {
    id: text('id').primaryKey(),
    pledgeNumber: text('pledge_number').unique(),
    certificateNumber: text('certificate_number')
      .notNull()
      .references(() => certificates.number),
    pledgeeOrgId: text('pledgee_org_id')
      .notNull()
      .references(() => organisations.id),
    requestedBy: text('requested_by')
      .notNull()
      .references(() => users.id),
    loanReference: text('loan_reference').notNull(),
    amount: text('amount').notNull(),
    currency: text('currency').notNull(),
    amountNonce: text('amount_nonce').notNull(),
    termStart: text('term_start').notNull(),
    termEnd: text('term_end').notNull(),
    state: text('state').notNull(),
    subsequentAllowed: boolean('subsequent_allowed').notNull().default(false),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull(),
    consentedBy: text('consented_by').references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }),
    recordedLogIndex: bigint('recorded_log_index', { mode: 'number' }),
    releasedAt: timestamp('released_at', { withTimezone: true, mode: 'date' }),
    releasedLogIndex: bigint('released_log_index', { mode: 'number' }),
  },
  (t) => [index('pledges_cert_idx').on(t.certificateNumber, t.state)],
);

/** Per-year counters for gap-free pledge numbers. */
export const pledgeCounters = pgTable('pledge_counters', {
  year: integer('year').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});

/** Licences (许可) recorded by the holder. */
export const licences = pgTable('licences', {
  id: text('id').primaryKey(),
  certificateNumber: text('certificate_number')
    .notNull()
    .references(() => certificates.number),
  licensee: text('licensee').notNull(),
  licenseeUscc: text('licensee_uscc'),
  scope: text('scope').notNull(),
  termStart: text('term_start').notNull(),
  termEnd: text('term_end').notNull(),
  exclusive: boolean('exclusive').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
  logIndex: bigint('log_index', { mode: 'number' }).notNull(),
});

/** Insurance policies (数据知识产权保险) recorded by an insurer. */
export const policies = pgTable(
  'policies',
  {
    id: text('id').primaryKey(),
    certificateNumber: text('certificate_number')
      .notNull()
      .references(() => certificates.number),
    insurerOrgId: text('insurer_org_id')
      .notNull()
      .references(() => organisations.id),
    policyNumber: text('policy_number').notNull(),
    insuredAmount: text('insured_amount').notNull(),
    currency: text('currency').notNull(),
    coverageType: text('coverage_type').notNull(),
    termStart: text('term_start').notNull(),
    termEnd: text('term_end').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('policies_insurer_number').on(t.insurerOrgId, t.policyNumber)],
);

// ───────────────────────── evidence deposits (数据存证) ─────────────────────────

/** Evidence deposits: one digest each, one log entry each. Title and description are private to the depositor. */
export const deposits = pgTable(
  'deposits',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organisations.id),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    digest: text('digest').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    files: bigint('files', { mode: 'number' }),
    bytes: bigint('bytes', { mode: 'number' }),
    previous: text('previous'),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    leafHash: text('leaf_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('deposits_org_digest').on(t.orgId, t.digest), index('deposits_digest_idx').on(t.digest, t.logIndex)],
);

/** Per-year counters for deposit ids (EV-<year>-<8 digits>), never reused. */
export const depositCounters = pgTable('deposit_counters', {
  year: integer('year').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});
