// `mls record <paths…> [--dry-run] [-u]`: run each scenario (on the host unless
// --target says otherwise) and write the observed values into its placeholder
// expectations; -u/--update also rewrites concrete ones that fail (otherwise
// they are listed and the exit status is 1); --dry-run prints the diff instead of writing.
import { readFileSync, writeFileSync } from 'node:fs';
import { discover } from '../discover.js';
import { recordSource, lineDiff } from '../record.js';
import { renderMessage } from '../render/message.js';
import { closeSessions, runnerFor } from '../target-sessions.js';
import { loadCompiler, loadTarget } from '../tools.js';
import type { Command } from './types.js';
import { hostLockCapOption } from '../host-lock-cap.js';
import { realTarget, vmOption } from '../run-config.js';

export const record: Command = async (ctx) => {
  const { io, options } = ctx;
  const dry = options['dry-run'] === true;
  const update = options['update'] === true;
  const targetName = options['target'] === 'model' ? 'model' : realTarget(options);
  const vm = await vmOption(options, targetName, io.cwd);
  const timeoutMs = Number(options['timeout'] ?? 10000);
  const capBytes = hostLockCapOption(options, ctx.io.env);
  const kernel = typeof options['kernel'] === 'string' ? options['kernel'] : 'linux-6.18';
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    io.stderr.write(`mls record: --timeout must be a positive number of milliseconds\n`);
    return 2;
  }
  const { files, unmatched } = discover(ctx.positionals, io.cwd);
  for (const u of unmatched) io.stderr.write(`mls record: ${u}: no .mls file matched\n`);
  if (files.length === 0) return 2;
  const target = await loadTarget(targetName, vm);
  const avail = await target.available();
  if (!avail.ok) {
    io.stderr.write(`mls record: the ${targetName} target is not available here: ${avail.reason}\n`);
    return 2;
  }
  const compiler = await loadCompiler();
  let status = 0;
  try {
    for (const f of files) {
      if (ctx.signal.aborted) return 130;
      const text = readFileSync(f.absPath, 'utf8');
      const { scenario, messages } = compiler.compileSource(text, f.file);
      for (const m of messages) io.stderr.write(renderMessage(m, undefined, () => text) + '\n');
      if (!scenario) { status = 2; continue; }
      const log = await runnerFor(target).run(scenario, { kernel, trace: false, timeoutMs, signal: ctx.signal, ...(capBytes !== undefined ? { hostLockCapBytes: capBytes } : {}) });
      if (log.outcome === 'interrupted') return 130; // nothing is written from a run cut short
      const out = recordSource(text, scenario, log, { update });
      for (const n of out.notes) io.stderr.write(`${f.file}: ${n}\n`);
      for (const n of out.failing) io.stderr.write(`${f.file}: ${n} was observed: the expectation fails and is kept (-u rewrites it)\n`);
      if (out.failing.length > 0) status = Math.max(status, 1);
      if (log.outcome === 'skipped') continue;
      if (log.outcome !== 'completed') status = Math.max(status, 1);
      if (out.edits.length === 0) {
        if (out.failing.length === 0) io.stdout.write(`${f.file}: nothing to record\n`);
      } else if (dry) {
        io.stdout.write(lineDiff(f.file, text, out.text));
      } else {
        writeFileSync(f.absPath, out.text);
        io.stdout.write(`${f.file}: recorded ${out.edits.length} value(s) from ${log.target} (${log.kernel})\n`);
      }
    }
  } finally {
    await closeSessions(); // the host supervisor that ran every file
  }
  return status;
};
