// The one option table. It drives util.parseArgs, the per-command option
// whitelist, `--help` (global and per command) and the README usage section,
// so an option is declared exactly once (jackspeak/tapjs precedent).
import { availableParallelism } from 'node:os';

export type CommandName =
  | 'run'
  | 'watch'
  | 'list'
  | 'check'
  | 'compile'
  | 'fmt'
  | 'diff'
  | 'record'
  | 'fuzz'
  | 'compare'
  | 'explore'
  | 'doctor'
  | 'merge-reports'
  | 'lsp'
  | 'help';

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'run', usage: 'mls run [paths…] [options]', summary: 'run scenarios and report (the default command)' },
  { name: 'watch', usage: 'mls watch [paths…] [options]', summary: 're-run scenarios when .mls files (or the model) change' },
  { name: 'list', usage: 'mls list [paths…] [--json] [--kernels]', summary: 'print the scenarios (and their checks) that would run' },
  { name: 'check', usage: 'mls check <paths…>', summary: 'parse and validate only: every diagnostic of every file' },
  { name: 'compile', usage: 'mls compile <file> --json', summary: 'print the compiled IR of one scenario' },
  { name: 'fmt', usage: 'mls fmt [--check] <paths…>', summary: 'format .mls files in place (--check: only report)' },
  { name: 'diff', usage: 'mls diff [paths…] [options]', summary: 'run on model and host, compare observations field by field' },
  { name: 'record', usage: 'mls record [paths…] [options]', summary: 'fill in placeholder expectations from observed values (-u: also failing ones)' },
  { name: 'fuzz', usage: 'mls fuzz [--seed n] [--count n] [--time s] [--out dir] [--coverage[=file]] [-j n]', summary: 'random scenarios on model and host, compared step by step; divergences shrunk and reported (--out: written as .mls files)' },
  { name: 'compare', usage: 'mls compare <profileA> <profileB> [paths…] [--json]', summary: 'run scenarios under two kernel profiles; print the observations that differ' },
  { name: 'explore', usage: 'mls explore <profileA> <profileB> [--depth k] [--alphabet file|preset] [--time s] [-j n] [--all] [--out file]', summary: 'the smallest program whose observations differ between two kernel profiles (bounded exhaustive search)' },
  { name: 'doctor', usage: 'mls doctor [--json]', summary: 'what this host kernel does differently from stock (zero page, pkeys, THP, limits…) and what that changes' },
  { name: 'merge-reports', usage: 'mls merge-reports <reports…|dir> [-r name[=file]]…', summary: 'merge the JSON reports of `mls run --shard i/n` runs into every reporter\'s output, as if one run had happened' },
  { name: 'lsp', usage: 'mls lsp [--stdio]', summary: 'language server for editors (LSP over stdin/stdout): diagnostics, hover, completion, definitions, symbols, formatting, quick fixes' },
  { name: 'help', usage: 'mls help [command]', summary: 'show help for a command' },
];

export type OptionType = 'boolean' | 'string';

export interface OptionSpec {
  long: string;
  short?: string;
  type: OptionType;
  multiple?: boolean;
  /** Value used when a string option is given bare (`--bail` means `--bail=1`). */
  bareValue?: string;
  /** Shown in help; the effective default is computed by `defaultOf`. */
  defaultText?: string;
  valueName?: string;
  description: string;
  /** Commands that accept it; `'*'`: every command. */
  commands: readonly CommandName[] | '*';
}

const RUNNERS: CommandName[] = ['run', 'watch', 'diff', 'record'];

export const OPTIONS: readonly OptionSpec[] = [
  { long: 'help', short: 'h', type: 'boolean', description: 'show help (for the command, if one is given)', commands: '*' },
  { long: 'version', type: 'boolean', description: 'print the mls version', commands: '*' },
  {
    long: 'target', type: 'string', valueName: 'model|host|vm', defaultText: 'model; record: host; diff, fuzz: host',
    description: 'where scenarios run: the mm model, this machine\'s kernel, or a kernel image booted under QEMU (vm: needs --kernel-image); diff and fuzz compare the model with host or vm',
    commands: ['run', 'watch', 'record', 'diff', 'fuzz'],
  },
  {
    long: 'kernel-image', type: 'string', valueName: 'file',
    description: 'vm target: the kernel to boot (bzImage, vmlinuz or vmlinux); needs a virtio console (README "Test the kernel you just built")', commands: ['run', 'watch', 'record', 'diff', 'fuzz'],
  },
  {
    long: 'kernel-modules', type: 'string', valueName: 'dir', defaultText: '…/lib/modules/<release> beside a …/boot/vmlinuz-<release>',
    description: 'vm target: the kernel\'s modules tree, for kernels whose virtio console is modular (the guest loads virtio_pci, virtio_console and what they need)', commands: ['run', 'watch', 'record', 'diff', 'fuzz'],
  },
  {
    long: 'qemu', type: 'string', valueName: 'path', defaultText: 'qemu-system-x86_64 on PATH',
    description: 'vm target: the qemu binary', commands: ['run', 'watch', 'record', 'diff', 'fuzz'],
  },
  {
    long: 'vm-memory', type: 'string', valueName: 'MiB', defaultText: '512',
    description: 'vm target: the guest\'s memory', commands: ['run', 'watch', 'record', 'diff', 'fuzz'],
  },
  {
    long: 'kernel', short: 'k', type: 'string', valueName: 'profile', defaultText: 'linux-6.18',
    description: 'kernel profile the model runs: a name, a comma list or `all` (see `mls list --kernels`)', commands: ['run', 'watch', 'list', 'diff', 'record', 'fuzz'],
  },
  {
    long: 'jobs', short: 'j', type: 'string', valueName: 'n',
    defaultText: 'available CPUs; run: inline when too few scenarios to pay for workers',
    description: 'worker threads, kept as given; -j1 runs inline without workers (fuzz: scenarios in flight, default 2 × CPUs; explore: default 1)',
    commands: [...RUNNERS, 'fuzz', 'explore'],
  },
  {
    long: 'filter', short: 't', type: 'string', valueName: 'regex',
    description: 'run only scenarios whose name or a tag matches (case-insensitive)', commands: ['run', 'watch', 'list', 'diff', 'record', 'compare'],
  },
  {
    long: 'tag', type: 'string', multiple: true, valueName: 'tag[,tag…]',
    description: 'run only scenarios with one of these tags; repeatable', commands: ['run', 'watch', 'list', 'diff', 'record', 'compare'],
  },
  {
    long: 'exclude-tag', type: 'string', multiple: true, valueName: 'tag[,tag…]',
    description: 'skip scenarios with any of these tags (not run, not counted); repeatable', commands: ['run', 'watch', 'list', 'diff', 'record', 'compare'],
  },
  {
    long: 'reporter', short: 'r', type: 'string', multiple: true, valueName: 'name[=file]',
    defaultText: 'spec on a TTY, tap otherwise or in CI',
    description: 'spec, dot, tap, tap13, junit, json or html; repeatable; =file writes that report to a file', commands: ['run', 'watch', 'merge-reports'],
  },
  {
    long: 'timeout', type: 'string', valueName: 'ms', defaultText: '10000',
    description: 'per-scenario time limit (times MLS_TIMEOUT_MUL if set)', commands: [...RUNNERS, 'fuzz', 'compare', 'explore'],
  },
  {
    long: 'host-lock-cap', type: 'string', valueName: 'size', defaultText: '256M, or MLS_HOST_LOCK_CAP',
    description: 'host target: the most one scenario may lock, populate, make resident (THP blocks count whole) or write to files; scenarios that could exceed it are refused before they run',
    commands: [...RUNNERS],
  },
  {
    long: 'max-file-size', type: 'string', valueName: 'size', defaultText: '8M, or MLS_MAX_FILE_SIZE',
    description: 'the largest .mls file compiled (mls/file-too-large above it); compile time and memory grow with the size',
    commands: ['run', 'watch', 'list', 'check', 'compile', 'diff', 'record', 'compare'],
  },
  {
    long: 'setting', type: 'string', multiple: true, valueName: 'name=value',
    description: 'run the model as on a machine with this setting (zero_page, huge_zero_page, pkeys, soft_dirty: on|off; thp; files: disk|tmpfs; read_ahead_kb); repeatable; a scenario\'s `requires name=value` still wins (diff, fuzz: forces the model off the host\'s value)',
    commands: ['run', 'watch', 'diff', 'fuzz'],
  },
  { long: 'seed', type: 'string', valueName: 'n', defaultText: '1', description: 'seed of the scenario stream (same seed, same scenarios)', commands: ['fuzz'] },
  { long: 'count', type: 'string', valueName: 'n', defaultText: '1000 unless --time is given', description: 'stop after n scenarios', commands: ['fuzz'] },
  { long: 'time', type: 'string', valueName: 's', defaultText: 'fuzz: none, --count decides; explore: 60', description: 'stop after s seconds', commands: ['fuzz', 'explore'] },
  {
    long: 'out', type: 'string', valueName: 'path',
    description: 'fuzz: the directory shrunk divergences are written to as .mls regressions (default: printed only, nothing written); explore: the witness .mls file (with --all: a directory, one file per difference)', commands: ['fuzz', 'explore'],
  },
  { long: 'depth', type: 'string', valueName: 'k', defaultText: '6', description: 'explore programs of up to k statements', commands: ['explore'] },
  {
    long: 'alphabet', type: 'string', valueName: 'file|preset', defaultText: 'lock',
    description: 'the statements explore may use: a preset (lock, tiny, full) or a JSON file of the same keys (SPEC Exploring)', commands: ['explore'],
  },
  { long: 'all', type: 'boolean', description: 'list every distinct difference up to the depth, one witness each, instead of stopping at the first', commands: ['explore'] },
  { long: 'no-shrink', type: 'boolean', description: 'report divergences without shrinking or writing them', commands: ['fuzz'] },
  {
    long: 'coverage', type: 'string', bareValue: '-', valueName: 'file',
    description: 'print how often each call × mapping kind × page state was generated and the possible ones never generated (bare --coverage: print; --coverage=file: also write JSON)',
    commands: ['fuzz'],
  },
  {
    long: 'bail', type: 'string', bareValue: '1', valueName: 'n',
    description: 'stop after n failed scenarios (bare --bail: 1)', commands: ['run'],
  },
  {
    long: 'shard', type: 'string', valueName: 'i/n',
    description: 'run only the i-th of n deterministic slices of the files', commands: ['run', 'list'],
  },
  {
    long: 'changed', type: 'string', bareValue: 'HEAD', valueName: 'ref',
    description: 'run only scenario files changed since the git ref (bare --changed: uncommitted changes), all of them when the model or grammar changed',
    commands: ['run', 'list'],
  },
  {
    long: 'forbid-only', type: 'boolean',
    description: 'a scenario saying `only` is an error (exit 2), for CI; without it, `only` runs just those scenarios', commands: ['run'],
  },
  {
    long: 'pass-with-no-tests', type: 'boolean',
    description: 'exit 0 when no scenario matched', commands: ['run', 'watch'],
  },
  { long: 'json', type: 'boolean', description: 'machine-readable output', commands: ['list', 'compile', 'check', 'compare', 'explore', 'doctor'] },
  { long: 'html', type: 'string', valueName: 'file', description: 'also write the comparison as a self-contained HTML page, a column per profile', commands: ['compare'] },
  { long: 'kernels', type: 'boolean', description: 'list kernel profiles instead of scenarios', commands: ['list'] },
  { long: 'check', type: 'boolean', description: 'do not write; exit 1 if a file is not formatted', commands: ['fmt'] },
  { long: 'poll', type: 'boolean', description: 'poll for changes (also CHOKIDAR_USEPOLLING=1)', commands: ['watch'] },
  {
    long: 'cache-dir', type: 'string', valueName: 'dir', defaultText: '.mls-cache',
    description: 'where compiled scenarios are cached', commands: ['run', 'watch', 'list', 'diff', 'record'],
  },
  { long: 'no-cache', type: 'boolean', description: 'neither read nor write the compile cache', commands: ['run', 'watch', 'list', 'diff', 'record'] },
  { long: 'dry-run', type: 'boolean', description: 'show what would change without writing', commands: ['record'] },
  { long: 'stdio', type: 'boolean', description: 'speak LSP over stdin/stdout (the only transport; accepted because editors pass it)', commands: ['lsp'] },
  {
    long: 'clientProcessId', type: 'string', valueName: 'pid',
    description: 'exit when this editor process is gone (editors pass it)', commands: ['lsp'],
  },
  {
    long: 'update', short: 'u', type: 'boolean',
    description: 'also rewrite concrete expectations that fail (without it they are kept, listed, and the exit status is 1)', commands: ['record'],
  },
  { long: 'color', type: 'boolean', description: 'force colour (also FORCE_COLOR)', commands: '*' },
  { long: 'no-color', type: 'boolean', description: 'no colour (also NO_COLOR)', commands: '*' },
];

export function optionsFor(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands === '*' || o.commands.includes(command));
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export function isCommand(name: string | undefined): name is CommandName {
  return COMMANDS.some((c) => c.name === name);
}
