/**
 * `datadeed witness init|add-log|serve` — a notary's witness (C2SP tlog-witness) with
 * its own key and embedded database in `--data-dir`.
 *
 * - init --data-dir D --name N: creates the cosigning key (0600) and the database;
 *   prints the witness's verifier key.
 * - add-log --data-dir D --vkey VKEY [--origin O]: trusts a log (never removed); run
 *   it while the witness is stopped.
 * - serve --data-dir D [--port P] [--host H]: serves until SIGINT / SIGTERM.
 * - attest --data-dir D --origin O --office NAME --digest HEX --number N [--time T]: signs a
 *   notarial attestation of a digest with the witness key (src/witness/attestation.ts) and
 *   prints the JSON body of `POST /v1/attestations` (the office as the registry knows the
 *   notary's organisation, the origin the registry's log; T an RFC 3339 time, default now).
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

const DEFAULT_PORT = 7380;

function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError('missing_option', `--${name} is required`);
  return value;
}

function fail(code: string, message: string): number {
  process.stderr.write(`datadeed: [${code}] ${message}\n`);
  return 2;
}

/** Runs a witness subcommand; returns the exit code (serve returns when stopped). */
export async function runWitness(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      vkey: { type: 'string' },
      origin: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      office: { type: 'string' },
      digest: { type: 'string' },
      number: { type: 'string' },
      time: { type: 'string' },
    },
    strict: true,
  });
  const allowed: Record<string, string[]> = {
    init: ['data-dir', 'name'],
    'add-log': ['data-dir', 'vkey', 'origin'],
    serve: ['data-dir', 'port', 'host'],
    attest: ['data-dir', 'origin', 'office', 'digest', 'number', 'time'],
  };
  if (sub === undefined || !(sub in allowed)) {
    throw new UsageError('unknown_command', `unknown witness subcommand ${JSON.stringify(sub ?? '')} (expected: init, add-log, serve, attest)`);
  }
  for (const k of Object.keys(values)) {
    if (!allowed[sub]!.includes(k)) throw new UsageError('bad_option', `--${k} does not apply to witness ${sub}`);
  }
  const dataDir = requireOption(values['data-dir'], 'data-dir');
  const { WitnessError } = await import('../witness/index.ts');
  const { WitnessStoreError } = await import('../witness/pg/index.ts');
  const { WitnessKeyError } = await import('../witness/node/index.ts');
  try {
    switch (sub) {
      case 'init': {
        const { initWitness } = await import('../witness/node/index.ts');
        const key = await initWitness(dataDir, requireOption(values.name, 'name'));
        process.stdout.write(`witness ${key.name} created in ${dataDir}; its verifier key (give it to the logs and verifiers that trust this witness):\n${key.vkey}\n`);
        return 0;
      }
      case 'add-log': {
        const { checkTrustedLog, openWitness } = await import('../witness/node/index.ts');
        const { originHash } = await import('../witness/index.ts');
        const log = checkTrustedLog(requireOption(values.vkey, 'vkey'), values.origin);
        const { store } = await openWitness(dataDir);
        try {
          const added = await store.addTrustedLog(log.origin, log.vkey);
          process.stdout.write(`${added ? 'trusted' : 'already trusted'}: log ${JSON.stringify(log.origin)} (monitoring path /${originHash(log.origin)}/checkpoint) with key ${log.vkey}\n`);
        } finally {
          await store.close();
        }
        return 0;
      }
      case 'attest': {
        const { loadWitnessKeyFile, witnessPaths } = await import('../witness/node/index.ts');
        const { signAttestation } = await import('../witness/index.ts');
        const timeText = values.time ?? new Date().toISOString();
        const at = Date.parse(timeText);
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(timeText) || !Number.isFinite(at))
          throw new UsageError('bad_option', '--time is an RFC 3339 time, e.g. 2026-11-30T10:00:00+08:00');
        const key = loadWitnessKeyFile(witnessPaths(dataDir).keyFile);
        const statement = {
          origin: requireOption(values.origin, 'origin'),
          office: requireOption(values.office, 'office'),
          digest: requireOption(values.digest, 'digest').toLowerCase(),
          notarialNumber: requireOption(values.number, 'number'),
          attestedAt: new Date(at).toISOString(),
        };
        const signed = await signAttestation(statement, key.vkey, key.cosigner.sign);
        process.stdout.write(`${JSON.stringify({ digest: statement.digest, notarialNumber: statement.notarialNumber, attestedAt: statement.attestedAt, ...signed }, null, 2)}\n`);
        return 0;
      }
      case 'serve': {
        const portText = values.port ?? DEFAULT_PORT.toString();
        if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError('bad_option', '--port is 0 to 65535');
        const { startWitnessServer } = await import('../witness/node/index.ts');
        const running = await startWitnessServer({ dataDir, port: Number(portText), host: values.host ?? '127.0.0.1' });
        process.stdout.write(
          `witness ${running.name} serving on ${running.url}  (verifier key ${running.vkey}; ${running.origins.length} trusted log${running.origins.length === 1 ? '' : 's'})\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => void running.close().then(resolve, resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof WitnessError || err instanceof WitnessStoreError || err instanceof WitnessKeyError) return fail(err.code, err.message);
    if (err instanceof Error && /already in use/.test(err.message)) return fail('startup_failed', err.message);
    throw err;
  }
  return 2;
}
