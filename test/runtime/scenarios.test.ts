// End to end: every scenario in scenarios/ (expected values observed on the
// 6.18.44 kernel by their authors) compiled and run on the model target, then
// judged by the same evaluator as the host's runs.
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../../grammar/compile.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { kernelMismatch, parseProfile } from '../../runner/profiles/applies.js';
import { REGISTERED } from '../../runtime/kernels.js';

const root = join(import.meta.dirname, '..', '..', 'scenarios');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : f.endsWith('.mls') ? [p] : [];
});

for (const file of files(root)) {
  const name = file.slice(root.length + 1);
  t.test(name, async (t) => {
    const text = readFileSync(file, 'utf8');
    const { scenario, messages } = compileSource(text, file);
    t.same(messages.filter((m) => m.severity === 'error'), [], 'compiles');
    if (!scenario) return;
    // linux-6.18 unless the `kernel` header targets other profiles (scenarios/proposals); mls run --kernel all runs the rest.
    const kernel = ['linux-6.18', ...REGISTERED].find((k) => !kernelMismatch(scenario.kernels, parseProfile(k))) ?? 'linux-6.18';
    const log = runOnModel(scenario, { kernel, trace: false, timeoutMs: 60000 });
    const r = evaluate(scenario, log, kernel, { source: text });
    if (r.outcome === 'SKIP') { t.pass(`skipped: ${r.skipReason}`); return; }
    const failed = r.checks
      .filter((c) => c.status === 'fail')
      .map((c) => `${c.location.line}: ${c.name}: ${c.message}`);
    t.same(failed, [], 'every check passes on the model');
    t.equal(log.outcome, 'completed', log.message ?? '');
  });
}
