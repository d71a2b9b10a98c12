/** `datadeed serve`: open the database, start the sequencer, serve HTTP. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';
import { composeSystem } from '../compose.ts';
import { createApp, errorForLog, ReadAnswers, readFastPath, ServerMetrics } from '../api/app.tsx';
import { seedDemo } from './demo.ts';
import { startHttpServer } from './http-server.ts';

/**
 * What the server logs when the sequencer or publisher stops for good: the error as
 * `errorForLog` gives it — never a raw message, which for a failed query repeats its
 * parameters (password hashes, token hashes, personal data).
 */
export function logFatal(logger: Pick<Logger, 'fatal'>): (err: Error) => void {
  return (err) => logger.fatal({ err: errorForLog(err) }, 'sequencer stopped: invariant violated');
}

export async function runServe(config: Config, opts: { demo: boolean }): Promise<number> {
  const logger = pino({ level: config.logLevel, base: { service: 'datadeed' } });
  const ctx = await composeSystem(config, {
    onFatal: logFatal(logger),
  });
  const metrics = new ServerMetrics({ log: ctx.services.log, now: () => ctx.clock.now() });
  // the ready answers of /checkpoint and /tile/*: the app builds them, the fast path in
  // front of it serves them without a trip through hono (issue #20)
  const readAnswers = new ReadAnswers(ctx.services.log, config.tileCacheBytes);
  const app = createApp(ctx.services, { logger, metrics, readAnswers });
  if (opts.demo) {
    const demo = await seedDemo(ctx);
    if (demo.created) {
      process.stdout.write(`\nDemo data set created. Accounts (also in ${demo.credentialsFile}, mode 0600):\n`);
      for (const a of demo.accounts) process.stdout.write(`  ${a.role.padEnd(9)} user ${a.username.padEnd(15)} password ${a.password}  token ${a.token}\n`);
      process.stdout.write(`Issued certificate: ${demo.certificateNumber}  (verify at ${config.publicUrl}/verify/${demo.certificateNumber})\n\n`);
    } else process.stdout.write(`Demo data set already present (credentials in ${demo.credentialsFile}); certificate ${demo.certificateNumber}\n`);
  }
  // the registry's clock: close elapsed public notices (→ issue) and expire certificates
  const tick = async () => {
    try {
      const issued = await ctx.registry.applications.closeElapsedNotices((applicationId, err) =>
        logger.error({ applicationId, err: errorForLog(err) }, 'registry clock: approval failed'),
      );
      const expired = await ctx.registry.certificates.expireDue();
      const sessionsPurged = await ctx.accounts.purgeExpiredSessions();
      if (issued || expired || sessionsPurged) logger.info({ issued, expired, sessionsPurged }, 'registry clock');
      metrics.jobRun('registry-clock', 'ok');
    } catch (err) {
      metrics.jobRun('registry-clock', 'error');
      logger.error({ err: errorForLog(err) }, 'registry clock failed'); // never a failed query's parameters
    }
  };
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  void tick();
  // header, request and keep-alive timeouts: half-open connections are closed (http-server.ts)
  const server = startHttpServer({ fetch: app.fetch, port: config.port, hostname: config.host, fastPath: readFastPath(readAnswers, { metrics, logger }) });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  }).catch(async (err: NodeJS.ErrnoException) => {
    await ctx.close();
    throw new Error(err.code === 'EADDRINUSE' ? `PORT: ${config.host}:${config.port} is already in use` : err.message);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  logger.info(
    { url: `http://${config.host}:${port}`, origin: config.origin, vkey: ctx.logKey.vkey, database: ctx.database.kind },
    'datadeed serving',
  );
  process.stdout.write(`DataDeed serving on http://${config.host}:${port}  (log ${config.origin}, verifier key ${ctx.logKey.vkey})\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(timer);
    server.close();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return 0;
}
