// `mls fmt [--check] <paths…>`: rewrite files in canonical form (atomically),
// or with --check only list the ones that would change (exit 1).
import { renderMessage } from '../render/message.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { writeFileAtomic } from '../reporters/sink.js';
import { loadFormatter } from '../tools.js';
import { colorFlag } from './run.js';
import { readSources } from './sources.js';
import type { Command } from './types.js';

export const fmt: Command = async (ctx) => {
  const { io } = ctx;
  if (ctx.positionals.length === 0) {
    io.stderr.write('mls fmt: give the files or directories to format (mls fmt scenarios)\n');
    return 2;
  }
  const { files, unmatched } = await readSources(ctx.positionals, io);
  for (const u of unmatched) io.stderr.write(`mls: error: no .mls file matches '${u}'\n`);
  const formatter = await loadFormatter();
  const style = makeStyle(colorEnabled({ isTTY: io.stderr.isTTY, env: io.env, flag: colorFlag(ctx) }));
  let broken = unmatched.length;
  let changed = 0;
  for (const f of files) {
    if (f.error) {
      io.stderr.write(renderMessage(f.error, style) + '\n');
      broken++;
      continue;
    }
    const out = formatter.formatSource(f.text!, f.file);
    for (const m of out.messages) io.stderr.write(renderMessage(m, style, () => f.text) + '\n');
    if (out.text === undefined || out.messages.some((m) => m.severity === 'error')) {
      broken++;
      continue;
    }
    if (out.text === f.text) continue;
    changed++;
    if (ctx.options['check']) io.stdout.write(`${f.file}: not formatted\n`);
    else {
      writeFileAtomic(f.absPath, out.text);
      io.stdout.write(`${f.file}: formatted\n`);
    }
  }
  const verb = ctx.options['check'] ? 'would be reformatted' : 'reformatted';
  io.stdout.write(`${files.length} file${files.length === 1 ? '' : 's'}, ${changed} ${verb}${broken ? `, ${broken} with errors` : ''}\n`);
  if (broken > 0) return 2;
  return ctx.options['check'] && changed > 0 ? 1 : 0;
};
