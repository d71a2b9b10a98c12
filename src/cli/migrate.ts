/** `datadeed migrate`: apply the SQL migrations and exit. */
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/index.ts';

export async function runMigrate(config: Config): Promise<number> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  await database.close();
  process.stdout.write(`migrations applied (${database.kind})\n`);
  return 0;
}
