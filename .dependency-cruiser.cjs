/**
 * The dependency rule of DataDeed (docs/architecture.md), checked in CI by `npm run lint:deps`.
 *
 * - A domain folder's top-level files are its pure core: they import no Node built-in, no
 *   database, HTTP or PDF library, and no folder's adapters (pg/, node/, browser/, pdf/).
 * - Outside a folder, only its `index.ts` or an adapter's `index.ts` is imported.
 * - No import cycles.
 */
const DOMAINS = '(ledger|certificates|registry|evidence|fingerprint|accounts|keys|state|witness|statistics)';
const PURE_SINGLE_FILES = '^src/(errors|text|time|fields)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'A domain core (top-level file of a domain folder) runs unchanged in a browser: no node:*, database, HTTP or PDF code. Put such code in an adapter folder (pg/, node/, browser/, pdf/).',
      from: { path: [`^src/${DOMAINS}/[^/]+\\.tsx?$`, PURE_SINGLE_FILES] },
      to: {
        path: [
          '^src/db/',
          '^src/api/',
          '^src/cli/',
          '^src/(context|compose|config)\\.ts$',
          `^src/[^/]+/(pg|node|browser|pdf|http)/`,
          'node_modules/(drizzle-orm|postgres|@electric-sql/pglite|hono|@hono|pdf-lib|@pdf-lib|qrcode|subset-font|pino|esbuild)/',
        ],
      },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      comment: 'A domain core imports no Node built-in module.',
      from: { path: [`^src/${DOMAINS}/[^/]+\\.tsx?$`, PURE_SINGLE_FILES] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'enter-through-index',
      severity: 'error',
      comment:
        "Outside a folder, import its index.ts (the core's surface) or an adapter's index.ts, never a file inside it.",
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/[^/]+/.+',
        pathNot: [
          '^src/$1/',
          '^src/[^/]+/index\\.ts$',
          '^src/[^/]+/(pg|node|browser|pdf|http)/index\\.ts$',
          '^src/api/app\\.tsx$',
          // the authenticated state map: a pure core of its own (the verifier checks its proofs)
          '^src/state/map/(node/)?index\\.ts$',
          // served by the API: builds the browser fingerprinting bundle (Node side)
          '^src/fingerprint/browser/bundle\\.ts$',
        ],
      },
    },
    {
      name: 'api-gets-services',
      severity: 'error',
      comment:
        'Routes and pages receive services (src/api/services.ts), built by the composition root: never the database, a query builder, or the root itself.',
      from: { path: '^src/api/' },
      to: { path: ['^src/db/', '^src/(compose|context)\\.ts$', 'node_modules/(drizzle-orm|postgres|@electric-sql/pglite)/'] },
    },
    {
      name: 'beneath-registry',
      severity: 'error',
      comment: 'Evidence deposits and accounts sit beneath the registry: the registry uses them, never the other way round.',
      from: { path: '^src/(evidence|accounts)/' },
      to: { path: '^src/registry/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules that import each other in a loop cannot be understood or moved alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
