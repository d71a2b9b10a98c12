/**
 * One computation per key at a time: callers asking for a key already being computed
 * wait for that computation instead of starting another. `keep` runs once with the
 * value before any caller sees it; a failure is passed to every waiting caller and
 * nothing is kept. Used by the caches of rendered PDFs and certificate statuses.
 */
export class SingleFlight<V> {
  readonly #running = new Map<string, Promise<V>>();

  run(key: string, compute: () => Promise<V>, keep: (value: V) => void): Promise<V> {
    const pending = this.#running.get(key);
    if (pending) return pending;
    const p = compute().then(
      (value) => {
        this.#running.delete(key);
        keep(value);
        return value;
      },
      (err: unknown) => {
        this.#running.delete(key);
        throw err;
      },
    );
    this.#running.set(key, p);
    return p;
  }
}
