// `--reporter name[=file]` (repeatable) → reporter instances with their sinks.
import { resolve } from 'node:path';
import { UsageError } from '../args.js';
import type { CommandIO } from '../commands/types.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { closest } from '../suggest.js';
import { FileSink, StreamSink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';

// Loaded only when selected (tap pulls in a YAML library, junit an XML builder).
const FACTORIES = {
  spec: async (env: ReporterEnv) => new (await import('./spec.js')).SpecReporter(env),
  tap: async (env: ReporterEnv) => new (await import('./tap.js')).TapReporter(env),
  tap13: async (env: ReporterEnv) => new (await import('./tap13.js')).Tap13Reporter(env),
  dot: async (env: ReporterEnv) => new (await import('./dot.js')).DotReporter(env),
  junit: async (env: ReporterEnv) => new (await import('./junit.js')).JunitReporter(env),
  html: async (env: ReporterEnv) => new (await import('./html.js')).HtmlReporter(env),
  json: async (env: ReporterEnv) => new (await import('./json.js')).JsonReporter(env),
} as const;

export type ReporterName = keyof typeof FACTORIES;
export const REPORTER_NAMES = Object.keys(FACTORIES) as ReporterName[];

export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** spec on a TTY, tap when not a TTY or in CI (tap's rule). */
export function defaultReporter(io: CommandIO): ReporterName {
  return io.stdout.isTTY === true && !isCI(io.env) ? 'spec' : 'tap';
}

export interface ReporterSpec {
  name: ReporterName;
  file?: string;
}

export function parseReporterSpecs(values: readonly string[], io: CommandIO): ReporterSpec[] {
  const specs = values.length > 0 ? values : [defaultReporter(io)];
  const out: ReporterSpec[] = [];
  for (const v of specs) {
    const eq = v.indexOf('=');
    const name = eq < 0 ? v : v.slice(0, eq);
    const file = eq < 0 ? undefined : v.slice(eq + 1);
    if (!(REPORTER_NAMES as string[]).includes(name)) {
      const guess = closest(name, REPORTER_NAMES);
      throw new UsageError(`unknown reporter '${name}'${guess ? ` (did you mean ${guess}?)` : ''}; reporters: ${REPORTER_NAMES.join(', ')}`);
    }
    if (file === '') throw new UsageError(`--reporter ${name}= needs a file name after '='`);
    out.push({ name: name as ReporterName, ...(file !== undefined ? { file } : {}) });
  }
  if (out.filter((s) => s.file === undefined).length > 1) {
    throw new UsageError('only one reporter can write to stdout; give the others a file (--reporter junit=report.xml)');
  }
  return out;
}

export function createReporters(specs: readonly ReporterSpec[], io: CommandIO, colorFlag: boolean | undefined): Promise<Reporter[]> {
  return Promise.all(specs.map((s) => {
    const sink = s.file === undefined ? new StreamSink(io.stdout) : new FileSink(resolve(io.cwd, s.file));
    const colour = s.file === undefined && colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag });
    // Machine formats never carry colour.
    const style = makeStyle(colour && (s.name === 'spec' || s.name === 'dot'));
    return FACTORIES[s.name]({ sink, style, ci: isCI(io.env), columns: io.stdout.columns ?? 80 });
  }));
}
