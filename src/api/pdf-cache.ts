/**
 * Rendered PDFs, kept (issue 15, finding 7: four anonymous clients fetching certificate PDFs
 * raised other requests' p99 from 32 ms to 574 ms). A certificate's PDF is a function of its
 * payload, its bundle — which changes only with the checkpoint it is proven to — and its
 * status; the caller keys it by (number, checkpoint size, status). One render per key:
 * concurrent requests for a key being rendered wait for that render. Bounded by entries
 * and bytes, least recently used first out; in this process's memory.
 */

import { SingleFlight } from './single-flight.ts';

export const PDF_CACHE_MAX_ENTRIES = 128;
export const PDF_CACHE_MAX_BYTES = 32 * 1024 * 1024;

export class PdfCache {
  readonly #done = new Map<string, Uint8Array>();
  readonly #rendering = new SingleFlight<Uint8Array>();
  #bytes = 0;

  constructor(
    readonly maxEntries = PDF_CACHE_MAX_ENTRIES,
    readonly maxBytes = PDF_CACHE_MAX_BYTES,
  ) {}

  /** The PDF of `key`: kept, being rendered, or rendered now by `render` (a failed render is not kept). */
  get(key: string, render: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.#done.get(key);
    if (hit) {
      this.#done.delete(key);
      this.#done.set(key, hit); // most recently used last
      return Promise.resolve(hit);
    }
    return this.#rendering.run(key, render, (pdf) => this.#keep(key, pdf));
  }

  /** PDFs kept now, and their bytes. */
  get size(): number {
    return this.#done.size;
  }
  get bytes(): number {
    return this.#bytes;
  }

  #keep(key: string, pdf: Uint8Array): void {
    if (pdf.length > this.maxBytes) return;
    this.#done.set(key, pdf);
    this.#bytes += pdf.length;
    for (const [k, v] of this.#done) {
      if (this.#done.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.#done.delete(k);
      this.#bytes -= v.length;
    }
  }
}
