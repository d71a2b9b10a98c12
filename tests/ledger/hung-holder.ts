/**
 * Child process for the takeover test: a sequencer on PostgreSQL (DATABASE_URL) whose
 * one append's effect, running inside the batch transaction and so holding the tree
 * state row lock, prints "locked" and waits for SIGCONT. Then it prints whether that
 * append was acknowledged ("acknowledged <index>") or not ("rejected <SQLSTATE or message>").
 */
import { writeSync } from 'node:fs';
import { openDatabase } from '../../src/db/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { LogStore, Sequencer } from '../../src/ledger/pg/index.ts';

const idle = Number(process.env.HUNG_IDLE_MS);
const database = await openDatabase({ url: process.env.DATABASE_URL!, maxConnections: 2 });
const sequencer = new Sequencer({
  store: new LogStore(database.db, nodeRfc6962),
  timeouts: { lockMs: 5 * idle, statementMs: 10 * idle, idleInTransactionMs: idle },
});
const resumed = new Promise((r) => process.once('SIGCONT', r));
try {
  const ack = await sequencer.appendWith(async () => {
    writeSync(1, 'locked\n');
    await resumed;
    return { entry: new TextEncoder().encode('{"kind":"test.hung"}'), result: undefined };
  });
  writeSync(1, `acknowledged ${ack.index}\n`);
} catch (err) {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  writeSync(1, `rejected ${String(e.cause?.code ?? e.code ?? (err as Error).message)}\n`);
}
// exit at once: the connection the server ended is not worth closing politely
process.exit(0);
