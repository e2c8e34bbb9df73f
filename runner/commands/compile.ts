// `mls compile <file> --json`: the IR of one scenario on stdout.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { displayPath } from '../discover.js';
import { renderMessage } from '../render/message.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { loadCompiler } from '../tools.js';
import { colorFlag } from './run.js';
import type { Command } from './types.js';

export const compile: Command = async (ctx) => {
  const { io } = ctx;
  if (ctx.positionals.length !== 1) {
    io.stderr.write('mls compile: give exactly one .mls file (mls compile scenarios/x.mls --json)\n');
    return 2;
  }
  const abs = resolve(io.cwd, ctx.positionals[0]!);
  const file = displayPath(abs, io.cwd);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    io.stderr.write(`mls compile: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const { scenario, messages } = (await loadCompiler()).compileSource(text, file);
  const style = makeStyle(colorEnabled({ isTTY: io.stderr.isTTY, env: io.env, flag: colorFlag(ctx) }));
  for (const m of messages) io.stderr.write(renderMessage(m, style, () => text) + '\n');
  if (!scenario || messages.some((m) => m.severity === 'error')) return 2;
  io.stdout.write(JSON.stringify(scenario, null, 2) + '\n');
  return 0;
};
