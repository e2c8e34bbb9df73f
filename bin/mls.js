#!/usr/bin/env node
// Thin entry: the CLI lives in dist/ (built by `npm install` / `npm run build`).
// The bundle (dist/bundle: starts faster) is used unless tsc has written
// dist/runner since it was made (a `tsc` without `npm run build`: the bundle is
// stale). tsc is not incremental here, so every run of it rewrites cli.js.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mtime = (u) => statSync(fileURLToPath(u), { throwIfNoEntry: false })?.mtimeMs;
const plain = new URL('../dist/runner/cli.js', import.meta.url);
const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const plainAt = mtime(plain);
const bundleAt = mtime(bundle);
if (plainAt === undefined && bundleAt === undefined) {
  process.stderr.write('mls: not built yet (dist/ is missing): run `npm install` or `npm run build` first\n');
  process.exit(2);
}
const cli = bundleAt !== undefined && (plainAt === undefined || bundleAt >= plainAt) ? bundle : plain;
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
