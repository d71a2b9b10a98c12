/**
 * Progress display for long runs. On a terminal: one self-overwriting bar line with
 * bytes, files, rate and ETA, redrawn at most 10 times a second. Otherwise (a pipe, a
 * CI log): a plain line every few seconds. The clock is injected.
 */
import { formatBytes } from '../format.ts';
import type { FingerprintProgress } from './fingerprint.ts';

export { formatBytes };

export interface ProgressSink {
  write(text: string): unknown;
}

/** Seconds → "1:02:03" or "2:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export class ProgressReporter {
  readonly #out: ProgressSink;
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #width: number;
  readonly #start: number;
  #last = -Infinity;
  #drawn = false;
  #latest: FingerprintProgress | undefined;

  /**
   * @param tty - draw a bar (terminal) or print plain lines.
   * @param now - milliseconds clock.
   * @param columns - terminal width.
   */
  constructor(out: ProgressSink, opts: { tty: boolean; now?: () => number; columns?: number }) {
    this.#out = out;
    this.#tty = opts.tty;
    this.#now = opts.now ?? (() => performance.now());
    this.#width = Math.min(opts.columns !== undefined && opts.columns > 0 ? opts.columns : 80, 160);
    this.#start = this.#now();
    // Plain lines: the first after a few seconds, so short runs print only their summary.
    if (!this.#tty) this.#last = this.#start;
  }

  /** Records progress; draws if enough time has passed. */
  update(p: FingerprintProgress): void {
    this.#latest = p;
    const now = this.#now();
    if (now - this.#last < (this.#tty ? 100 : 5000)) return;
    this.#last = now;
    this.#draw(p, now);
  }

  /** Clears the bar line (terminal) before other output. */
  clear(): void {
    if (this.#tty && this.#drawn) {
      this.#out.write('\r\x1b[K');
      this.#drawn = false;
    }
  }

  /** Draws the final state and ends the bar line. */
  finish(): void {
    if (this.#latest !== undefined && this.#tty) {
      this.#draw(this.#latest, this.#now());
      this.#out.write('\n');
      this.#drawn = false;
    }
  }

  #draw(p: FingerprintProgress, now: number): void {
    const elapsed = (now - this.#start) / 1000;
    let text: string;
    if (p.phase === 'listing') {
      text = `listing… ${p.files.toLocaleString('en-US')} files, ${formatBytes(p.bytes)}`;
    } else {
      const fraction = p.totalBytes > 0 ? p.bytes / p.totalBytes : p.totalFiles > 0 ? p.files / p.totalFiles : 1;
      const rate = elapsed > 0 ? p.bytes / elapsed : 0;
      const eta = rate > 0 ? (p.totalBytes - p.bytes) / rate : NaN;
      const stats = `${(fraction * 100).toFixed(1).padStart(5)}% ${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)} · ${p.files.toLocaleString('en-US')}/${p.totalFiles.toLocaleString('en-US')} files · ${formatBytes(rate)}/s · ETA ${formatDuration(eta)}`;
      const barWidth = Math.min(40, this.#width - stats.length - 4);
      if (this.#tty && barWidth >= 10) {
        const filled = Math.min(barWidth, Math.round(fraction * barWidth));
        text = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${stats}`;
      } else text = stats;
    }
    if (this.#tty) {
      this.#out.write(`\r\x1b[K${text.slice(0, this.#width - 1)}`);
      this.#drawn = true;
    } else this.#out.write(`fingerprint: ${text}\n`);
  }
}
