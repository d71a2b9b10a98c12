/**
 * Prometheus metrics (prom-client), one registry per app: HTTP requests by route and
 * status with latency histograms, the log's appends, batch sizes, queue depth, tree
 * size and the age of the newest published checkpoint, the registry clock's job runs,
 * and Node's process metrics. Labels are bounded: a route is its pattern
 * (`/v1/certificates/:number`), never the URL.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LogReader } from '../ledger/index.ts';

/** What the metrics read from the log. */
export interface LogMetricsSource {
  log: Pick<LogReader, 'treeSize' | 'latestCheckpoint' | 'writerStats' | 'onBatch' | 'witnessStatus'>;
  now(): Date;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly jobs: Counter<'job' | 'outcome'>;
  private readonly stopBatches: () => void;

  constructor(source: LogMetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'datadeed_http_requests_total', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.latency = new Histogram({
      name: 'datadeed_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.jobs = new Counter({ name: 'datadeed_job_runs_total', help: 'Runs of the periodic jobs (notice closing, expiry) by outcome', labelNames: ['job', 'outcome'], registers });
    const appends = new Counter({ name: 'datadeed_log_appends_total', help: 'Entries appended to the log by this instance', registers });
    const batches = new Histogram({
      name: 'datadeed_log_batch_entries',
      help: 'Entries per committed batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    const batchSeconds = new Histogram({
      name: 'datadeed_log_batch_seconds',
      help: 'Time to integrate and commit one batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.stopBatches = source.log.onBatch((entries, ms) => {
      appends.inc(entries);
      batches.observe(entries);
      batchSeconds.observe(ms / 1000);
    });
    new Gauge({
      name: 'datadeed_log_queue_depth',
      help: 'Appends waiting for a batch',
      registers,
      collect() {
        this.set(source.log.writerStats().queueDepth);
      },
    });
    new Counter({
      name: 'datadeed_log_appends_refused_total',
      help: 'Appends refused because the queue was full (503)',
      registers,
      collect() {
        const refused = source.log.writerStats().refused;
        this.reset();
        this.inc(refused);
      },
    });
    new Counter({
      name: 'datadeed_log_tree_state_vacuums_total',
      help: 'Vacuums of the tree state table (each batch leaves its old partial tiles behind)',
      labelNames: ['result'],
      registers,
      collect() {
        const s = source.log.writerStats();
        this.reset();
        this.inc({ result: 'ok' }, s.vacuums);
        this.inc({ result: 'failed' }, s.vacuumFailures);
      },
    });
    new Gauge({
      name: 'datadeed_log_tree_size',
      help: 'Entries in the evidence log',
      registers,
      async collect() {
        this.set(await source.log.treeSize());
      },
    });
    new Gauge({
      name: 'datadeed_witnesses_failing',
      help: 'Witnesses of the trust policy whose last request failed',
      registers,
      collect() {
        this.set(source.log.witnessStatus().filter((w) => w.failures > 0).length);
      },
    });
    new Gauge({
      name: 'datadeed_checkpoint_age_seconds',
      help: 'Age of the newest published checkpoint (-1 for a log never written)',
      registers,
      async collect() {
        const cp = await source.log.latestCheckpoint();
        this.set(cp ? Math.max(0, (source.now().getTime() - cp.createdAt.getTime()) / 1000) : -1);
      },
    });
  }

  /** Records one answered request. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /** Records one run of a periodic job. */
  jobRun(job: string, outcome: 'ok' | 'error'): void {
    this.jobs.inc({ job, outcome });
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to the log. */
  close(): void {
    this.stopBatches();
  }
}
