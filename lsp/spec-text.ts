// SPEC.md Part I as hover text. The language reference is the SPEC, so hovers
// quote it rather than keeping their own copies: table rows whose first cell
// names a word (the statement, mmap flag, field and setting tables) and the
// example lines of the code blocks, with their comments, each under the title
// of the section it comes from. The build embeds Part I as lsp/generated/spec.ts.

export interface TableRow {
  section: string;
  header: string[];
  cells: string[];
}

export interface ExampleLine {
  section: string;
  /** The code as written, and its comment (continuation comment lines joined). */
  code: string;
  comment?: string;
  /** The statement keyword of the line (`buf = mmap …` → mmap, `in kid: exit` → exit). */
  keyword?: string;
}

export interface SpecIndex {
  /** Rows by every word their first cell names in backquotes (`fixed <addr>` → fixed). */
  rows: Map<string, TableRow[]>;
  examples: ExampleLine[];
  /** Section titles in order. */
  sections: string[];
}

/** Cells of a markdown table row; `\|` is a pipe inside a cell. */
function cells(line: string): string[] {
  const parts = line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/);
  return parts.map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The statement keyword a code line starts with. */
export function lineKeyword(code: string): string | undefined {
  const m = /^\s*(?:in\s+\w+\s*:\s*)?(?:\w+\s*=(?!=)\s*)?([A-Za-z_]\w*)/.exec(code);
  return m?.[1];
}

/** Splits a code line at its comment (a `#` outside a string). */
function splitComment(line: string): { code: string; comment?: string } {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
  }
  return { code: line.trimEnd() };
}

export function indexSpec(markdown: string): SpecIndex {
  const rows = new Map<string, TableRow[]>();
  const examples: ExampleLine[] = [];
  const sections: string[] = [];
  let section = '';
  let inCode = false;
  let header: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      const { code, comment } = splitComment(line);
      const last = examples[examples.length - 1];
      // A comment-only line continues the comment of the line above it.
      if (code.trim() === '' && comment !== undefined && last && last.section === section) {
        last.comment = last.comment ? `${last.comment} ${comment}` : comment;
        continue;
      }
      if (code.trim() === '' || code.trim() === '}') continue;
      const keyword = lineKeyword(code);
      examples.push({ section, code: code.trim(), ...(comment ? { comment } : {}), ...(keyword ? { keyword } : {}) });
      continue;
    }
    const heading = /^#{1,4}\s+(.*)$/.exec(line);
    if (heading) {
      section = heading[1]!.trim();
      sections.push(section);
      header = undefined;
      continue;
    }
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const cs = cells(line);
    if (!header) {
      header = cs;
      continue;
    }
    if (cs.every((c) => /^:?-+:?$/.test(c))) continue;
    const row: TableRow = { section, header, cells: cs };
    for (const m of (cs[0] ?? '').matchAll(/`([A-Za-z_][\w-]*)[^`]*`/g)) {
      const list = rows.get(m[1]!) ?? [];
      if (!list.includes(row)) list.push(row);
      rows.set(m[1]!, list);
    }
  }
  return { rows, examples, sections };
}

/** Section number of a heading (`3.4 Calls` → 3.4). */
const sectionNumber = (s: string): string | undefined => /^(\d+(?:\.\d+)?)\b/.exec(s)?.[1];

/** A row as a two-line markdown table under its section title. */
export function rowMarkdown(row: TableRow): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${row.header.map(esc).join(' | ')} |`, `|${row.header.map(() => '---').join('|')}|`, `| ${row.cells.map(esc).join(' | ')} |`].join('\n');
}

export function examplesMarkdown(lines: readonly ExampleLine[]): string {
  const width = Math.max(...lines.map((l) => l.code.length));
  const body = lines.map((l) => (l.comment ? `${l.code.padEnd(width)}  # ${l.comment}` : l.code)).join('\n');
  return '```mls\n' + body + '\n```';
}

const wordIn = (text: string, word: string): boolean => new RegExp(`(^|[^\\w-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(text);

/**
 * The section that defines a statement: the one its statement-table row refers
 * to (`… (§3.4)`), else the one holding most of its examples.
 */
function homeSection(index: SpecIndex, statement: string, own: readonly ExampleLine[]): string | undefined {
  const row = index.rows.get(statement)?.[0];
  const ref = row && /§(\d+(?:\.\d+)?)\)?\s*$/.exec(row.cells[row.cells.length - 1] ?? '')?.[1];
  const bySection = ref ? index.sections.find((s) => sectionNumber(s) === ref) : undefined;
  if (bySection) return bySection;
  const count = new Map<string, number>();
  for (const e of own) count.set(e.section, (count.get(e.section) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * What SPEC Part I says about `word` used in a `statement` line (the statement
 * itself when word === statement): the rows of the statement's own section
 * first, then its example lines that use the word, then rows anywhere.
 */
export function describe(index: SpecIndex, word: string, statement: string | undefined): string | undefined {
  const own = statement ? index.examples.filter((e) => e.keyword === statement) : [];
  const home = statement ? homeSection(index, statement, own) : undefined;
  const parts: string[] = [];
  const rows = index.rows.get(word) ?? [];
  if (word === statement) {
    const row = rows[0];
    parts.push(`SPEC.md §${home ?? row?.section ?? ''}`);
    if (row) parts.push(rowMarkdown(row));
    // Examples from the home section first (`expect` also appears in §3.1's block example).
    const shown = [...own.filter((e) => e.section === home), ...own.filter((e) => e.section !== home)].slice(0, 6);
    if (shown.length > 0) parts.push(examplesMarkdown(shown));
    return parts.length > 1 ? parts.join('\n\n') : undefined;
  }
  const local = rows.filter((r) => r.section === home);
  if (local.length > 0) return local.map((r) => `SPEC.md §${r.section}\n\n${rowMarkdown(r)}`).join('\n\n');
  const uses = own.filter((e) => wordIn(e.code, word) || (e.comment !== undefined && wordIn(e.comment, word)));
  if (uses.length > 0) return `SPEC.md §${home}\n\n${examplesMarkdown(uses.slice(0, 4))}`;
  if (rows.length > 0) return rows.slice(0, 2).map((r) => `SPEC.md §${r.section}\n\n${rowMarkdown(r)}`).join('\n\n');
  return undefined;
}
