// Temp dirs for tests, removed when the test process exits (pass, fail or
// throw): a test run leaves nothing in $TMPDIR. The exit hook is synchronous,
// as 'exit' listeners must be.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

function removeAll(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fresh `<TMPDIR>/<prefix>XXXXXX` directory that is gone once this process exits. */
export function scratchDir(prefix: string): string {
  if (made.length === 0) process.once('exit', removeAll);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
