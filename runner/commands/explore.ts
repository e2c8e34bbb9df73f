// `mls explore <profileA> <profileB>`: the smallest program whose observations
// differ between two kernel profiles, found by bounded exhaustive search
// (runner/explore/). Exit 0: no difference up to the depth, 1: a difference
// (the witness is printed, and written with --out), 2: usage error, 130: interrupted.
import { resolve } from 'node:path';
import { profileProblem } from '../../runtime/kernels.js';
import { UsageError, intOption, stringOption } from '../args.js';
import { DEFAULT_TIMEOUT_MS } from '../run-config.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { colorFlag } from './run.js';
import type { Command } from './types.js';

export const DEFAULT_DEPTH = 6;
export const DEFAULT_TIME_SEC = 60;

export const explore: Command = async (ctx) => {
  const { io, options: o } = ctx;
  const [a, b, ...rest] = ctx.positionals;
  if (a === undefined || b === undefined || rest.length) {
    throw new UsageError('give two kernel profiles: mls explore linux-6.18 linux-6.18+onfault-mremap-populates');
  }
  for (const k of [a, b]) {
    const why = profileProblem(k);
    if (why) throw new UsageError(`${k}: ${why} (mls list --kernels)`);
  }
  if (a === b) throw new UsageError(`the two profiles are the same (${a}): nothing can differ`);
  const depth = intOption(o, 'depth', DEFAULT_DEPTH);
  const timeText = stringOption(o, 'time');
  const timeSec = timeText === undefined ? DEFAULT_TIME_SEC : Number(timeText);
  if (!Number.isFinite(timeSec) || timeSec <= 0) throw new UsageError(`--time needs a positive number of seconds, got '${timeText}'`);
  const { loadAlphabet, AlphabetError, PRESETS } = await import('../explore/alphabet.js');
  const spec = stringOption(o, 'alphabet');
  let alphabet;
  try {
    alphabet = loadAlphabet(spec === undefined || PRESETS[spec] ? spec : resolve(io.cwd, spec));
  } catch (e) {
    if (e instanceof AlphabetError) throw new UsageError(`--alphabet: ${e.message}`);
    throw e;
  }
  const out = stringOption(o, 'out');
  const { exploreRun } = await import('../explore/session.js');
  const { formatReport } = await import('../explore/format.js');
  const report = await exploreRun({
    a, b, alphabet, depth, timeSec, all: o['all'] === true, host: true, jobs: intOption(o, 'jobs', 1),
    timeoutMs: intOption(o, 'timeout', DEFAULT_TIMEOUT_MS),
    ...(out !== undefined ? { out: resolve(io.cwd, out) } : {}),
    signal: ctx.signal,
  });
  if (o['json']) {
    io.stdout.write(JSON.stringify({ ...report, witnesses: report.witnesses.map(({ file, ...w }) => ({ ...w, text: file.text, profiles: file.profiles, excluded: file.excluded })) }, null, 2) + '\n');
  } else {
    const style = makeStyle(colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag(ctx) }));
    io.stdout.write(formatReport(report, style, o['all'] === true));
  }
  if (report.stats.stop === 'aborted') return 130;
  return report.witnesses.length ? 1 : 0;
};
