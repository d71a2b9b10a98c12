/**
 * `datadeed export-proof <entry index> [--out FILE]`: writes the entry's inclusion
 * proof as a C2SP tlog-proof file (default `entry-<index>.tlog-proof`; `--out -` for
 * stdout): the entry's bytes, the proof, and the checkpoint a bundle would carry (with
 * DATADEED_WITNESS_POLICY, the newest one meeting the quorum), with its cosignatures.
 * Reads the database (PostgreSQL, or the embedded one while the server is stopped).
 */
import { writeFileSync } from 'node:fs';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { readLogKey } from '../keys/node/index.ts';
import { nodeRfc6962 } from '../ledger/node/index.ts';
import { exportProof, LogStore, registryPolicy } from '../ledger/pg/index.ts';
import { nodeEd25519Verify } from '../witness/node/index.ts';
import { CommandError } from './errors.ts';
import { UsageError } from './usage.ts';

export async function runExportProof(config: Config, args: { index: string; out?: string }): Promise<number> {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(args.index) || !Number.isSafeInteger(Number(args.index)))
    throw new UsageError('bad_arguments', `the entry index must be a decimal number, got ${JSON.stringify(args.index)}`);
  const index = Number(args.index);
  let policy;
  if (config.witnessPolicy) {
    const key = readLogKey(config.keyFile, config.origin);
    if (key) policy = registryPolicy(config.witnessPolicy.policy, key.vkey);
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  let text: string;
  try {
    text = await exportProof(new LogStore(database.db, nodeRfc6962), index, policy ? { policy, verify: nodeEd25519Verify } : {});
  } finally {
    await database.close();
  }
  const out = args.out ?? `entry-${index}.tlog-proof`;
  if (out === '-') process.stdout.write(text);
  else {
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw new CommandError('write_failed', `cannot write ${out}: ${(err as Error).message}`);
    }
    process.stderr.write(`wrote ${out} (C2SP tlog-proof of entry ${index})\n`);
  }
  return 0;
}
