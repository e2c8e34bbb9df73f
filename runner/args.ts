// argv → (command, positionals, options) through util.parseArgs, driven by the
// option table. Every mistake becomes a UsageError with a one-line message.
import { parseArgs } from 'node:util';
import type { OptionValue } from './commands/types.js';
import { COMMANDS, OPTIONS, isCommand, optionsFor, type CommandName, type OptionSpec } from './options.js';
import { closest } from './suggest.js';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedCommandLine {
  command: CommandName;
  /** True when the command was implied (`mls scenarios/` means `mls run scenarios/`). */
  implicit: boolean;
  positionals: string[];
  options: Record<string, OptionValue>;
}

function flagName(o: OptionSpec): string {
  return `--${o.long}`;
}

/** `--bail` alone means `--bail=1`: parseArgs has no optional values, so rewrite first. */
function expandBareValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const spec = OPTIONS.find((o) => o.bareValue !== undefined && a === flagName(o));
    const next = args[i + 1];
    const nextIsValue = next !== undefined && /^\d+$/.test(next);
    out.push(spec && !nextIsValue ? `${a}=${spec.bareValue}` : a);
  }
  return out;
}

function unknownOptionMessage(raw: string, command: CommandName): string {
  const name = raw.replace(/^-+/, '').replace(/=.*$/, '');
  const all = OPTIONS.flatMap((o) => (o.short ? [o.long, o.short] : [o.long]));
  const guess = closest(name, all);
  const spec = guess ? OPTIONS.find((o) => o.long === guess || o.short === guess) : undefined;
  const hint = spec ? ` (did you mean --${spec.long}?)` : '';
  return `unknown option ${raw.replace(/=.*$/, '')}${hint}; see \`mls ${command} --help\``;
}

export function parseCommandLine(argv: string[]): ParsedCommandLine {
  let command: CommandName = 'run';
  let implicit = true;
  let rest = argv;
  if (isCommand(argv[0])) {
    command = argv[0];
    implicit = false;
    rest = argv.slice(1);
  } else if (argv[0] !== undefined && !argv[0].startsWith('-') && !/[./*]/.test(argv[0])) {
    // A bare word that is neither a command nor a path-looking argument is a typo more often than a file.
    const guess = closest(argv[0], COMMANDS.map((c) => c.name));
    if (guess) throw new UsageError(`unknown command '${argv[0]}' (did you mean \`mls ${guess}\`?)`);
  }

  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of OPTIONS) {
    config[o.long] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let values: Record<string, OptionValue>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: expandBareValues(rest), options: config, strict: true, allowPositionals: true });
    values = parsed.values as Record<string, OptionValue>;
    positionals = parsed.positionals;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const raw = /'([^']+)'/.exec(e.message)?.[1] ?? e.message;
      throw new UsageError(unknownOptionMessage(raw, command), command);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const m = /Option '([^']+)'/.exec(e.message);
      const opt = m?.[1]?.split(/[ ,]/).find((s) => s.startsWith('--')) ?? m?.[1] ?? 'option';
      const spec = OPTIONS.find((o) => `--${o.long}` === opt);
      const what = spec?.type === 'boolean' ? 'takes no value' : `needs a value (${opt} <${spec?.valueName ?? 'value'}>)`;
      throw new UsageError(`${opt} ${what}`, command);
    }
    throw new UsageError(e.message, command);
  }

  const allowed = new Set(optionsFor(command).map((o) => o.long));
  for (const key of Object.keys(values)) {
    if (!allowed.has(key)) {
      throw new UsageError(`option --${key} does not apply to \`mls ${command}\`; see \`mls ${command} --help\``, command);
    }
  }
  if (values['color'] && values['no-color']) throw new UsageError('--color and --no-color contradict each other', command);
  return { command, implicit, positionals, options: values };
}

/** A positive integer option (`--jobs 4`), or a UsageError naming it. */
export function intOption(options: Record<string, OptionValue>, name: string, fallback: number, min = 1): number {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min) {
    throw new UsageError(`--${name} needs an integer ≥ ${min}, got '${String(v)}'`);
  }
  return Number(v);
}

export function stringOption(options: Record<string, OptionValue>, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(options: Record<string, OptionValue>, name: string): string[] {
  const v = options[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
