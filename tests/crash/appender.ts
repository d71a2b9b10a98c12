/**
 * Child process for the crash test: appends under load forever and writes one line
 * per acknowledged entry to fd 1 synchronously: "<index> <leaf hash hex>".
 */
import { writeSync } from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { composeSystem } from '../../src/compose.ts';
import { toHex } from '../../src/ledger/index.ts';

const ctx = await composeSystem(loadConfig());
writeSync(1, 'ready\n');
const workers = Number(process.env.CRASH_WORKERS ?? 32);
let n = 0;
await Promise.all(
  Array.from({ length: workers }, async (_, w) => {
    for (;;) {
      const ack = await ctx.appendEvent({ kind: 'test.crash', worker: w, n: n++ });
      writeSync(1, `${ack.index} ${toHex(ack.leafHash)}\n`);
    }
  }),
);
