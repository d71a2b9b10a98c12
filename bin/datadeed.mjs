#!/usr/bin/env node
// The `datadeed` command: the compiled program in dist/ (built by `npm ci` / `npm install`
// through the `prepare` script, or `npm run build`). From the TypeScript sources instead:
// `npm run datadeed -- <command>` (tsx, development).
// Built-ins come by require: an ES import of node:fs would build its module facade,
// which loads every lazy part of it (streams, promises) on every start.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { existsSync } = require('node:fs');
const command = process.argv[2];
// the file commands have a build of their own: one CommonJS file, not a graph of chunks
const fileCommands = new URL('../dist/file-commands.cjs', import.meta.url);
if ((command === 'fingerprint' || command === 'prove-file' || command === 'verify-file') && existsSync(fileCommands)) {
  require(require("node:url").fileURLToPath(fileCommands));
} else {
  const entry = new URL('../dist/datadeed.js', import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('datadeed: [not_built] the program is not built: run `npm run build` (or `npm ci`)\n');
    process.exit(1);
  }
  await import(entry.href);
}
