#!/usr/bin/env node
// mlock/munlock cost on the model as the address space grows: 10, 1,000 and
// 65,530 VMAs. Each round locks one middle page of a VMA in the middle of the
// address space (two splits) and unlocks it (merge back), plus a whole-VMA
// mlock/munlock (no split). Goal: the cost at 65,530 VMAs at most 3x the cost at 10.
import { report, median } from './lib.mjs';

const rt = await import(new URL('../dist/runtime/index.js', import.meta.url).href).catch(() => {
  process.stderr.write('bench/model-mlock: dist/ is missing: run `npm run build` first\n');
  process.exit(2);
});
const { System, loadEmpty, sysMmap, sysMlock, sysMunlock, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED } = rt;
const P = 4096n;

function world(n) {
  const sys = new System();
  sys.maxMapCount = n + 16; // room for the two splits of a middle page
  const t = sys.newTask('bench');
  loadEmpty(t);
  const base = 0x10000000n;
  // 4-page VMAs, 1 page apart is not needed: alternate prot so neighbours never merge.
  for (let i = 0; i < n; i++) {
    const r = sysMmap(t, { addr: base + BigInt(i) * 4n * P, len: 4n * P, prot: i % 2 ? 1 : 3, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, file: null, offset: 0n });
    if (!r.ok) throw new Error(`mmap ${i}: ${JSON.stringify(r)}`);
  }
  if (t.mm.mapCount !== n) throw new Error(`expected ${n} VMAs, have ${t.mm.mapCount}`);
  return { t, mid: base + BigInt(Math.floor(n / 2) & ~1) * 4n * P };
}

function measure(n, rounds) {
  const { t, mid } = world(n);
  const split = [], whole = [];
  for (let r = 0; r < rounds; r++) {
    let s = process.hrtime.bigint();
    if (!sysMlock(t, mid + P, P).ok || !sysMunlock(t, mid + P, P).ok) throw new Error('mlock failed');
    split.push(Number(process.hrtime.bigint() - s) / 1000);
    s = process.hrtime.bigint();
    if (!sysMlock(t, mid, 4n * P).ok || !sysMunlock(t, mid, 4n * P).ok) throw new Error('mlock failed');
    whole.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  if (t.mm.mapCount !== n || t.mm.lockedVm !== 0) throw new Error('state drifted');
  return { split: median(split), whole: median(whole) };
}

const sizes = [10, 1000, 65530];
const rows = sizes.map((n) => ({ n, ...measure(n, 3000) }));
process.stderr.write('VMAs      mlock+munlock of 1 middle page (2 splits, 2 merges)   whole VMA\n');
for (const r of rows) process.stderr.write(`${String(r.n).padStart(6)}    ${r.split.toFixed(2).padStart(8)} µs${' '.repeat(45)}${r.whole.toFixed(2).padStart(7)} µs\n`);
const ratio = rows[2].split / rows[0].split;
const ratioWhole = rows[2].whole / rows[0].whole;
for (const r of rows) report(`model mlock+munlock, middle page, ${r.n} VMAs`, r.split, 'µs', '', undefined);
report('model mlock cost ratio 65,530 / 10 VMAs (split)', ratio, 'x', '<= 3', ratio <= 3);
report('model mlock cost ratio 65,530 / 10 VMAs (whole VMA)', ratioWhole, 'x', '<= 3', ratioWhole <= 3);
