/**
 * `--exclude` patterns: shell-style globs matched against canonical dataset-relative
 * paths. `*` matches within one segment, `?` one character of a segment, `[abc]` /
 * `[!a-z]` a character class, `**` any number of whole segments (also none). A pattern
 * without `/` matches a name at any depth (like `.gitignore`: `*.tmp`, `.git`); with a
 * `/` it is anchored at the dataset root (`logs/**`, `raw/2024-??.csv`). A leading `/`
 * only anchors. A directory that matches is not descended into.
 */

/** A compiled set of exclude patterns. */
export interface ExcludeMatcher {
  /** True when `path` (canonical, relative) is excluded. */
  excludes(path: string): boolean;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function segmentSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const escaped = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += negate ? `(?!/)[^${escaped}]` : `[${escaped}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  return out;
}

/**
 * Compiles one glob to a regular expression over whole paths.
 * @throws TypeError for an empty pattern.
 */
export function globToRegExp(pattern: string): RegExp {
  let glob = pattern.normalize('NFC');
  while (glob.endsWith('/') && glob.length > 1) glob = glob.slice(0, -1);
  if (glob === '' || glob === '/') throw new TypeError('empty exclude pattern');
  const anchored = glob.includes('/');
  if (glob.startsWith('/')) glob = glob.slice(1);
  const parts = glob.split('/');
  let source = '';
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '**') source += last ? '.*' : '(?:[^/]+/)*';
    else source += segmentSource(part) + (last ? '' : '/');
  });
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source}$`, 'u');
}

/** Compiles `--exclude` patterns; an empty list excludes nothing. */
export function compileExcludes(patterns: readonly string[]): ExcludeMatcher {
  const res = patterns.map(globToRegExp);
  return { excludes: (path: string) => res.some((re) => re.test(path)) };
}
