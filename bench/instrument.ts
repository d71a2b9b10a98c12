/**
 * Optional phase timing of the sequencer's batch (BENCH_PHASES=1), without
 * touching src/: a LogStore subclass times its reads and the batch write, a
 * wrapped drizzle handle times each transaction (and so BEGIN + COMMIT as the
 * rest), a wrapped hasher and signer time hashing and signing.
 */
import type { Db } from '../src/db/index.ts';
import type { Hasher } from '../src/ledger/index.ts';
import type { NoteSigner } from '../src/ledger/index.ts';
import type { TreeState } from '../src/ledger/index.ts';
import { LogStore, type IntegrationWrite } from '../src/ledger/pg/store.ts';
import { ms } from './lib.ts';

export class PhaseTimes {
  batches = 0;
  entries = 0;
  /** db.transaction() from call to resolution (BEGIN … COMMIT). */
  txTotal = 0;
  /** Time inside the transaction callback. */
  txBody = 0;
  latest = 0;
  write = 0;
  hash = 0;
  sign = 0;

  reset(): void {
    Object.assign(this, { batches: 0, entries: 0, txTotal: 0, txBody: 0, latest: 0, write: 0, hash: 0, sign: 0 });
  }

  /** One line: mean ms per batch of each phase. */
  describe(): string {
    const b = Math.max(1, this.batches);
    const other = this.txBody - this.latest - this.write - this.hash - this.sign;
    return (
      `${this.batches} batches, ${(this.entries / b).toFixed(1)} entries/batch; per batch: ` +
      `tx ${ms(this.txTotal / b)} = begin+commit ${ms((this.txTotal - this.txBody) / b)} + lock+js ${ms(other / b)} + ` +
      `lock+read tree state ${ms(this.latest / b)} + hashing ${ms(this.hash / b)} + signing ${ms(this.sign / b)} + writeIntegration ${ms(this.write / b)}`
    );
  }
}

export function timedHasher(inner: Hasher, t: PhaseTimes): Hasher {
  return {
    emptyRoot: () => inner.emptyRoot(),
    hashLeaf: (e) => {
      const s = performance.now();
      const h = inner.hashLeaf(e);
      t.hash += performance.now() - s;
      return h;
    },
    hashChildren: (l, r) => {
      const s = performance.now();
      const h = inner.hashChildren(l, r);
      t.hash += performance.now() - s;
      return h;
    },
  };
}

export function timedSigner(inner: NoteSigner, t: PhaseTimes): NoteSigner {
  return {
    name: inner.name,
    keyId: inner.keyId,
    sign: async (m: Uint8Array) => {
      const s = performance.now();
      const sig = await inner.sign(m);
      t.sign += performance.now() - s;
      return sig;
    },
  };
}

/** A drizzle handle whose `transaction` is timed; everything else passes through. */
function timedDb(db: Db, t: PhaseTimes): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return async (fn: (tx: Db) => Promise<unknown>, config?: unknown) => {
          const s = performance.now();
          try {
            return await (target.transaction as (f: unknown, c?: unknown) => Promise<unknown>)(async (tx: Db) => {
              const b = performance.now();
              try {
                return await fn(tx);
              } finally {
                t.txBody += performance.now() - b;
              }
            }, config);
          } finally {
            t.txTotal += performance.now() - s;
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export class TimedLogStore extends LogStore {
  constructor(
    db: Db,
    hasher: Hasher,
    readonly times: PhaseTimes,
  ) {
    super(timedDb(db, times), timedHasher(hasher, times));
  }

  override async lockTreeState(tx: Db): Promise<TreeState> {
    const s = performance.now();
    try {
      return await super.lockTreeState(tx);
    } finally {
      this.times.latest += performance.now() - s;
    }
  }

  override async writeIntegration(tx: Db, batch: IntegrationWrite): Promise<void> {
    const s = performance.now();
    try {
      await super.writeIntegration(tx, batch);
      this.times.batches++;
      this.times.entries += batch.entries.length;
    } finally {
      this.times.write += performance.now() - s;
    }
  }
}
