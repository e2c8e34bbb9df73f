// The explore report as text (the command prints it; --json prints the report itself).
import type { ExploreReport, ExploredWitness } from './session.js';
import type { Style } from '../render/style.js';

const n = (x: number): string => x.toLocaleString('en-US');

function witnessLines(w: ExploredWitness, i: number, all: boolean, style: Style): string[] {
  const out: string[] = [];
  const size = `${w.statements} statement${w.statements === 1 ? '' : 's'}, ${w.regions} region${w.regions === 1 ? '' : 's'}`;
  out.push(style.yellow(`${all ? `difference ${i + 1}` : 'witness'}: ${w.key}`) + style.dim(` (${size}; program ${n(w.runBefore)})`));
  out.push(...w.file.text.trimEnd().split('\n').map((l) => `    ${l}`));
  if (w.file.excluded.length) out.push(style.dim(`  (no one-clause value on ${w.file.excluded.join(', ')}: the file's kernel line leaves them out)`));
  if (w.written) out.push(`  written to ${w.written}`);
  const h = w.host;
  if (h) {
    const who = `host (${h.kernel ?? 'unknown'}, as ${h.profile})`;
    if (h.outcome === 'PASS') out.push(`  ${who}: ${style.green('agrees')} with its side (the witness passes there)`);
    else if (h.outcome === 'unavailable' || h.outcome === 'SKIP') out.push(`  ${who}: not run: ${h.details.join('; ')}`);
    else out.push(`  ${who}: ${style.red('disagrees')} (${h.outcome})`, ...h.details.map((d) => `      ${d}`));
  }
  return out;
}

export function formatReport(r: ExploreReport, style: Style, all: boolean): string {
  const out: string[] = [style.dim(`exploring ${r.a} (a) against ${r.b} (b): alphabet ${r.alphabet}, depth ${r.depth}`)];
  r.witnesses.forEach((w, i) => out.push(...witnessLines(w, i, all, style)));
  if (!r.witnesses.length) out.push(`no difference between ${r.a} and ${r.b} in programs of up to ${r.stats.depthCompleted} statements`);
  const s = r.stats;
  const pruned = s.pruned.commuting + s.pruned.noop + s.pruned.explained;
  const rate = r.cpuMs > 0 ? n(Math.round(s.run / (r.cpuMs / 1000))) : '-';
  const why = { found: 'stopped at the first difference', depth: 'depth exhausted', time: 'time limit reached', aborted: 'interrupted' }[s.stop];
  out.push(
    `search: ${n(s.enumerated)} programs enumerated, ${n(pruned)} pruned (${n(s.pruned.commuting)} commuting, ${n(s.pruned.noop)} no-op` +
      `${s.pruned.explained ? `, ${n(s.pruned.explained)} explained by a shorter difference` : ''}), ${n(s.run)} run on both profiles; ` +
      `${(s.elapsedMs / 1000).toFixed(1)} s (${rate} programs/s per core); depth ${s.depthCompleted} completed; ${why}`,
  );
  return out.join('\n') + '\n';
}
