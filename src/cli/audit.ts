/** `datadeed audit`: recompute the log and check every checkpoint. Exit 1 naming the first problem. */
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { auditLog } from '../ledger/audit.ts';
import { loadOrCreateLogKey } from '../ledger/keyfile.ts';
import { ed25519Verifier } from '../ledger/note.ts';
import { nodeRfc6962 } from '../ledger/node-hasher.ts';
import { LogStore } from '../ledger/store.ts';
import { signingKeys } from '../db/schema.ts';
import { eq } from 'drizzle-orm';

export async function runAudit(config: Config, opts: { json: boolean }): Promise<number> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  try {
    // Trust the key file's public key (the operator's), plus log keys published in the database
    // that carry the same name — a key only in the database is not trusted on its own.
    const { key } = loadOrCreateLogKey(config.keyFile, config.origin);
    const published = await database.db.select().from(signingKeys).where(eq(signingKeys.purpose, 'log'));
    const vkeys = new Set([key.vkey, ...published.filter((k) => k.vkey === key.vkey).map((k) => k.vkey)]);
    const report = await auditLog({
      store: new LogStore(database.db, nodeRfc6962),
      origin: config.origin,
      verifiers: [...vkeys].map((v) => ed25519Verifier(v)),
      onProgress: opts.json || !process.stderr.isTTY ? undefined : (d, t) => process.stderr.write(`\raudited ${d}/${t}`),
    });
    if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
    if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
    else if (report.ok) process.stdout.write(`audit ok: ${report.entries} entries, ${report.checkpoints} checkpoints, tree size ${report.treeSize}\n`);
    else {
      const p = report.problem!;
      const where = p.index !== undefined ? `index ${p.index}` : `checkpoint ${p.checkpoint}`;
      process.stdout.write(`audit FAILED at ${where} [${p.code}]: ${p.message}\n`);
    }
    return report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
