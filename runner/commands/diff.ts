// `mls diff <paths…>`: run each scenario on the host (the kernel) and on the
// model started from the host's own image, with a snapshot after every step,
// and report the first divergence per scenario. Exit 0 when all agree (or are
// skipped), 1 on any divergence, 2 on compile or target errors.
import { isSelected, selectionOf } from '../select.js';
import type { Scenario } from '../../schema/generated/types.js';
import { compareLogs, type DiffOutcome } from '../comparison/diff.js';
import { NOISE_DESCRIPTION } from '../comparison/executor-noise.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { closeSessions, runnerFor } from '../target-sessions.js';
import { loadCompiler, loadTarget } from '../tools.js';
import { colorFlag } from './run.js';
import { hostLockCapOption } from '../host-lock-cap.js';
import { unmodelledFacts } from '../machine/unmodelled.js';
import { realTarget, settingsOption, vmOption } from '../run-config.js';
import { readSources } from './sources.js';
import type { Command } from './types.js';

function statementLine(text: string | undefined, line: number): string {
  return (text?.split(/\r?\n/)[line - 1] ?? '').replace(/#.*$/, '').trim();
}

export const diff: Command = async (ctx) => {
  const { io } = ctx;
  if (ctx.positionals.length === 0) {
    io.stderr.write('mls diff: give the files or directories to compare (mls diff scenarios)\n');
    return 2;
  }
  const style = makeStyle(colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag(ctx) }));
  const kernel = typeof ctx.options['kernel'] === 'string' ? ctx.options['kernel'] : 'linux-6.18';
  const timeoutMs = typeof ctx.options['timeout'] === 'string' ? Number(ctx.options['timeout']) : 10000;
  const capBytes = hostLockCapOption(ctx.options, ctx.io.env);
  const selection = selectionOf(ctx.options);
  const forced = settingsOption(ctx.options);
  let factsShown = false;
  const { files, unmatched } = await readSources(ctx.positionals, io);
  for (const u of unmatched) io.stderr.write(`mls: error: no .mls file matches '${u}'\n`);
  const compiler = await loadCompiler();
  const real = realTarget(ctx.options);
  const vm = await vmOption(ctx.options, real, io.cwd);
  const [model, host] = await Promise.all([loadTarget('model'), loadTarget(real, vm)]);
  const hostOk = await host.available();
  if (!hostOk.ok) {
    io.stderr.write(`mls diff: the ${real} target is not available: ${hostOk.reason}\n`);
    return 2;
  }
  io.stdout.write(style.dim(`not compared (the executor changes them itself): ${NOISE_DESCRIPTION.join('; ')}`) + '\n');
  let diverged = 0, agreed = 0, skipped = 0, errors = unmatched.length;
  try {
    for (const f of files) {
      if (ctx.signal.aborted) return 130;
      if (f.error) { io.stdout.write(`${f.file}: ${f.error.text}\n`); errors++; continue; }
      const compiled = compiler.compileSource(f.text!, f.file);
      const scenario: Scenario | undefined = compiled.scenario;
      if (!scenario || compiled.messages.some((m) => m.severity === 'error')) {
        io.stdout.write(`${style.red('error')}    ${f.file}: does not compile (mls check ${f.file})\n`);
        errors++;
        continue;
      }
      if (!isSelected(selection, scenario)) continue;
      const opts = { kernel, trace: true, timeoutMs, signal: ctx.signal, ...(capBytes !== undefined ? { hostLockCapBytes: capBytes } : {}) };
      const kernelLog = await runnerFor(host).run(scenario, opts);
      if (kernelLog.outcome === 'interrupted') return 130; // a scenario cut short is not a divergence
      if (!factsShown && kernelLog.image?.facts) {
        factsShown = true;
        for (const line of unmodelledFacts(kernelLog.image.facts)) io.stdout.write(style.yellow(`not modelled: ${line}`) + '\n');
      }
      const mOpts = forced ? { ...opts, settings: forced } : opts;
      const modelLog = await model.run(scenario, kernelLog.image ? { ...mOpts, image: kernelLog.image } : mOpts);
      const out: DiffOutcome = compareLogs(scenario, modelLog, kernelLog);
      switch (out.kind) {
        case 'agree': agreed++; io.stdout.write(`${style.green('agree')}    ${f.file} (${out.steps} steps)\n`); break;
        case 'skipped': skipped++; io.stdout.write(`${style.yellow('skip')}     ${f.file}: ${out.reason}\n`); break;
        case 'error': errors++; io.stdout.write(`${style.red('error')}    ${f.file}: ${out.message}\n`); break;
        case 'diverge': {
          diverged++;
          const d = out.divergence;
          io.stdout.write(`${style.red('diverge')}  ${f.file}:${d.line}:${d.column}  ${statementLine(f.text, d.line)}${d.proc !== 'main' ? `  (in ${d.proc})` : ''}\n`);
          // Every field that differs at the first divergent step, not only the first of them.
          for (const x of out.divergences) io.stdout.write(`         ${x.field}: model ${x.model}, kernel ${x.kernel}\n`);
        }
      }
    }
  } finally {
    await closeSessions(); // the host supervisor (or vm guest) that ran every file
  }
  io.stdout.write(`${agreed} agree, ${diverged} diverge, ${skipped} skipped, ${errors} errors\n`);
  return errors > 0 ? 2 : diverged > 0 ? 1 : 0;
};
