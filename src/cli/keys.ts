/**
 * `datadeed keys list|generate|rotate`.
 * - list: every published verifier key with its purpose and validity window.
 * - generate: a new certificate key file (not yet active); prints its verifier key.
 * - rotate [--key-id ID]: make a new (or the given, generated) key the active
 *   certificate key and retire the old one — logged as key.retired / key.added.
 */
import { parseArgs } from 'node:util';
import { asc } from 'drizzle-orm';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { signingKeys } from '../db/schema.ts';
import { generateCertificateKey } from '../certificates/keyring.ts';
import { createContext } from '../context.ts';
import { rotateCertificateKey } from '../registry/keys.ts';
import { UsageError } from './usage.ts';

export async function runKeys(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { 'key-id': { type: 'string' } }, strict: true });
  if (values['key-id'] !== undefined && !/^[0-9a-f]{8}$/.test(values['key-id'])) throw new UsageError('bad_option', '--key-id is 8 lowercase hex digits');
  switch (sub) {
    case 'list': {
      const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
      try {
        const rows = await database.db.select().from(signingKeys).orderBy(asc(signingKeys.validFrom));
        for (const r of rows)
          process.stdout.write(
            `${r.keyId}  ${r.purpose.padEnd(11)}  ${r.validFrom.toISOString()} – ${r.validUntil ? r.validUntil.toISOString() : 'active'.padEnd(24)}  ${r.vkey}\n`,
          );
        return 0;
      } finally {
        await database.close();
      }
    }
    case 'generate': {
      const key = generateCertificateKey(config.dataDir, config.origin);
      process.stdout.write(`generated certificate key ${key.keyId} (not active; activate with: datadeed keys rotate --key-id ${key.keyId})\n${key.vkey}\n`);
      return 0;
    }
    case 'rotate': {
      const ctx = await createContext(config);
      try {
        const r = await rotateCertificateKey({ db: ctx.database.db, appendManyWith: (e) => ctx.sequencer.appendManyWith(e), now: () => ctx.clock.now() }, config.dataDir, config.origin, values['key-id']);
        process.stdout.write(`active certificate key ${r.active}${r.retired ? ` (retired ${r.retired})` : ''}\n${r.vkey}\n`);
        return 0;
      } finally {
        await ctx.close();
      }
    }
    default:
      throw new UsageError('unknown_command', `unknown keys subcommand ${JSON.stringify(sub ?? '')} (expected: list, generate, rotate)`);
  }
}
