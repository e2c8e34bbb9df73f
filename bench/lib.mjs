// Shared by bench/*.mjs: result lines and generated suites.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One result line; bench/run.mjs collects these into its table. A plain measurement: goal '', ok undefined. */
export function report(metric, value, unit, goal, ok) {
  process.stdout.write(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, goal, ok }) + '\n');
}

/** `count` distinct scenario files (values as the kernel reports them: mlock of n pages locks n pages). */
export function generateSuite(count, prefix = 'mls-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `g${String(i % 20).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    const pages = 4 + (i % 29);
    const lock = 1 + (i % pages);
    writeFileSync(join(sub, `s${String(i).padStart(4, '0')}.mls`), [
      `scenario "generated ${i}"`,
      `tags bench`,
      `buf = mmap ${pages}p rw private anon`,
      `mlock buf ${lock}p`,
      `expect locked_vm == ${lock}p, buf locked == ${lock}p`,
      `munlock buf`,
      `expect locked_vm == 0`,
      '',
    ].join('\n'));
  }
  return dir;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
