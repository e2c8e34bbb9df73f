// Completion from the text before the cursor: statement and header keywords at
// the start of a line, the statement's own words after its keyword (flags,
// advice, fields …), region names bound in the line's process, errnos after
// `=>` and profile names after `kernel`, `on` and `and`.
import type { CompletionItem, CompletionItemKind } from 'vscode-languageserver';
import type { Analysis } from './analyze.js';
import { specIndex } from './hover.js';
import { describe } from './spec-text.js';
import type { Position } from './positions.js';
import { ALL_KEYWORDS, BINDABLE_KEYWORDS, HEADER_KEYWORDS, STATEMENT_KEYWORDS, argumentWords, profileNames, resultWords, settingWords } from './vocabulary.js';
import { BUILTIN_REGIONS, FILE_SYSTEMS } from '../grammar/names.js';
import { splitLine } from '../grammar/parse.js';

/** LSP CompletionItemKind values used here. */
const KIND = { keyword: 14, variable: 6, enumMember: 20, value: 12, field: 5, module: 9 } as const;

export type Item = CompletionItem;

const items = (labels: Iterable<string>, kind: CompletionItemKind, detail?: string): Item[] =>
  [...new Set(labels)].map((label) => (detail ? { label, kind, detail } : { label, kind }));

/** A statement item documented by its SPEC row and examples (what hover shows). */
const withSpec = (list: Item[]): Item[] =>
  list.map((i) => {
    const value = describe(specIndex(), i.label, i.label);
    return value ? { ...i, documentation: { kind: 'markdown', value } } : i;
  });

/** Statements that take no address (their arguments never name a region). */
const NO_ADDRESS = new Set(['file', 'truncate', 'unlink', 'fsync', 'fdatasync', 'fadvise', 'mlockall', 'munlockall', 'brk', 'setrlimit', 'cap', 'user', 'grow_stack', 'shmget', 'shmctl', 'exec', 'exit', 'fork', 'memfd_secret']);

export function complete(a: Analysis, p: Position): Item[] {
  const line = a.lines[p.line] ?? '';
  const split = splitLine(line.slice(0, p.character));
  if (split.comment !== undefined || split.openQuote !== undefined) return []; // inside a comment or a string
  const proc = a.procAt(p.line);
  if (/^\s*in\s+\w*$/.test(split.code)) return items(['main', ...a.processes.keys()], KIND.module, 'process');
  const before = split.code.replace(/^\s*in\s+[A-Za-z_]\w*\s*:\s*/, '');
  // The words before the one being typed.
  const done = before.replace(/[A-Za-z0-9_.+=-]*$/, '').trim();
  const words = done === '' ? [] : done.split(/\s+/);
  const regions = () => items([...a.regionsAt(p.line, proc).keys(), ...BUILTIN_REGIONS], KIND.variable, `region of ${proc}`);
  const profiles = () => [...items(profileNames(), KIND.enumMember, 'kernel profile'), ...items(settingWords(), KIND.value, 'machine setting')];

  if (words.length === 0) {
    return [
      ...withSpec(items(STATEMENT_KEYWORDS, KIND.keyword, 'statement')),
      ...items(HEADER_KEYWORDS, KIND.keyword, 'header'),
      ...items(['in'], KIND.keyword, 'run in another process'),
    ];
  }
  if (words.length === 2 && words[1] === '=') return withSpec(items(BINDABLE_KEYWORDS, KIND.keyword, 'statement'));
  const last = words[words.length - 1]!;
  // `file f 4p on <fs>` (SPEC §3.3): the filesystem, not a selector.
  if (last === 'on' && words[0] === 'file') return items(FILE_SYSTEMS, KIND.enumMember, 'filesystem');
  if (last === 'on' || last === 'and') return profiles();
  const arrow = words.lastIndexOf('=>');
  if (arrow >= 0) return [...items(resultWords(), KIND.enumMember, 'result'), ...items(['on'], KIND.keyword)];
  const keyword = words[1] === '=' ? words[2] : words[0];
  if (keyword === undefined || !ALL_KEYWORDS.includes(keyword)) return [];
  const out: Item[] = [];
  if (keyword === 'kernel') return profiles();
  if (keyword === 'expect') out.push(...regions(), ...items(argumentWords('expect'), KIND.field, 'field, operator or value'));
  else {
    out.push(...items(argumentWords(keyword), KIND.enumMember, keyword));
    if (!NO_ADDRESS.has(keyword) && !HEADER_KEYWORDS.includes(keyword)) out.push(...regions());
  }
  if (keyword === 'shmat' || keyword === 'shmctl') out.push(...items(a.segments.keys(), KIND.module, 'segment'));
  if (['mmap', 'truncate', 'unlink', 'fsync', 'fdatasync', 'fadvise'].includes(keyword)) out.push(...items(a.files.keys(), KIND.module, 'file'));
  return out;
}
