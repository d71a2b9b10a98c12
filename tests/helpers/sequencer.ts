/**
 * Test files in the order that ends a run soonest: the longest ones first (measured in
 * CI, slowest first), then vitest's own order. On a fresh checkout vitest has no
 * durations cached and starts the largest files first, which left the longest
 * (the page checks, the fuzz, the audits) to start last and run alone at the end.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export function longestFirst(slowest: readonly string[]): typeof BaseSequencer {
  return class LongestFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const base = await super.sort(files);
      const rank = (f: TestSpecification) => {
        const i = slowest.indexOf(path.relative(process.cwd(), f.moduleId).split(path.sep).join('/'));
        return i < 0 ? slowest.length : i;
      };
      return [...base].sort((a, b) => rank(a) - rank(b));
    }
  };
}
