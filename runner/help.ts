// `--help` text, generated from the option table (global and per command).
import { COMMANDS, OPTIONS, optionsFor, type CommandName, type OptionSpec } from './options.js';

export const EXIT_CODES: ReadonlyArray<[number, string]> = [
  [0, 'every scenario passed (skips allowed)'],
  [1, 'a scenario failed or ended in error (timeout, crash), or nothing matched (without --pass-with-no-tests)'],
  [2, 'usage error, a scenario that does not compile, or an internal error'],
  [130, 'interrupted (SIGINT; SIGTERM: 143, SIGHUP: 129): what finished is reported; a second signal quits at once'],
];

function optionLabel(o: OptionSpec): string {
  const short = o.short ? `-${o.short}, ` : '    ';
  const value = o.type === 'string' ? (o.bareValue ? `[=${o.valueName ?? 'value'}]` : ` <${o.valueName ?? 'value'}>`) : '';
  return `${short}--${o.long}${value}`;
}

function optionLines(list: readonly OptionSpec[]): string[] {
  const labels = list.map(optionLabel);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  return list.map((o, i) => {
    const def = o.defaultText ? ` (default: ${o.defaultText})` : '';
    return `  ${labels[i]!.padEnd(width)}${o.description}${def}`;
  });
}

export function globalHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `mls ${version} — memory-lock scenarios`,
    '',
    'Usage: mls [command] [paths…] [options]   (no command: run)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    ...optionLines(OPTIONS),
    '',
    'Exit codes:',
    ...EXIT_CODES.map(([code, text]) => `  ${String(code).padEnd(5)}${text}`),
    '',
    'Run `mls <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

export function commandHelp(name: CommandName): string {
  const spec = COMMANDS.find((c) => c.name === name)!;
  return [`Usage: ${spec.usage}`, '', `${spec.summary}.`, '', 'Options:', ...optionLines(optionsFor(name)), ''].join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README usage section (Markdown), from the same table. */
export function markdownUsage(): string {
  const rows = OPTIONS.map((o) => {
    const names = `${o.short ? `\`-${o.short}\`, ` : ''}\`--${o.long}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}\``;
    const cmds = o.commands === '*' ? 'all' : o.commands.join(', ');
    return `| ${cell(names)} | ${cell(o.description)}${o.defaultText ? ` (default: ${cell(o.defaultText)})` : ''} | ${cmds} |`;
  });
  return [
    '| command | what it does |',
    '|---|---|',
    ...COMMANDS.map((c) => `| \`${cell(c.usage)}\` | ${cell(c.summary)} |`),
    '',
    '| option | meaning | commands |',
    '|---|---|---|',
    ...rows,
    '',
    '| exit code | meaning |',
    '|---|---|',
    ...EXIT_CODES.map(([c, t]) => `| ${c} | ${cell(t)} |`),
  ].join('\n');
}
