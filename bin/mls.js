#!/usr/bin/env node
// Thin entry: the CLI lives in dist/ (built by `npm install` / `npm run build`),
// bundled (dist/bundle: starts faster) or, from a build without it, as tsc left it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = [new URL('../dist/bundle/cli.js', import.meta.url), new URL('../dist/runner/cli.js', import.meta.url)]
  .find((u) => existsSync(fileURLToPath(u)));
if (!cli) {
  process.stderr.write('mls: not built yet (dist/ is missing): run `npm install` or `npm run build` first\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
