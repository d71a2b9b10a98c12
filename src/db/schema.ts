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
 * The full tiles of the Merkle tree (C2SP tlog-tiles, height 8), each as 17 parts of 30
 * hashes (960 bytes, kept in the row, never TOASTed): part p < 16 is the tile's hashes
 * 16p … 16p+15 of tree level 8·level with the nodes of the tile's levels 1–3 above them,
 * part 16 the nodes of its levels 4–7 (src/ledger/tile-store.ts, `tileParts`).
 * Append-only; the incomplete tile of each level is in log_tree_state.partial_tiles.
 */
export const logTiles = pgTable(
  'log_tiles',
  {
    level: smallint('level').notNull(),
    idx: bigint('idx', { mode: 'number' }).notNull(),
    part: smallint('part').notNull(),
    hashes: bytea('hashes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.level, t.idx, t.part] }),
    check('log_tiles_part_len', sql`octet_length(${t.hashes}) = 960`),
    check('log_tiles_part_range', sql`${t.idx} >= 0 AND ${t.level} >= 0 AND ${t.part} >= 0 AND ${t.part} <= 16`),
  ],
);

/** Every signed checkpoint the log published (on an interval and on demand, not per batch). Append-only. */
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

/**
 * The head of the stored tree (size, root, right edge): exactly one row, replaced per
 * batch by the sequencer under its row lock with compare-and-swap. A trigger refuses
 * a shrinking tree, another root for the same size, time going back, and deletion.
 */
export const logTreeState = pgTable(
  'log_tree_state',
  {
    id: boolean('id').primaryKey().default(true),
    treeSize: bigint('tree_size', { mode: 'number' }).notNull(),
    rootHash: bytea('root_hash').notNull(),
    rightEdge: bytea('right_edge').notNull(),
    integratedAt: timestamp('integrated_at', { withTimezone: true, mode: 'date' }).notNull(),
    partialTiles: bytea('partial_tiles').notNull().default(sql`''::bytea`),
  },
  (t) => [
    check('log_tree_state_one_row', sql`${t.id}`),
    check('log_tree_state_size_nonneg', sql`${t.treeSize} >= 0`),
    check('log_tree_state_root_len', sql`octet_length(${t.rootHash}) = 32`),
    check('log_tree_state_edge_len', sql`octet_length(${t.rightEdge}) % 32 = 0`),
    check('log_tree_state_partial_len', sql`octet_length(${t.partialTiles}) % 32 = 0`),
  ],
);

/**
 * The registry's view of each witness of its policy (DATADEED_WITNESS_POLICY): the size
 * the witness last cosigned (the `old` of the next add-checkpoint request) and the
 * outcome of the last request. Bookkeeping, replaced on every request.
 */
export const logWitnessState = pgTable(
  'log_witness_state',
  {
    keyName: text('key_name').notNull(),
    keyId: text('key_id').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.keyName, t.keyId] }),
    check('log_witness_state_key_id', sql`${t.keyId} ~ '^[0-9a-f]{8}$'`),
    check('log_witness_state_size_nonneg', sql`${t.size} >= 0`),
  ],
);

/** RFC 3161 time-stamp tokens over published checkpoints (DATADEED_TSA_URL), at most one per checkpoint. Append-only. */
export const logTimestamps = pgTable(
  'log_timestamps',
  {
    treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
    token: bytea('token').notNull(),
    genTime: timestamp('gen_time', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [check('log_timestamps_token_len', sql`octet_length(${t.token}) BETWEEN 1 AND 65536`)],
);

/** Cosignatures (witnesses, notaries) added to a published checkpoint later. Append-only. */
export const logCosignatures = pgTable(
  'log_cosignatures',
  {
    // no foreign key: it would make TRUNCATE of log_checkpoints fail before the append-only trigger
    treeSize: bigint('tree_size', { mode: 'number' }).notNull(),
    keyName: text('key_name').notNull(),
    keyId: text('key_id').notNull(),
    line: text('line').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.treeSize, t.keyName, t.keyId] }),
    check('log_cosignatures_key_id', sql`${t.keyId} ~ '^[0-9a-f]{8}$'`),
    check('log_cosignatures_line', sql`${t.line} LIKE '— %' AND position(chr(10) in ${t.line}) = 0`),
  ],
);

/**
 * Published signing keys and their validity windows: verifier keys (log and certificate
 * signing) and document-signing certificates (PDF signatures) with their CA's.
 */
export const signingKeys = pgTable('signing_keys', {
  keyId: text('key_id').primaryKey(),
  name: text('name').notNull(),
  purpose: text('purpose').notNull(),
  /** The C2SP verifier key; null for a document key. */
  vkey: text('vkey'),
  validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
  validUntil: timestamp('valid_until', { withTimezone: true, mode: 'date' }),
  logIndex: bigint('log_index', { mode: 'number' }),
  /** A document key's X.509 certificate, base64 DER. */
  certificate: text('certificate'),
  /** The certificate of the CA that issued it, base64 DER. */
  caCertificate: text('ca_certificate'),
}, (t) => [
  // A document key is a certificate (and its CA's); every other key is a verifier key.
  check(
    'signing_keys_material',
    sql`CASE WHEN ${t.purpose} = 'document' THEN ${t.vkey} IS NULL AND ${t.certificate} IS NOT NULL AND ${t.caCertificate} IS NOT NULL ELSE ${t.vkey} IS NOT NULL AND ${t.certificate} IS NULL AND ${t.caCertificate} IS NULL END`,
  ),
]);

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
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt)],
);

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
export const objections = pgTable(
  'objections',
  {
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
    /** SHA-256 (hex) of the client address it was filed from, for the per-address limit; null when filed without one. */
    filedFromHash: text('filed_from_hash'),
    /** The objector's stated interest (利害关系), required when only interested parties may object. */
    interest: text('interest'),
  },
  (t) => [index('objections_app_state_idx').on(t.applicationId, t.state)],
);

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
    registrationNumber: text('registration_number').unique(),
  },
  (t) => [uniqueIndex('certificates_year_seq').on(t.year, t.seq), index('certificates_org_idx').on(t.orgId)],
);

/** Per-application-year counters of 登记号 sequences (gap-free, row-locked on use). */
export const registrationCounters = pgTable('registration_counters', {
  year: integer('year').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});

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
    valuationReportHash: text('valuation_report_hash'),
    zhongdengNumber: text('zhongdeng_number'),
  },
  (t) => [index('pledges_cert_idx').on(t.certificateNumber, t.state)],
);

/** A pledgee's recorded consent to one change, licence or transfer of its pledged certificate (pledge.consent_recorded). */
export const pledgeConsents = pgTable(
  'pledge_consents',
  {
    id: text('id').primaryKey(),
    pledgeId: text('pledge_id')
      .notNull()
      .references(() => pledges.id),
    certificateNumber: text('certificate_number').notNull(),
    action: text('action').notNull(),
    consentedBy: text('consented_by')
      .notNull()
      .references(() => users.id),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    usedLogIndex: bigint('used_log_index', { mode: 'number' }),
  },
  (t) => [index('pledge_consents_cert_idx').on(t.certificateNumber, t.action)],
);

/** Subscriptions to log events, delivered as signed webhooks (src/registry/pg/subscriptions.ts). */
export const subscriptions = pgTable('subscriptions', {
  id: text('id').primaryKey(),
  orgId: text('org_id')
    .notNull()
    .references(() => organisations.id),
  topic: text('topic').notNull(),
  target: text('target').notNull(),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  fromLogIndex: bigint('from_log_index', { mode: 'number' }).notNull(),
});

/** One webhook delivery per subscription and log entry: attempts, back-off, outcome. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('webhook_deliveries_sub_entry').on(t.subscriptionId, t.logIndex), index('webhook_deliveries_due').on(t.state, t.nextAttemptAt)],
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

/**
 * Notarial attestations (公证) of deposits: a notary office states under its own Ed25519
 * key (its witness key) that a digest is the one of the data it witnessed, with its
 * notarial certificate's number; one `notary.attested` log entry each (docs/log-format.md §6.2).
 */
export const notaryAttestations = pgTable(
  'notary_attestations',
  {
    id: text('id').primaryKey(),
    depositId: text('deposit_id')
      .notNull()
      .references(() => deposits.id),
    digest: text('digest').notNull(),
    notaryOrgId: text('notary_org_id')
      .notNull()
      .references(() => organisations.id),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    notarialNumber: text('notarial_number').notNull(),
    office: text('office').notNull(),
    attestedAt: timestamp('attested_at', { withTimezone: true, mode: 'date' }).notNull(),
    notaryKey: text('notary_key').notNull(),
    signature: text('signature').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('notary_attestations_org_number').on(t.notaryOrgId, t.notarialNumber),
    index('notary_attestations_digest_idx').on(t.digest, t.logIndex),
    index('notary_attestations_org_idx').on(t.notaryOrgId, t.logIndex),
  ],
);

/** Per-year counters for deposit ids (EV-<year>-<8 digits>), never reused. */
export const depositCounters = pgTable('deposit_counters', {
  year: integer('year').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});

