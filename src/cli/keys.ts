/** `datadeed keys list`: the published verifier keys. */
import { asc } from 'drizzle-orm';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { signingKeys } from '../db/schema.ts';
import { UsageError } from './usage.ts';

export async function runKeys(config: Config, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub !== 'list') throw new UsageError('unknown_command', `unknown keys subcommand ${JSON.stringify(sub ?? '')} (expected: list)`);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  try {
    const rows = await database.db.select().from(signingKeys).orderBy(asc(signingKeys.validFrom));
    for (const r of rows)
      process.stdout.write(
        `${r.keyId}  ${r.purpose.padEnd(11)}  ${r.validFrom.toISOString()} – ${r.validUntil ? r.validUntil.toISOString() : 'active'}  ${r.vkey}\n`,
      );
    return 0;
  } finally {
    await database.close();
  }
}
