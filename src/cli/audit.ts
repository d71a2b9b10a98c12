/**
 * `datadeed audit [--json] [--trusted-checkpoint <file>]`: recompute the log, check
 * every published checkpoint (signature, root, consecutive consistency) and the tree
 * state; with a checkpoint saved earlier (by a client, or the signer's own record
 * beside the log key), check that the log extends it. Exit 1 naming the first
 * problem — `log_rolled_back` / `log_forked` for a log that does not extend it.
 *
 * Then replay the log into the registry's state and compare it with the tables: every
 * anomaly of the log (an entry its state does not allow, a time that goes back) is named
 * by index, every divergence by table, row, field, log value and table value; any of
 * them is exit 1.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { auditLog } from '../ledger/pg/index.ts';
import { readLogKey } from '../keys/node/index.ts';
import { KeyError } from '../keys/index.ts';
import { ed25519Verifier } from '../ledger/index.ts';
import { nodeRfc6962 } from '../ledger/node/index.ts';
import { LogStore } from '../ledger/pg/index.ts';
import { CommandError } from './errors.ts';
import { auditState, type AuditPositionStore } from '../state/pg/index.ts';
import { describeDivergence } from '../state/index.ts';

/**
 * The state audit's saved position, `<data dir>/audit-position.json` (written whole, then
 * renamed): the next audit replays only the entries appended since, when the entry before
 * the position is unchanged. It is the auditor's own file: keep it where the registry's
 * operators cannot write, or audit with `--full`.
 */
function positionFile(config: Config): AuditPositionStore {
  const file = path.join(config.dataDir, 'audit-position.json');
  return {
    read: async () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    write: async (text) => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    },
  };
}

export async function runAudit(config: Config, opts: { json: boolean; trustedCheckpoint?: string; full?: boolean }): Promise<number> {
  // Trust the operator's key file (its public half) — read before the database is
  // opened, and never created here: an audit with a new key would prove nothing.
  const key = readLogKey(config.keyFile, config.origin);
  if (!key)
    throw new KeyError(
      'log_key_missing',
      `datadeed audit checks checkpoints with the log key, and there is no key file ${config.keyFile}; point DATADEED_DATA_DIR or DATADEED_KEY_FILE at the log's key`,
    );
  let trusted: string | undefined;
  if (opts.trustedCheckpoint !== undefined) {
    try {
      trusted = readFileSync(opts.trustedCheckpoint, 'utf8');
    } catch (err) {
      throw new CommandError('file_not_found', `cannot read the trusted checkpoint ${opts.trustedCheckpoint}: ${(err as Error).message}`);
    }
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  try {
    const report = await auditLog({
      store: new LogStore(database.db, nodeRfc6962),
      origin: config.origin,
      verifiers: [ed25519Verifier(key.vkey)],
      trusted,
      onProgress: opts.json || !process.stderr.isTTY ? undefined : (d, t) => process.stderr.write(`\raudited ${d}/${t}`),
    });
    if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
    const state = await auditState({
      db: database.db,
      // resume the replay where the last audit of a log that extends this one stopped (only if the log audit passed)
      ...(opts.full || !report.ok ? {} : { position: positionFile(config) }),
      hasher: nodeRfc6962,
      onProgress: opts.json || !process.stderr.isTTY ? undefined : (d, t) => process.stderr.write(`\rreplayed ${d}/${t}`),
    });
    if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
    if (opts.json) process.stdout.write(JSON.stringify({ ...report, ok: report.ok && state.ok, log: { ok: report.ok }, state }) + '\n');
    else {
      if (report.ok)
        process.stdout.write(
          `audit ok: ${report.entries} entries, ${report.checkpoints} checkpoints, tree size ${report.treeSize}` +
            `${report.trustedSize !== undefined ? `, extends the trusted checkpoint of size ${report.trustedSize}` : ''}\n`,
        );
      else {
        const p = report.problem!;
        const where = p.index !== undefined ? `index ${p.index}` : p.checkpoint !== undefined ? `checkpoint ${p.checkpoint}` : 'the trusted checkpoint';
        process.stdout.write(`audit FAILED at ${where} [${p.code}]: ${p.message}\n`);
      }
      const ignored = state.ignored ? `, ${state.ignored} of unknown kinds ignored` : '';
      const roots = `, ${state.stateCommits} state roots recomputed${state.resumedFrom !== undefined ? ` (resumed at entry ${state.resumedFrom})` : ''}`;
      if (state.ok) process.stdout.write(`state ok: ${state.entries} entries replayed${ignored}${roots}, the registry's tables agree with the log\n`);
      else {
        process.stdout.write(
          `state FAILED: ${state.entries} entries replayed${ignored}; ${state.anomalies.length} anomalies in the log, ${state.divergences.length} divergences of the tables from the log, ${state.wrongRoots.length} wrong state roots\n`,
        );
        for (const a of state.anomalies) process.stdout.write(`  ANOMALY at index ${a.index} [${a.code}]: ${a.message}\n`);
        for (const d of state.divergences) process.stdout.write(`  DIVERGENCE ${describeDivergence(d)}\n`);
        for (const w of state.wrongRoots)
          process.stdout.write(`  WRONG STATE ROOT at index ${w.index} [state_root_mismatch]: the log commits to ${w.logged}, the replayed state's root is ${w.replayed}\n`);
      }
    }
    return report.ok && state.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
