/** `datadeed serve`: open the database, start the sequencer, serve HTTP. */
import { serve } from '@hono/node-server';
import pino from 'pino';
import type { Config } from '../config.ts';
import { createContext } from '../context.ts';
import { createApp } from '../api/app.tsx';
import { seedDemo } from '../registry/demo.ts';

export async function runServe(config: Config, opts: { demo: boolean }): Promise<number> {
  const logger = pino({ level: config.logLevel, base: { service: 'datadeed' } });
  const ctx = await createContext(config, {
    onFatal: (err) => logger.fatal({ err: err.message }, 'sequencer stopped: invariant violated'),
  });
  const app = createApp(ctx, { logger });
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
      const issued = await ctx.registry.applications.closeElapsedNotices();
      const expired = await ctx.registry.certificates.expireDue();
      if (issued || expired) logger.info({ issued, expired }, 'registry clock');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'registry clock failed');
    }
  };
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  void tick();
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
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
