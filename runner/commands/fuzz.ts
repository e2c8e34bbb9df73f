// `mls fuzz`: random scenarios (runner/fuzz/) on the model and the host kernel,
// compared after every step; each new divergence is shrunk and written as a
// regression .mls whose expectations are the kernel's. Exit 0 no divergence,
// 1 divergences, 2 usage error or host target unavailable, 130 interrupted.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, intOption, stringOption } from '../args.js';
import { DEFAULT_KERNEL, DEFAULT_TIMEOUT_MS, realTarget, settingsOption, timeoutMultiplier, vmOption } from '../run-config.js';
import { defaultJobs } from '../options.js';
import { loadTarget } from '../tools.js';
import { unmodelledFacts } from '../machine/unmodelled.js';
import type { Command, CommandContext } from './types.js';

const DEFAULT_COUNT = 1000;

/** `--coverage` alone prints the table; `--coverage=<file>` also writes it as JSON (a bare option takes no separate value). */
function coverageOption(v: string | undefined, cwd: string): { json?: string } | undefined {
  if (v === undefined) return undefined;
  return v === '' || v === '-' ? {} : { json: resolve(cwd, v) };
}

function parse(ctx: CommandContext) {
  const o = ctx.options;
  const seedText = stringOption(o, 'seed') ?? '1';
  if (!/^\d+$/.test(seedText) || Number(seedText) > 0xffffffff) throw new UsageError(`--seed needs an integer 0…4294967295, got '${seedText}'`);
  const timeText = stringOption(o, 'time');
  let timeSec: number | undefined;
  if (timeText !== undefined) {
    timeSec = Number(timeText);
    if (!Number.isFinite(timeSec) || timeSec <= 0) throw new UsageError(`--time needs a positive number of seconds, got '${timeText}'`);
  }
  const count = o['count'] !== undefined ? intOption(o, 'count', DEFAULT_COUNT) : timeSec === undefined ? DEFAULT_COUNT : undefined;
  return {
    seed: Number(seedText) | 0,
    ...(count !== undefined ? { count } : {}),
    ...(timeSec !== undefined ? { timeSec } : {}),
    // A vm session is a booted guest (~3 s and --vm-memory each): one unless -j asks for more.
    jobs: intOption(o, 'jobs', realTarget(o) === 'vm' ? 1 : 2 * defaultJobs()),
    kernel: stringOption(o, 'kernel') ?? DEFAULT_KERNEL,
    timeoutMs: Math.round(intOption(o, 'timeout', DEFAULT_TIMEOUT_MS) * timeoutMultiplier(ctx.io.env)),
    ...(settingsOption(o) ? { settings: settingsOption(o)! } : {}),
    shrink: !o['no-shrink'],
    ...(stringOption(o, 'out') !== undefined && !o['no-shrink'] ? { outDir: resolve(ctx.io.cwd, stringOption(o, 'out')!) } : {}),
    coverageOut: coverageOption(stringOption(o, 'coverage'), ctx.io.cwd),
  };
}

export const fuzz: Command = async (ctx) => {
  const opts = parse(ctx);
  const { stderr, stdout } = ctx.io;
  const real = realTarget(ctx.options);
  const vm = await vmOption(ctx.options, real, ctx.io.cwd);
  const [model, host] = await Promise.all([loadTarget('model'), loadTarget(real, vm)]);
  const a = await host.available();
  if (!a.ok) {
    stderr.write(`mls fuzz: the ${real} target is not available here, and fuzzing compares the model against it: ${a.reason}\n`);
    return 2;
  }
  const { fuzzRun } = await import('../fuzz/session.js');
  const { Coverage } = await import('../fuzz/coverage.js');
  const { coverageOut, ...runOpts } = opts;
  const coverage = coverageOut ? new Coverage() : undefined;
  const tty = stderr.isTTY === true;
  let lastLine = 0;
  const rate = (run: number, ms: number): string => (ms > 0 ? (run / (ms / 1000)).toFixed(1) : '0.0');
  const report = await fuzzRun({
    ...runOpts,
    ...(coverage ? { coverage } : {}),
    shrinkEvaluations: 300,
    model, host, signal: ctx.signal,
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastLine < (tty ? 200 : 5000)) return;
      lastLine = now;
      const line = `fuzz: ${p.run}${opts.count !== undefined ? `/${opts.count}` : ''} scenarios, ${rate(p.run, p.elapsedMs)}/s, ${p.divergent} divergent (${p.unique} unique)`;
      stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    onHostImage: (image) => {
      if (!image.facts) return;
      if (tty) stderr.write('\r\x1b[K');
      for (const line of unmodelledFacts(image.facts)) stdout.write(`not modelled: ${line}\n`);
    },
    onFinding: (f) => {
      if (tty) stderr.write('\r\x1b[K');
      const w = f.minimal?.written;
      const where = !w ? '' : w.path ? ` → ${w.path} (host ${w.host}, model ${w.model})`
        : w.keep ? ` (a regression, host ${w.host}, model ${w.model}: --out <dir> writes it as ${w.name})`
          : ` (not a regression: as a file it gives host ${w.host}, model ${w.model})`;
      const d = f.minimal?.divergence ?? f.first;
      stdout.write(`divergence: ${f.signature} (scenario #${f.index}; step ${d.step + 1} ${d.path}: model ${JSON.stringify(d.a)}, kernel ${JSON.stringify(d.b)})${where}\n`);
      if (w && !w.path) stdout.write(w.text.replace(/^(?=.)/gm, '    '));
      if (f.minimal?.writeError) stdout.write(`    (could not write it: ${f.minimal.writeError})\n`);
    },
  });
  if (tty) stderr.write('\r\x1b[K');
  stdout.write(
    `fuzz: seed ${opts.seed}: ${report.run} scenarios in ${(report.elapsedMs / 1000).toFixed(1)} s (${rate(report.run, report.elapsedMs)} scenarios/s), ` +
      `${report.divergent} divergent, ${report.unique} unique divergence signature${report.unique === 1 ? '' : 's'}` +
      (report.hostErrors ? `, ${report.hostErrors} host runs ended in error` : '') +
      (report.stoppedEarly ? `, ${report.stoppedEarly} stopped early on both targets (a region whose mmap failed was used)` : '') +
      (report.unstable ? `, ${report.unstable} not repeated by the kernel (a rerun agreed with the model)` : '') + '\n',
  );
  for (const f of [...report.findings].sort((x, y) => y.count - x.count)) {
    stdout.write(`  ${String(f.count).padStart(5)} × ${f.signature}${f.minimal?.written?.path ? `  ${f.minimal.written.path}` : ''}\n`);
  }
  for (const u of [...report.unstables].sort((x, y) => y.count - x.count)) {
    stdout.write(`  ${String(u.count).padStart(5)} × unstable on the host: ${u.signature} (scenario #${u.index}; step ${u.first.step + 1} ${u.first.path}: model ${JSON.stringify(u.first.a)}, kernel ${JSON.stringify(u.first.b)}; rerun ${u.rerun} agreed)\n`);
  }
  if (coverage) {
    stdout.write(coverage.format());
    if (coverageOut?.json) {
      writeFileSync(coverageOut.json, JSON.stringify(coverage.toJSON(), null, 2) + '\n');
      stdout.write(`coverage: written to ${coverageOut.json}\n`);
    }
  }
  return report.unique > 0 ? 1 : 0;
};
