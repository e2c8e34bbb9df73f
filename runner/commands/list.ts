// `mls list [paths…] [--json] [--kernels]`: the scenarios (and their checks)
// a run would execute, as a catalogue (LTP's ltp.json idea).
import { isSelected } from '../select.js';
import { changedFiles } from '../changed.js';
import { applyShard, discover } from '../discover.js';
import { compileCached, mergeCache } from '../cache.js';
import { renderMessage } from '../render/message.js';
import { runConfig } from '../run-config.js';
import { compilerVersion } from '../version.js';
import { readFile } from 'node:fs/promises';
import type { ProfileInfo } from '../../runtime/index.js';
import type { Command, CommandContext } from './types.js';

interface Listed {
  file: string;
  name: string;
  tags: string[];
  kernels: string[];
  requires: string[];
  hash: string;
  checks: Array<{ kind: 'result' | 'expect'; line: number; column: number; what: string }>;
}

/** The model's kernel profiles with a description and their source. */
async function profileList(): Promise<ProfileInfo[]> {
  return (await import('../targets/model.js')).modelTarget.profiles();
}

async function kernels(ctx: CommandContext): Promise<number> {
  try {
    const p = await profileList();
    const width = Math.max(...p.map((r) => r.name.length));
    const text = p.map((r) => `${r.name.padEnd(width)}  ${r.summary}\n${' '.repeat(width)}  source: ${r.source}`);
    ctx.io.stdout.write(ctx.options['json'] ? JSON.stringify(p, null, 2) + '\n' : text.join('\n') + '\n');
    return 0;
  } catch (e) {
    ctx.io.stderr.write(`mls list --kernels: ${(e as Error).message}\n`);
    return 2;
  }
}

export const list: Command = async (ctx) => {
  if (ctx.options['kernels']) return kernels(ctx);
  const cfg = await runConfig(ctx);
  const found = discover(ctx.positionals, ctx.io.cwd);
  // A path that does not exist is a mistake (exit 2), not an empty place (exit 0, said so).
  for (const m of found.missing) ctx.io.stderr.write(`mls list: error: no such file or directory: '${m}' [mls/no-such-path]\n`);
  if (found.missing.length > 0) return 2;
  for (const u of found.unmatched) ctx.io.stderr.write(`mls list: no .mls file in '${u}'\n`);
  const changed = changedFiles(ctx, found.files);
  const files = cfg.shard ? applyShard(changed, cfg.shard) : changed;
  const out: Listed[] = [];
  let errors = 0;
  for (const f of files) {
    const text = await readFile(f.absPath, 'utf8');
    const { scenario, messages } = await compileCached(text, f.file, compilerVersion(), cfg.cacheDir);
    if (!scenario || messages.some((m) => m.severity === 'error')) {
      errors++;
      for (const m of messages) ctx.io.stderr.write(renderMessage(m) + '\n');
      continue;
    }
    if (!isSelected(cfg, scenario)) continue;
    const checks: Listed['checks'] = [];
    for (const s of scenario.steps) {
      if (s.op === 'expect') {
        for (const c of s.checks) checks.push({ kind: 'expect', line: c.loc.line, column: c.loc.column, what: `${c.region ? c.region + ' ' : ''}${c.field} ${c.op}` });
      } else checks.push({ kind: 'result', line: s.loc.line, column: s.loc.column, what: s.op });
    }
    out.push({
      file: f.file, name: scenario.name, tags: scenario.tags, hash: scenario.hash, requires: scenario.requires,
      kernels: [...scenario.kernels.profiles, ...scenario.kernels.constraints.map((c) => `${c.op} ${c.version}`)], checks,
    });
  }
  if (cfg.cacheDir !== undefined) mergeCache(cfg.cacheDir); // what was compiled here serves the next run

  if (ctx.options['json']) ctx.io.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    for (const s of out) {
      const tags = s.tags.length ? `  [${s.tags.join(' ')}]` : '';
      ctx.io.stdout.write(`${s.file}  ${s.name}${tags}  (${s.checks.length} checks)\n`);
    }
    ctx.io.stdout.write(`${out.length} scenario${out.length === 1 ? '' : 's'}\n`);
  }
  return errors > 0 ? 2 : 0;
};
