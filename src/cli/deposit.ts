/**
 * `datadeed deposit <file|dir> --title T [--kind K] [--previous ID] --server URL [--token T] [--out DIR]`:
 * fingerprint locally (the data never leaves this machine), deposit the file's
 * SHA-256 or the directory's manifest root, and save `<id>.receipt.json` (verify it
 * with `datadeed verify`). The token may come from DATADEED_TOKEN instead of --token,
 * which keeps it out of the process list.
 */
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprintPath } from '../fingerprint/node/index.ts';
import { UsageError } from './usage.ts';
import { CommandError } from './errors.ts';
import { EXIT_CODE, exitCodeOf } from './exit-codes.ts';

const KINDS = ['manifest', 'file', 'snapshot', 'document', 'other'];

/** `fetch`, with a network failure as `online_unavailable`. */
async function reach(base: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new CommandError('online_unavailable', `cannot reach ${base}`);
  }
}

export async function runDeposit(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      title: { type: 'string' },
      kind: { type: 'string' },
      previous: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string', default: '.' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('bad_arguments', 'deposit takes one <file|dir>');
  const title = values.title?.trim();
  if (!title || title.length > 500) throw new UsageError('bad_option', '--title is required (1–500 characters)');
  if (values.kind && !KINDS.includes(values.kind)) throw new UsageError('bad_option', `--kind must be one of ${KINDS.join(', ')}`);
  if (values.previous && !/^EV-\d{4}-\d{8}$/.test(values.previous)) throw new UsageError('bad_option', '--previous must be a deposit id like EV-2026-00000001');
  let server: URL;
  try {
    server = new URL(values.server ?? '');
    if (server.protocol !== 'http:' && server.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError('bad_option', '--server must be the registry URL, e.g. http://127.0.0.1:8080');
  }
  const token = values.token ?? process.env.DATADEED_TOKEN;
  if (!token || !/^ddt_[A-Za-z0-9_-]{43}$/.test(token)) throw new UsageError('bad_option', 'an API token is required (--token or DATADEED_TOKEN)');

  const fp = await fingerprintPath(positionals[0]!);
  const m = fp.manifest;
  const single = fp.kind === 'file';
  const digest = single ? m.entries[0]!.sha256 : m.root;
  const kind = values.kind ?? (single ? 'file' : 'manifest');
  process.stderr.write(`fingerprinted ${m.files} file(s), ${m.bytes} bytes; depositing ${single ? 'SHA-256' : 'manifest root'} ${digest}\n`);

  const base = server.toString().replace(/\/+$/, '');
  const res = await reach(base, `${base}/v1/evidence`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ digest, kind, title, files: m.files, bytes: m.bytes, ...(values.previous ? { previous: values.previous } : {}) }] }),
  });
  const body = (await res.json().catch(() => null)) as { items?: { id: string; created: boolean; logIndex: number }[]; code?: string; detail?: string } | null;
  if (!res.ok || !body?.items?.[0]) {
    // the registry's problem code, with the exit status that code has everywhere
    const code = typeof body?.code === 'string' && /^[a-z_]{1,64}$/.test(body.code) ? body.code : 'deposit_failed';
    process.stderr.write(`datadeed: [${code}] the registry answered ${res.status}${body?.detail ? `: ${body.detail}` : ''}\n`);
    return code === 'deposit_failed' ? EXIT_CODE.deposit_failed : exitCodeOf(code, res.status);
  }
  const item = body.items[0];
  const receipt = await reach(base, `${base}/v1/evidence/${item.id}/receipt`, { headers: { authorization: `Bearer ${token}` } });
  if (!receipt.ok) throw new CommandError('receipt_failed', `deposited as ${item.id}, but the receipt could not be fetched (${receipt.status})`);
  const file = path.join(values.out!, `${item.id}.receipt.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, await receipt.text(), { mode: 0o644 });
  renameSync(tmp, file);
  process.stdout.write(`${item.created ? 'deposited' : 'already deposited'} ${item.id} (log entry #${item.logIndex}); receipt saved to ${file}\n`);
  return 0;
}
