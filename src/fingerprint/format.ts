/** How dataset sizes are written for people (CLI progress and summaries, certificate PDFs, the browser page). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * A byte count in binary units with one decimal: 512 → "512 B", 1536 → "1.5 KiB",
 * 73,014,444,032 → "68.0 GiB". Precondition: a finite number ≥ 0 (a rate may be fractional).
 */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(n)} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}
