#!/usr/bin/env node
// The `datadeed` command: the compiled program in dist/ (built by `npm ci` / `npm install`
// through the `prepare` script, or `npm run build`). From the TypeScript sources instead:
// `npm run datadeed -- <command>` (tsx, development).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/datadeed.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('datadeed: [not_built] the program is not built: run `npm run build` (or `npm ci`)\n');
  process.exit(1);
}
await import(entry.href);
