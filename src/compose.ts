/**
 * The composition root: the running registry — configuration, database, log store,
 * sequencer, publisher, keys, registry — built once by `datadeed serve` (and the CLI commands
 * that write, and tests), torn down with `close()`. Everything else receives what it
 * uses: the HTTP layer gets `services` (src/api/services.ts), never the database.
 *
 * Start-up order matters (issue 15, finding 5): the database is opened (and migrated)
 * and everything is checked — the log's origin, every key against the keys the log
 * holds — before anything is written; only then the sequencer and the publisher start.
 * Their first batch checks the stored tree against the newest checkpoint this key signed
 * (a rolled-back or forked database refuses to start), publishes a checkpoint of what an
 * earlier process integrated but did not publish, and — on the first start of an empty
 * log — publishes its first keys.
 */
import { eq } from 'drizzle-orm';
import { embeddedDataDir, type Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { chineseWorkingCalendar, type WorkingCalendar } from './calendar.ts';
import type { NumberFormat } from './registry/index.ts';
import { DataDeedError } from './errors.ts';
import { migrationStatus, openDatabase, type Database, type Db } from './db/index.ts';
import { meta } from './db/index.ts';
import { ByteLru, ed25519Verifier, encodeEntry, LedgerError, MonotonicMemo, SharedFreshRead, type LogCheckpoint, type LogEvent, type LogReader } from './ledger/index.ts';
import { KeyError, type KeyCheckMode, type KeySet } from './keys/index.ts';
import { openKeys, publishedKeys } from './keys/pg/index.ts';
import { documentSigner, type DocumentSigningKey, type LogKey } from './keys/node/index.ts';
import { documentKeyProofFileName, serializeDocumentKeyProof, type DocumentSigner } from './certificates/index.ts';
import { CheckpointFile, nodeRfc6962 } from './ledger/node/index.ts';
import {
  isFatalLedgerError,
  LogWriter,
  Publisher,
  registryPolicy,
  Sequencer,
  Timestamper,
  WitnessCosigner,
  type Appended,
  type AppendEffect,
  type AppendManyEffect,
  type TransactionTimeouts,
} from './ledger/pg/index.ts';
import { ConfigError } from './config.ts';
import { formatPolicy, WitnessError } from './witness/index.ts';
import { nodeEd25519Verify } from './witness/node/index.ts';
import { LogStore } from './ledger/pg/index.ts';
import { createRegistry, Subscriptions, WebhookDispatcher, type Registry } from './registry/pg/index.ts';
import { AccountService } from './accounts/pg/index.ts';
import { LogStateGuard, StateCommitter } from './state/pg/index.ts';
import type { ApiServices, Readiness } from './api/services.ts';

export type { Clock };
export { systemClock };

/**
 * Start-up failure codes (API, never renamed):
 * - `origin_mismatch` — the database's log has another origin than DATADEED_ORIGIN (a log cannot be renamed).
 * Keys that are not the log's are KeyErrors (src/keys).
 */
export const STARTUP_ERROR_CODES = ['origin_mismatch'] as const;
export type StartupErrorCode = (typeof STARTUP_ERROR_CODES)[number];

/** The registry cannot start with this configuration and these stores. */
export class StartupError extends DataDeedError<StartupErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what the operator must fix.
   */
  constructor(code: StartupErrorCode, message: string) {
    super(code, message);
    this.name = 'StartupError';
  }
}

/** The running registry. The CLI and tests may reach its parts; the HTTP layer gets `services` only. */
export interface System {
  config: Config;
  clock: Clock;
  database: Database;
  store: LogStore;
  /** Appends acknowledged after commit, each with the first published checkpoint that includes it. */
  sequencer: LogWriter;
  /** Signed checkpoints: on the configured interval and on demand (`waitForCheckpoint`). */
  publisher: Publisher;
  /** With DATADEED_WITNESS_POLICY: sends published checkpoints to the witnesses and gathers their cosignatures. */
  cosigner: WitnessCosigner | undefined;
  /** With DATADEED_TSA_URL: RFC 3161 time-stamp tokens over published checkpoints. */
  timestamper: Timestamper | undefined;
  /** Webhook delivery of subscribed events, after commit, from the log. */
  webhooks: WebhookDispatcher;
  registry: Registry;
  accounts: AccountService;
  /** The log key (signs checkpoints). */
  logKey: LogKey;
  /** The log's state, replayed and kept by the write guard (`state` is the committed state). */
  guard: LogStateGuard;
  /** The state commitment (`state.committed` entries) and proofs of records against it. */
  committer: StateCommitter;
  /** The registry's clock, never before the newest entry's time (what every write is stamped with). */
  now(): Date;
  keys: KeySet;
  /** What the HTTP layer receives. */
  services: ApiServices;
  /** Append a log event (kind, fields) stamped with the registry's clock when its batch runs. */
  appendEvent(event: Omit<LogEvent, 'time'> & { time?: string }): Promise<Appended<void>>;
  /** Append an event built inside the batch transaction together with a state change. */
  appendWith<T>(effect: AppendEffect<T>): Promise<Appended<T>>;
  /** Append several entries built inside the batch transaction, atomically. */
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Appended<T>>;
  close(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  /** Use this database instead of opening one from the config (it is not closed by `close()`). */
  database?: Database;
  onFatal?: (err: Error) => void;
  /** How keys are checked: `serve` (default), or `rotate` for `datadeed keys rotate`. */
  keys?: KeyCheckMode;
  /** The HTTP client for witnesses and the time-stamp authority (default: the global fetch; tests inject one). */
  fetch?: typeof fetch;
  /** Where a failed time-stamp request is reported (to be logged). */
  onTimestampError?: (err: unknown) => void;
  /** Where a failed witness request is reported (to be logged). */
  onWitnessError?: (witness: string, err: unknown) => void;
  /** Witness retry back-off (ms; tests shorten it). */
  witnessRetry?: { minMs: number; maxMs: number };
  /** The working-day calendar (default: the PRC's from chinese-days). */
  calendar?: WorkingCalendar;
  /** Webhook delivery: the HTTP client and back-off (tests shorten it). */
  webhooks?: { fetch?: typeof fetch; retryMinMs?: number; retryMaxMs?: number; intervalMs?: number; timeoutMs?: number };
  /** Where a failed webhook run is reported (to be logged). */
  onWebhookError?: (err: unknown) => void;
}

/**
 * The readiness of this instance: the database answers, every migration is applied, and
 * the newest published checkpoint covers the tree or is younger than `maxAgeMs` (a
 * publisher that stopped publishing while entries arrive is not ready; a quiet log is).
 */
async function readiness(db: Db, store: LogStore, clock: Clock, maxAgeMs: number): Promise<Readiness> {
  const checks = { database: false, migrations: false, checkpoint: false };
  let checkpointAgeSeconds: number | undefined;
  try {
    const [m, state, cp] = await Promise.all([migrationStatus(db), store.treeState(), store.latestCheckpoint()]);
    checks.database = true;
    checks.migrations = m.applied >= m.known;
    const age = cp ? clock.now().getTime() - cp.createdAt.getTime() : undefined;
    checkpointAgeSeconds = age === undefined ? undefined : Math.max(0, age / 1000);
    checks.checkpoint = state.size === 0 || (!!cp && (cp.size >= state.size || age! <= maxAgeMs));
  } catch {
    // the database did not answer: every check stays false
  }
  return { ready: checks.database && checks.migrations && checks.checkpoint, checks, checkpointAgeSeconds };
}

/**
 * The signer of the PDFs the routes render: the document key this instance started
 * with, embedding the proof that the log holds it — its `key.added` entry with an
 * inclusion proof to a published checkpoint, built once and kept (a proof to a
 * published checkpoint stays valid). Without a key (`keys rotate`), signing refuses.
 */
function pdfSigner(db: Db, log: LogReader, key: DocumentSigningKey | null): DocumentSigner {
  if (!key) {
    const refuse = async (): Promise<never> => {
      throw new KeyError('document_key_missing', 'this instance has no document key: it was started to rotate keys, not to serve');
    };
    return { certificates: [], sign: () => new Uint8Array(0), name: 'DataDeed Document Signing', attachments: refuse };
  }
  let proof: Promise<{ name: string; bytes: Uint8Array; mimeType: string; description: string }> | undefined;
  const build = async () => {
    const row = (await publishedKeys(db)).find((k) => k.keyId === key.keyId);
    if (row?.logIndex == null) throw new KeyError('document_key_missing', `the log holds no key.added entry of document key ${key.keyId}`);
    const index = row.logIndex;
    const cp = await log.checkpointIncluding(index);
    const [{ proof: path }, entry] = await Promise.all([log.inclusionProof(index, cp.size), log.entry(index)]);
    const text = serializeDocumentKeyProof({ entry: { index, data: entry! }, inclusion: { treeSize: cp.size, proof: path }, checkpoint: cp.note });
    return { name: documentKeyProofFileName(key.keyId), bytes: new TextEncoder().encode(text), mimeType: 'application/json', description: `DataDeed document key ${key.keyId}: its key.added entry, proven in the log` };
  };
  return documentSigner(key, async () => {
    proof ??= build().catch((e: unknown) => {
      proof = undefined;
      throw e;
    });
    return [await proof];
  });
}

/** The log as the public reads it, over the store, the publisher and the witnesses' cosigner. */
function logReader(store: LogStore, writer: LogWriter, cosigner: WitnessCosigner | undefined, cacheMs: number, exclusive: boolean, stamping: boolean): LogReader {
  // The checkpoint `/checkpoint` serves changes at most once per publication: read it at
  // most once per `cacheMs` (at once after this instance publishes or sees a quorum), and
  // never hand out one older than one already handed out.
  let published = 0;
  writer.publisher.addPublishedListener(() => void published++);
  const served = new MonotonicMemo<LogCheckpoint>(
    async () => (await cosigner?.quorumCheckpoint()) ?? (await store.latestCheckpoint()),
    cacheMs,
    () => performance.now(),
    (a, b) => a.size - b.size || a.note.length - b.note.length,
    () => `${published}/${cosigner?.quorumTreeSize ?? 0}`,
  );
  // The tree only grows (the store's trigger and the rollback guard see to it): a size
  // read once is a lower bound for good, so a request within it needs no read.
  let knownSize = 0;
  let startSize: number | undefined;
  const sharedSize = new SharedFreshRead(() => store.treeSize(), (run) => setImmediate(run));
  const readSize = async () => {
    // The embedded database serves this process alone and every append goes through its
    // sequencer: once a batch has run, the sequencer knows the committed size exactly.
    // Before its first batch, the size read once stands (nothing else can change it).
    const own = exclusive ? (writer.sequencer.committedSize ?? (startSize ??= await store.treeSize())) : undefined;
    // Another process may append (PostgreSQL): the requests of one event-loop turn share
    // one read, which starts after each of them asked (none misses an entry committed before).
    const size = own ?? (await sharedSize.get());
    if (size > knownSize) knownSize = size;
    return size;
  };
  // A published checkpoint never changes but for cosignature lines added after it:
  // served from memory for `cacheMs`, then read again for them.
  const checkpoints = new ByteLru<{ cp: LogCheckpoint; at: number }>(4 * 1024 * 1024, (v) => v.cp.note.length);
  const checkpointAtIfFresh = (size: number) => {
    const hit = checkpoints.get(String(size));
    return hit && performance.now() - hit.at < cacheMs ? hit.cp : undefined;
  };
  const checkpointAt = async (size: number) => {
    const fresh = checkpointAtIfFresh(size);
    if (fresh) return fresh;
    const cp = await store.checkpointAt(size);
    if (cp) checkpoints.set(String(size), { cp, at: performance.now() });
    return cp;
  };
  const checkpointIncluding = async (index: number) => {
    const published = await store.latestCheckpoint();
    return published && published.size > index ? published : writer.publisher.waitForCheckpoint(index + 1);
  };
  return {
    treeSize: readSize,
    treeSizeAtLeast: async (size) => (knownSize >= size ? knownSize : readSize()),
    latestCheckpoint: () => store.latestCheckpoint(),
    checkpointIncluding,
    servedCheckpoint: () => served.get(),
    servedCheckpointIfFresh: () => served.peek(),
    bundleCheckpoint: async (index) => {
      const cosigned = await cosigner?.quorumCheckpoint();
      const cp = cosigned && cosigned.size > index ? cosigned : await checkpointIncluding(index);
      // With a TSA, stamping follows publication by up to its interval: a receipt asked for
      // in between carries the newest stamped checkpoint that includes the entry (and meets
      // the witnesses' quorum), so it proves its time; only an entry newer than every
      // stamped checkpoint gets one without a token.
      if (!stamping || (await store.timestampAt(cp.size))) return cp;
      for (const stamped of await store.stampedCheckpoints(index + 1, cp.size - 1, 4)) if (!cosigner || (await cosigner.meetsQuorum(stamped.note))) return stamped;
      return cp;
    },
    witnessStatus: () => cosigner?.status() ?? [],
    timestampToken: async (size) => (await store.timestampAt(size))?.token,
    stopped: () => writer.sequencer.fatal ?? writer.publisher.fatal,
    checkpointAt,
    checkpointAtIfFresh,
    entry: (index) => store.entry(index),
    entries: (begin, end) => store.entries(begin, end),
    leafHash: async (index) => (await store.nodes([{ level: 0, index }])).get(`0/${index}`),
    levelHashes: (level, begin, end) => store.levelHashes(level, begin, end),
    inclusionProof: (index, size) => store.inclusionProof(index, size),
    inclusionProofs: (indices, size) => store.inclusionProofs(indices, size),
    consistencyProof: (size1, size2) => store.consistencyProof(size1, size2),
    writerStats: () => writer.sequencer.stats,
    onBatch: (listener) => writer.sequencer.onBatch(listener),
  };
}

/**
 * Builds the running registry: opens (and migrates) the database, checks the origin
 * and every key against the log before writing anything, starts the sequencer, and
 * publishes the first keys of an empty log.
 * @throws StartupError (origin), KeyError (keys not the log's), KeyFileError /
 *   CertificateError (unreadable key files), DatabaseBusyError.
 */
export async function composeSystem(config: Config, opts: ComposeOptions = {}): Promise<System> {
  const clock = opts.clock ?? systemClock;
  const database = opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config), idleInTransactionMs: config.logIdleTimeoutMs }));
  let writer: LogWriter | undefined;
  let cosigner: WitnessCosigner | undefined;
  /** The registry's trust policy as text (served at /v1/trust-policy), with witnesses only. */
  let trustPolicy: string | undefined;
  let timestamper: Timestamper | undefined;
  try {
    const db = database.db;
    // The origin is fixed at first start: a log cannot change its name.
    const checkOrigin = async () => {
      const [stored] = await db.select().from(meta).where(eq(meta.key, 'origin'));
      if (stored && stored.value !== config.origin)
        throw new StartupError(
          'origin_mismatch',
          `DATADEED_ORIGIN: this database's log is named ${JSON.stringify(stored.value)}, not ${JSON.stringify(config.origin)}; a log cannot be renamed`,
        );
      return !!stored;
    };
    const named = await checkOrigin();
    const store = new LogStore(db, nodeRfc6962);
    // The log's state, replayed before anything is written: every write is checked against
    // it, and the registry's clock never reads earlier than the newest entry.
    const guard = new LogStateGuard(nodeRfc6962);
    await guard.load(db);
    const now = () => guard.clamp(clock.now());
    // every key, checked against the keys the log holds, before anything is written
    const keys = await openKeys({
      db,
      origin: config.origin,
      keyFile: config.keyFile,
      dataDir: config.dataDir,
      treeSize: (await store.treeState()).size,
      mode: opts.keys,
      now,
    });
    if (!named) {
      // a new log numbers certificates as configured; the format is fixed from now on
      await db.insert(meta).values({ key: 'number_format', value: config.numberFormat }).onConflictDoNothing();
      await db.insert(meta).values({ key: 'origin', value: config.origin }).onConflictDoNothing();
      await checkOrigin(); // another instance may have named it first
    }
    // The numbering format is fixed at first start, like the origin: a database started
    // before national numbers existed keeps its DIP-… numbers.
    const [storedFormat] = await db.select().from(meta).where(eq(meta.key, 'number_format'));
    if (!storedFormat) await db.insert(meta).values({ key: 'number_format', value: 'legacy' }).onConflictDoNothing();
    const numberFormat: NumberFormat = storedFormat?.value === 'national' ? 'national' : 'legacy';
    const logKey = keys.logKey;
    const timeouts: TransactionTimeouts | undefined =
      database.kind === 'postgres'
        ? { lockMs: config.logLockTimeoutMs, statementMs: config.logStatementTimeoutMs, idleInTransactionMs: config.logIdleTimeoutMs }
        : undefined;
    // An invariant violation found by either half stops both: no writes, no signatures.
    let fatalReported = false;
    const fatal = (err: Error) => {
      publisher.halt(err);
      integrator.halt(err);
      if (!fatalReported) opts.onFatal?.(err);
      fatalReported = true;
    };
    const publisher = await Publisher.open({
      store,
      origin: config.origin,
      signer: logKey.signer,
      verifier: ed25519Verifier(logKey.vkey),
      saved: new CheckpointFile(config.checkpointFile),
      now: () => clock.now(),
      intervalMs: config.checkpointIntervalMs,
      timeouts,
      maxClockSkewMs: config.maxClockSkewMs,
      onFatal: fatal,
    });
    const integrator = new Sequencer({
      store,
      now: () => clock.now(),
      maxBatch: config.batchMax,
      maxWaitMs: config.batchWaitMs,
      maxQueue: config.maxQueue,
      trusted: () => publisher.newestSigned(),
      timeouts,
      maxClockSkewMs: config.maxClockSkewMs,
      onFatal: fatal,
      guard,
    });
    writer = new LogWriter(integrator, publisher);
    const seq = writer;
    // The state commitment: at publication, when the state changed (at most one per interval)
    const committer = new StateCommitter({
      guard,
      appendManyWith: (effect) => integrator.appendManyWith(effect),
      publish: (size) => publisher.waitForCheckpoint(size),
      now,
      minIntervalMs: config.stateCommitIntervalMs,
    });
    publisher.setBeforeRound(() => committer.maybeCommit());
    if (config.witnessPolicy) {
      let policy;
      try {
        policy = registryPolicy(config.witnessPolicy.policy, logKey.vkey);
        trustPolicy = formatPolicy(policy);
      } catch (err) {
        if (err instanceof WitnessError) throw new ConfigError('DATADEED_WITNESS_POLICY', `${config.witnessPolicy.file}: ${err.message}`);
        throw err;
      }
      cosigner = await WitnessCosigner.open({
        store,
        policy,
        verify: nodeEd25519Verify,
        now: () => clock.now(),
        requestTimeoutMs: config.witnessTimeoutMs,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.onWitnessError ? { onError: opts.onWitnessError } : {}),
        ...(opts.witnessRetry ? { retryMinMs: opts.witnessRetry.minMs, retryMaxMs: opts.witnessRetry.maxMs } : {}),
      });
    }
    if (config.tsaUrl) {
      timestamper = new Timestamper({
        store,
        url: config.tsaUrl,
        intervalMs: config.checkpointIntervalMs,
        random: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
        now: () => clock.now(),
        requestTimeoutMs: config.witnessTimeoutMs,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.onTimestampError ? { onError: opts.onTimestampError } : {}),
      });
    }
    if (cosigner || timestamper) {
      const [c, t] = [cosigner, timestamper];
      publisher.setOnPublished((cp) => {
        c?.notify(cp);
        t?.notify(cp);
      });
    }
    const registry = createRegistry({
      db,
      appendWith: (effect) => seq.appendWith(effect),
      appendManyWith: (effect) => seq.appendManyWith(effect),
      now,
      ...(cosigner ? { awaitCosigned: (size: number) => cosigner!.awaitQuorum(size, config.cosignWaitMs) } : {}),
      settings: {
        notice: config.notice,
        calendar: opts.calendar ?? chineseWorkingCalendar,
        timeZone: config.timeZone,
        objectionDecisionDays: config.objectionDecisionDays,
        objectors: config.objectors,
        reminderDays: config.reminderDays,
        validityYears: config.validityYears,
        numberFormat,
        registryCode: config.registryCode,
        numberPrefix: config.numberPrefix,
        origin: config.origin,
        publicUrl: config.publicUrl,
        requireEvidence: config.requireEvidence,
      },
      certificateSigner: keys.certificateSigner,
    });
    // The first batch checks the stored tree against the newest checkpoint this key signed
    // (a rolled-back or forked database refuses to start) and publishes a checkpoint of
    // whatever an earlier process integrated but did not publish; on the first start of an
    // empty log it publishes the keys (the key rule checked again under the log's lock).
    try {
      await seq.appendManyWith(keys.publication ?? (async () => ({ entries: [], result: 0 })));
    } catch (err) {
      if (isFatalLedgerError(err))
        throw new LedgerError(err.code, `${err.message} (the newest checkpoint this key signed is in ${config.checkpointFile}); refusing to start`);
      throw err;
    }
    const accounts = new AccountService(db, now, (effect) => seq.appendWith(effect));
    const { deps: _wiring, ...registryServices } = registry; // the routes get the services, not their wiring (which holds the database)
    const reader = logReader(store, seq, cosigner, config.checkpointCacheMs, database.kind === 'pglite', config.tsaUrl !== undefined);
    // webhooks: a job after commit, driven from the log; a batch only notifies it
    const webhooks = new WebhookDispatcher({
      db,
      log: reader,
      now: () => clock.now(),
      publicUrl: config.publicUrl,
      ...(opts.webhooks?.fetch ? { fetch: opts.webhooks.fetch } : {}),
      retryMinMs: opts.webhooks?.retryMinMs ?? config.webhookRetryMs,
      retryMaxMs: opts.webhooks?.retryMaxMs ?? 3_600_000,
      maxAttempts: config.webhookMaxAttempts,
      ...(opts.webhooks?.timeoutMs ? { timeoutMs: opts.webhooks.timeoutMs } : {}),
      ...(opts.onWebhookError ? { onError: opts.onWebhookError } : {}),
    });
    reader.onBatch(() => webhooks.notify());
    webhooks.start(opts.webhooks?.intervalMs ?? 5000);
    const subscriptionService = new Subscriptions({ db, log: reader, now });
    const services: ApiServices = {
      registry: registryServices,
      accounts,
      log: reader,
      documentSigner: pdfSigner(db, reader, keys.documentKey),
      subscriptions: subscriptionService,
      keys: keys.keySet,
      clock,
      settings: { origin: config.origin, publicUrl: config.publicUrl, rateLimit: config.rateLimit, trustProxy: config.trustProxy, timeZone: config.timeZone, authority: config.authority, tileCacheBytes: config.tileCacheBytes, answerCacheMs: config.checkpointCacheMs, ...(trustPolicy ? { trustPolicy } : {}) },
      state: { prove: (ids) => committer.prove(ids) },
      ready: () => readiness(db, store, clock, Math.max(30_000, 10 * config.checkpointIntervalMs)),
    };
    // a restart asks the witnesses that are behind to cosign the newest checkpoint
    const newest = await store.latestCheckpoint();
    if (newest) cosigner?.notify(newest);
    if (newest && timestamper && !(await store.timestampAt(newest.size))) timestamper.notify(newest);
    publisher.start();
    return {
      config,
      clock,
      database,
      store,
      sequencer: seq,
      publisher,
      cosigner,
      timestamper,
      registry,
      accounts,
      logKey,
      guard,
      committer,
      now,
      keys: keys.keySet,
      services,
      // stamped inside the batch, in order with every other write (a time taken before
      // queueing could be earlier than a write queued ahead of it)
      appendEvent: (event) => seq.appendWith(async () => ({ entry: encodeEntry({ ...event, time: event.time ?? now().toISOString() } as LogEvent), result: undefined })),
      appendWith: (effect) => seq.appendWith(effect),
      appendManyWith: (effect) => seq.appendManyWith(effect),
      webhooks,
      close: async () => {
        await webhooks.close();
        await seq.close();
        await cosigner?.close();
        await timestamper?.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    await writer?.close().catch(() => {});
    await cosigner?.close().catch(() => {});
    await timestamper?.close().catch(() => {});
    if (!opts.database) await database.close();
    throw err;
  }
}
