/**
 * The running registry: configuration, database, log store, sequencer, keys.
 * Built once by `datadeed serve` (and by tests), torn down with `close()`.
 */
import { eq } from 'drizzle-orm';
import { embeddedDataDir, type Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { meta } from './db/schema.ts';
import { encodeEntry, type LogEvent } from './ledger/entry.ts';
import { loadOrCreateLogKey, type LogKey } from './ledger/keyfile.ts';
import { nodeRfc6962 } from './ledger/node-hasher.ts';
import { Sequencer, type Appended, type AppendEffect } from './ledger/sequencer.ts';
import { LogStore } from './ledger/store.ts';
import { createRegistry, type Registry } from './registry/index.ts';
import { loadActiveCertificateKey } from './certificates/keyring.ts';
import { formatKeyId } from './certificates/signature.ts';
import { activeCertificateKeyId, addKeyEffect, keyringSigner } from './registry/keys.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface AppContext {
  config: Config;
  registry: Registry;
  database: Database;
  store: LogStore;
  sequencer: Sequencer;
  logKey: LogKey;
  clock: Clock;
  /** Append a log event (kind, fields) stamped with the clock's time. */
  appendEvent(event: Omit<LogEvent, 'time'> & { time?: string }): Promise<Appended<void>>;
  /** Append an event built inside the batch transaction together with a state change. */
  appendWith<T>(effect: AppendEffect<T>): Promise<Appended<T>>;
  close(): Promise<void>;
}

export interface ContextOptions {
  clock?: Clock;
  /** Use this database instead of opening one from the config. */
  database?: Database;
  onFatal?: (err: Error) => void;
}

/** Open everything `serve` needs. Migrates, checks the origin, publishes the log key. */
export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const clock = opts.clock ?? systemClock;
  const { key: logKey } = loadOrCreateLogKey(config.keyFile, config.origin);
  const database = opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) }));
  try {
    const db = database.db;
    // The origin is fixed at first start: a log cannot change its name.
    await db.insert(meta).values({ key: 'origin', value: config.origin }).onConflictDoNothing();
    const [stored] = await db.select().from(meta).where(eq(meta.key, 'origin'));
    if (stored && stored.value !== config.origin)
      throw new StartupError(
        `DATADEED_ORIGIN: this database's log is named ${JSON.stringify(stored.value)}, not ${JSON.stringify(config.origin)}; a log cannot be renamed`,
      );
    const store = new LogStore(db, nodeRfc6962);
    const sequencer = new Sequencer({
      store,
      origin: config.origin,
      signer: logKey.signer,
      now: () => clock.now(),
      maxBatch: config.batchMax,
      maxWaitMs: config.batchWaitMs,
      onFatal: opts.onFatal,
    });
    const registry = createRegistry({
      db,
      appendWith: (effect) => sequencer.appendWith(effect),
      appendManyWith: (effect) => sequencer.appendManyWith(effect),
      now: () => clock.now(),
      settings: {
        noticeDays: config.noticeDays,
        validityYears: 3,
        numberPrefix: config.numberPrefix,
        origin: config.origin,
        publicUrl: config.publicUrl,
        requireEvidence: config.requireEvidence,
      },
      certificateSigner: keyringSigner(config.dataDir, config.origin),
    });
    const ctx: AppContext = {
      config,
      registry,
      database,
      store,
      sequencer,
      logKey,
      clock,
      appendEvent: (event) => sequencer.append(encodeEntry({ ...event, time: event.time ?? clock.now().toISOString() } as LogEvent)),
      appendWith: (effect) => sequencer.appendWith(effect),
      close: async () => {
        await sequencer.close();
        if (!opts.database) await database.close();
      },
    };
    // publish the log key once (row + key.added entry); a repeat writes nothing
    await sequencer.appendManyWith(addKeyEffect({ ...logKey, keyId: formatKeyId(logKey.keyId) }, 'log', () => clock.now()));
    // the certificate key: the active one from the database, or a new one on first start
    const active = await activeCertificateKeyId(db);
    const { key: certKey, created } = loadActiveCertificateKey(config.dataDir, config.origin, active);
    if (created) await sequencer.appendManyWith(addKeyEffect(certKey, 'certificate', () => clock.now()));
    return ctx;
  } catch (err) {
    if (!opts.database) await database.close();
    throw err;
  }
}
