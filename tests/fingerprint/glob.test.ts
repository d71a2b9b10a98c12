import { describe, expect, it } from 'vitest';
import { compileExcludes, globToRegExp } from '../../src/fingerprint/index.ts';

describe('--exclude globs', () => {
  const cases: [string, string, boolean][] = [
    ['*.tmp', 'a.tmp', true],
    ['*.tmp', 'deep/dir/a.tmp', true],
    ['*.tmp', 'a.tmpx', false],
    ['.git', '.git', true],
    ['.git', 'sub/.git', true],
    ['.git', '.gitignore', false],
    ['logs/**', 'logs/a/b.txt', true],
    ['logs/**', 'x/logs/a', false],
    ['logs', 'x/logs', true],
    ['/logs', 'x/logs', false],
    ['/logs', 'logs', true],
    ['raw/2024-??.csv', 'raw/2024-01.csv', true],
    ['raw/2024-??.csv', 'raw/2024-1.csv', false],
    ['raw/*.csv', 'raw/sub/a.csv', false],
    ['**/cache', 'a/b/cache', true],
    ['**/cache', 'cache', true],
    ['a/**/z', 'a/z', true],
    ['a/**/z', 'a/b/c/z', true],
    ['[ab].txt', 'a.txt', true],
    ['[!ab].txt', 'a.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['数据/*.csv', '数据/样本.csv', true],
    ['cafe\u0301.txt', 'caf\u00e9.txt', true],
    ['a+b(1).txt', 'a+b(1).txt', true],
  ];
  for (const [glob, path, want] of cases) {
    it(`${glob} ${want ? 'matches' : 'does not match'} ${path}`, () => {
      expect(globToRegExp(glob).test(path)).toBe(want);
    });
  }

  it('an empty list excludes nothing; an empty pattern is an error', () => {
    expect(compileExcludes([]).excludes('a')).toBe(false);
    expect(() => globToRegExp('')).toThrow(TypeError);
  });
});
