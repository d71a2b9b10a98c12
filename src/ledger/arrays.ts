/**
 * An empty array that already holds "any value" (V8's PACKED_ELEMENTS kind) rather than
 * small integers, the kind an empty literal starts with. For arrays of objects or
 * strings that a hot loop fills anew in every run: optimised code that met the arrays
 * of one run (already changed to objects) was thrown away at the first array of the next
 * run — the `--trace-deopt` of repeated fingerprints showed a "wrong map" and then a
 * "not a Smi" deoptimisation per run in each such loop, each followed by a new
 * compilation. Nothing else differs: the array is an ordinary empty array.
 */
export function objectArray<T>(): T[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as T[];
}
