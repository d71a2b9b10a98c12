/**
 * `datadeed monitor <registry URL> --data-dir D [--port P] [--key <log vkey>] [--interval ms] [--once]`
 * (issue 16): follows a registry through its C2SP tlog-tiles alone — `/checkpoint` and
 * `/tile/entries/…` — into its own embedded PGlite database (D/db), and
 *
 * - checks each new checkpoint's signature with the log key (pinned with `--key`, else
 *   taken from the registry's `/v1/keys` on first start and kept in D/keys.json), and its
 *   consistency with the last: the entries it holds plus the new ones must hash to the new
 *   checkpoint's root (the tree it holds is the old checkpoint's, so a new root that does
 *   not fold from it is a fork);
 * - replays every entry (src/state) and recomputes every `state.committed` root;
 * - serves `GET /v1/certificates/{number}/status` and `GET /v1/evidence?digest=` with the
 *   same state proofs as the registry (docs/log-format.md §8.1), from its own copy, and
 *   `/checkpoint`.
 *
 * A wrong root or a fork is reported loudly — a line on stderr starting `ALERT`, an
 * evidence file in D/evidence/ (the checkpoint, the entry, the logged and the replayed
 * root) — and stops following; the command exits 1 (`--once`: after one round).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { openDatabase, type Database } from '../db/index.ts';
import { bytesEqual, decodeEntryBundle, parseCheckpoint, entriesPath, toBase64, toHex, TILE_WIDTH, type Checkpoint } from '../ledger/index.ts';
import { nodeRfc6962 } from '../ledger/node/index.ts';
import { LogStore, Sequencer } from '../ledger/pg/index.ts';
import { nodeEd25519 } from '../certificates/node/index.ts';
import { openCheckpoint } from '../certificates/index.ts';
import { applyEntry, certificateKeyId, committedRoot, depositKeyId, emptyState, stateRecord, StateRootChecker, type RegistryState, type StateKeyId } from '../state/index.ts';
import { replayStored } from '../state/pg/index.ts';
import { MapError, mapProofToBase64 } from '../state/map/index.ts';
import { nodeSha256 } from '../state/map/node/index.ts';
import { UsageError } from './usage.ts';

export interface MonitorOptions {
  url: string;
  dataDir: string;
  /** Trusted log verifier keys (C2SP vkeys); none: the registry's /v1/keys on first start, kept in D/keys.json. */
  logKeys?: string[];
  fetch?: (url: string) => Promise<Response>;
  /** Where alerts go (default stderr). */
  log?: (line: string) => void;
}

/** What a monitor found wrong, kept as evidence. */
export interface MonitorAlert {
  kind: 'wrong_state_root' | 'fork' | 'bad_checkpoint';
  detail: string;
  checkpoint: string;
  index?: number;
  entry?: string;
  logged?: string;
  replayed?: string;
}

export class Monitor {
  private state: RegistryState = emptyState();
  private checker = new StateRootChecker(nodeSha256);
  private checkpoint: { note: string; cp: Checkpoint } | undefined;
  /** The alert that stopped it, if any. */
  alert: MonitorAlert | undefined;

  private constructor(
    private readonly opts: MonitorOptions,
    private readonly database: Database,
    private readonly store: LogStore,
    private readonly sequencer: Sequencer,
    private logKeys: string[],
  ) {}

  /** Opens the monitor's database in D/db and replays what it holds (checking its roots again). */
  static async open(opts: MonitorOptions): Promise<Monitor> {
    mkdirSync(opts.dataDir, { recursive: true });
    const database = await openDatabase({ dataDir: path.join(opts.dataDir, 'db') });
    const store = new LogStore(database.db, nodeRfc6962);
    const m = new Monitor(opts, database, store, new Sequencer({ store, maxBatch: 4096 }), opts.logKeys ?? []);
    m.state = await replayStored(database.db, { hasher: nodeRfc6962, roots: m.checker });
    const saved = path.join(opts.dataDir, 'checkpoint');
    if (existsSync(saved)) {
      const note = readFileSync(saved, 'utf8');
      m.checkpoint = { note, cp: parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)) };
    }
    return m;
  }

  private get fetch() {
    return this.opts.fetch ?? ((u: string) => fetch(u));
  }

  private say(line: string): void {
    (this.opts.log ?? ((l) => process.stderr.write(`${l}\n`)))(line);
  }

  private async trusted(): Promise<string[]> {
    if (this.logKeys.length) return this.logKeys;
    const file = path.join(this.opts.dataDir, 'keys.json');
    if (existsSync(file)) this.logKeys = JSON.parse(readFileSync(file, 'utf8')) as string[];
    else {
      const keys = (await (await this.fetch(`${this.opts.url}/v1/keys`)).json()) as { keys: { purpose: string; vkey: string }[] };
      this.logKeys = keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey);
      writeFileSync(file, JSON.stringify(this.logKeys));
      this.say(`datadeed monitor: trusting the log keys ${this.logKeys.join(', ')} served by ${this.opts.url}/v1/keys (kept in ${file})`);
    }
    return this.logKeys;
  }

  private raise(a: MonitorAlert): MonitorAlert {
    this.alert = a;
    const dir = path.join(this.opts.dataDir, 'evidence');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${a.kind}-${a.index ?? 'size'}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ registry: this.opts.url, ...a }, null, 2));
    this.say(`ALERT datadeed monitor: ${a.kind} — ${a.detail} (evidence: ${file})`);
    return a;
  }

  /**
   * One round: fetch and check the newest checkpoint, fetch and replay the new entries,
   * check their committed roots and the new root. Returns the alert that stopped it, if any.
   */
  async poll(): Promise<MonitorAlert | undefined> {
    if (this.alert) return this.alert;
    const note = await (await this.fetch(`${this.opts.url}/checkpoint`)).text();
    const opened = await openCheckpoint(note, await this.trusted(), nodeEd25519);
    if (!opened.ok) return this.raise({ kind: 'bad_checkpoint', detail: `the checkpoint does not verify: ${opened.detail}`, checkpoint: note });
    const cp = opened.checkpoint;
    const held = (await this.store.treeState()).size;
    if (cp.size < held) return this.raise({ kind: 'fork', detail: `the registry's checkpoint has ${cp.size} entries, fewer than the ${held} this monitor holds`, checkpoint: note });
    for (let begin = held; begin < cp.size; ) {
      const tile = Math.floor(begin / TILE_WIDTH);
      const width = Math.min(TILE_WIDTH, cp.size - tile * TILE_WIDTH);
      const res = await this.fetch(`${this.opts.url}/${entriesPath(tile, width)}`);
      if (!res.ok) throw new Error(`GET ${entriesPath(tile, width)}: ${res.status}`);
      const entries = decodeEntryBundle(new Uint8Array(await res.arrayBuffer())).slice(begin - tile * TILE_WIDTH);
      for (let i = 0; i < entries.length; i++) {
        const index = begin + i;
        const data = entries[i]!;
        if (this.checker.observe(data)) {
          const logged = committedRoot(data);
          if (logged !== undefined && !(await this.checker.check(this.state, index, logged))) {
            const w = this.checker.wrong.at(-1)!;
            await this.sequencer.appendManyWith(async () => ({ entries: entries.slice(0, i), result: undefined }));
            return this.raise({
              kind: 'wrong_state_root',
              detail: `state.committed at index ${index} commits to ${w.logged}, the replayed state's root is ${w.replayed}`,
              checkpoint: note,
              index,
              entry: toBase64(data),
              logged: w.logged,
              replayed: w.replayed,
            });
          }
        }
        applyEntry(this.state, { index, data }, { hasher: nodeRfc6962 });
      }
      await this.sequencer.appendManyWith(async () => ({ entries, result: undefined }));
      begin += entries.length;
    }
    const tree = await this.store.treeState();
    if (!bytesEqual(tree.rootHash, cp.rootHash))
      return this.raise({ kind: 'fork', detail: `the entries served do not hash to the checkpoint's root (size ${cp.size}): the log does not extend what this monitor holds`, checkpoint: note });
    this.checkpoint = { note, cp };
    writeFileSync(path.join(this.opts.dataDir, 'checkpoint'), note);
    return undefined;
  }

  /** The newest checked checkpoint's size (0: none yet). */
  get size(): number {
    return this.checkpoint?.cp.size ?? 0;
  }

  /** A state proof (docs/log-format.md §8.1) from this monitor's copy, or why it cannot give one yet. */
  async stateProof(id: StateKeyId): Promise<Record<string, unknown> | string> {
    const commit = this.state.commit;
    if (!commit || !this.checkpoint) return 'no state commitment checked yet';
    if (this.checker.isDirty(id)) return 'changed since the newest state commitment: ask again after the next one';
    const record = stateRecord(this.state, id) ?? null;
    // the checker's map holds the tree of the newest commitment it checked (and found right)
    if (toHex(this.checker.map.root) !== commit.root) throw new MapError('missing_node', 'the state map of the newest commitment is not held');
    const proven = this.checker.prove([id])[0]!;
    const entry = await this.store.entry(commit.index);
    const { proof } = await this.store.inclusionProof(commit.index, this.checkpoint.cp.size);
    return {
      format: 'datadeed-state-proof/1',
      key: id.startsWith('c:') ? { certificate: id.slice(2) } : { digest: id.slice(2) },
      record,
      proof: mapProofToBase64(proven.proof),
      entry: { index: commit.index, data: toBase64(entry!) },
      inclusion: { treeSize: this.checkpoint.cp.size, proof: proof.map(toHex) },
      checkpoint: this.checkpoint.note,
    };
  }

  /** The monitor's HTTP API: the registry's status and lookup endpoints, from its own copy. */
  app(): Hono {
    const app = new Hono();
    app.get('/checkpoint', (c) => (this.checkpoint ? c.text(this.checkpoint.note) : c.text('no checkpoint yet', 503)));
    app.get('/v1/certificates/:number/status', async (c) => {
      const number = c.req.param('number');
      const p = await this.stateProof(certificateKeyId(number));
      if (typeof p === 'string') return c.json({ code: 'not_ready', detail: p }, 503);
      const r = p.record as { status?: string; supersededBy?: string | null } | null;
      if (!r) return c.json({ code: 'certificate_not_found', detail: `no certificate ${number}`, stateProof: p }, 404);
      return c.json({ number, status: r.status, supersededBy: r.supersededBy ?? null, stateProof: p, monitor: { registry: this.opts.url, treeSize: this.size } });
    });
    app.get('/v1/evidence', async (c) => {
      const digest = (c.req.query('digest') ?? '').toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(digest)) return c.json({ code: 'invalid_field', detail: 'digest is 64 hex digits' }, 400);
      const p = await this.stateProof(depositKeyId(digest));
      if (typeof p === 'string') return c.json({ code: 'not_ready', detail: p }, 503);
      return c.json({ digest, deposited: p.record !== null, stateProof: p, monitor: { registry: this.opts.url, treeSize: this.size } });
    });
    return app;
  }

  async close(): Promise<void> {
    await this.sequencer.close();
    await this.database.close();
  }
}

/** `datadeed monitor …`: follow, check, serve. Exit 1 after an alert. */
export async function runMonitor(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, key: { type: 'string', multiple: true }, interval: { type: 'string' }, once: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const url = positionals[0]?.replace(/\/+$/, '');
  if (!url || !/^https?:\/\//.test(url)) throw new UsageError('bad_url', 'datadeed monitor needs the registry URL (http or https)');
  if (!values['data-dir']) throw new UsageError('missing_option', 'datadeed monitor needs --data-dir');
  const interval = Number(values.interval ?? 2000);
  const m = await Monitor.open({ url, dataDir: values['data-dir'], ...(values.key ? { logKeys: values.key } : {}) });
  let server: ReturnType<typeof serve> | undefined;
  if (values.port !== undefined) {
    server = serve({ fetch: m.app().fetch, port: Number(values.port), hostname: '127.0.0.1' });
    process.stderr.write(`datadeed monitor: serving status proofs on http://127.0.0.1:${values.port}\n`);
  }
  try {
    for (;;) {
      const alert = await m.poll().catch((e: unknown) => {
        process.stderr.write(`datadeed monitor: ${(e as Error).message}; retrying\n`);
        return undefined;
      });
      if (alert) return 1;
      process.stderr.write(`datadeed monitor: ${m.size} entries checked, every state root right\n`);
      if (values.once) return 0;
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    server?.close();
    await m.close();
  }
}
