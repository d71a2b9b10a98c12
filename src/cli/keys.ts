/**
 * `datadeed keys list|generate|rotate` — the only way new keys come into being, apart
 * from the first start of an empty log (and the first document key of a log without one).
 * - list: every published key with its purpose and validity window (a document key
 *   with its certificate's SHA-256).
 * - generate [--purpose certificate|log|document]: a new certificate key file (not yet
 *   active), the log key file (DATADEED_KEY_FILE) before a log's first start, or a
 *   document-signing key and its certificate, issued by the registry CA of this data
 *   directory (created with it when there is none; not yet active unless the log holds
 *   no document key); never overwrites a key file. Prints the verifier key, or the
 *   certificate in PEM.
 * - rotate [--purpose certificate|document] [--key-id ID]: make a new (or the given,
 *   generated) key the active certificate (or document) key and retire the old one —
 *   logged as key.retired / key.added. The log key is checked against the log first; a
 *   lost certificate or document key is recovered so.
 */
import { parseArgs } from 'node:util';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { certificateSha256, createLogKey, generateCertificateKey, generateDocumentKey } from '../keys/node/index.ts';
import { publishedKeys, rotateCertificateKey, rotateDocumentKey } from '../keys/pg/index.ts';
import { composeSystem } from '../compose.ts';
import { certificatePem, formatKeyId } from '../certificates/index.ts';
import { fromBase64 } from '../ledger/index.ts';
import { UsageError } from './usage.ts';

export async function runKeys(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { 'key-id': { type: 'string' }, purpose: { type: 'string' } }, strict: true });
  const purpose = values.purpose ?? 'certificate';
  if (purpose !== 'certificate' && purpose !== 'log' && purpose !== 'document') throw new UsageError('bad_option', '--purpose is certificate, log or document');
  if (values.purpose !== undefined && sub !== 'generate' && sub !== 'rotate') throw new UsageError('bad_option', '--purpose goes with keys generate or keys rotate');
  if (sub === 'rotate' && purpose === 'log') throw new UsageError('bad_option', 'the log key is never rotated');
  const idPattern = purpose === 'document' ? /^[0-9a-f]{16}$/ : /^[0-9a-f]{8}$/;
  if (values['key-id'] !== undefined && !idPattern.test(values['key-id']))
    throw new UsageError('bad_option', `--key-id is ${purpose === 'document' ? 16 : 8} lowercase hex digits`);
  switch (sub) {
    case 'list': {
      const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
      try {
        for (const r of await publishedKeys(database.db))
          process.stdout.write(
            `${r.keyId}  ${r.purpose.padEnd(11)}  ${r.validFrom.toISOString()} – ${r.validUntil ? r.validUntil.toISOString() : 'active'.padEnd(24)}  ${
              r.vkey ?? `certificate sha256:${r.certificate ? certificateSha256(fromBase64(r.certificate)) : '?'}`
            }\n`,
          );
        return 0;
      } finally {
        await database.close();
      }
    }
    case 'generate': {
      if (purpose === 'log') {
        const key = createLogKey(config.keyFile, config.origin);
        process.stdout.write(
          `generated log key ${formatKeyId(key.keyId)} in ${config.keyFile} (an empty log publishes it at its first start; a log that holds another key refuses it)\n${key.vkey}\n`,
        );
        return 0;
      }
      if (purpose === 'document') {
        const key = await generateDocumentKey(config.dataDir, config.origin, new Date());
        process.stdout.write(
          `generated document key ${key.keyId} in ${key.file}, certificate sha256:${certificateSha256(key.certificate)} ` +
            `(published at the next start of a log that holds no document key; otherwise activate with: datadeed keys rotate --purpose document --key-id ${key.keyId})\n${certificatePem(key.certificate)}`,
        );
        return 0;
      }
      const key = generateCertificateKey(config.dataDir, config.origin);
      process.stdout.write(`generated certificate key ${key.keyId} (not active; activate with: datadeed keys rotate --key-id ${key.keyId})\n${key.vkey}\n`);
      return 0;
    }
    case 'rotate': {
      const system = await composeSystem(config, { keys: 'rotate' });
      try {
        const deps = { db: system.database.db, appendManyWith: <T>(e: Parameters<typeof system.appendManyWith<T>>[0]) => system.appendManyWith(e), now: () => system.clock.now() };
        if (purpose === 'document') {
          const r = await rotateDocumentKey(deps, config.dataDir, config.origin, values['key-id']);
          process.stdout.write(`active document key ${r.active}${r.retired ? ` (retired ${r.retired})` : ''}; restart the servers to sign with it\n${certificatePem(r.certificate)}`);
          return 0;
        }
        const r = await rotateCertificateKey(deps, config.dataDir, config.origin, values['key-id']);
        process.stdout.write(`active certificate key ${r.active}${r.retired ? ` (retired ${r.retired})` : ''}\n${r.vkey}\n`);
        return 0;
      } finally {
        await system.close();
      }
    }
    default:
      throw new UsageError('unknown_command', `unknown keys subcommand ${JSON.stringify(sub ?? '')} (expected: list, generate, rotate)`);
  }
}
