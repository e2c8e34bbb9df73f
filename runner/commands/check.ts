// `mls check <paths…>`: parse and validate only; every diagnostic of every
// file; exit 2 on any error (warnings alone exit 0).
import type { Message } from '../../schema/generated/types.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { renderMessage } from '../render/message.js';
import { loadCompiler } from '../tools.js';
import { colorFlag } from './run.js';
import { readSources } from './sources.js';
import type { Command } from './types.js';

export const check: Command = async (ctx) => {
  const { io } = ctx;
  if (ctx.positionals.length === 0) {
    io.stderr.write('mls check: give the files or directories to check (mls check scenarios)\n');
    return 2;
  }
  const { files, unmatched } = await readSources(ctx.positionals, io);
  for (const u of unmatched) io.stderr.write(`mls: error: no .mls file matches '${u}'\n`);
  const compiler = await loadCompiler();
  const style = makeStyle(colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag(ctx) }));
  const report: Array<{ file: string; messages: Message[] }> = [];
  let errors = unmatched.length;
  let warnings = 0;
  for (const f of files) {
    const messages = f.error ? [f.error] : compiler.compileSource(f.text!, f.file).messages;
    report.push({ file: f.file, messages });
    for (const m of messages) {
      if (m.severity === 'error') errors++;
      else warnings++;
      if (!ctx.options['json']) io.stdout.write(renderMessage(m, style, () => f.text) + '\n');
    }
  }
  if (ctx.options['json']) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    io.stdout.write(`${plural(files.length, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  }
  return errors > 0 || files.length === 0 ? 2 : 0;
};
