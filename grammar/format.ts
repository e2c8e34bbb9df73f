// `mls fmt`: canonical layout of a .mls file that keeps the author's spelling of
// every token (16p stays 16p) and every comment. One space between tokens,
// ` + ` / ` - ` around binary operators, two-space indentation in blocks, one
// blank line at most, trailing comments of consecutive lines aligned two spaces
// after the longest code, LF line ends, final newline.
import type { Node, NonterminalNode } from 'ohm-js';
import type { Message } from '../schema/generated/types.js';
import { Diagnostics } from './diagnostics.js';
import grammar from './mls.ohm-bundle.js';
import { parseSource, sourceLines } from './parse.js';
import { matchLine } from './match-line.js';

/** An expression with normalised operator spacing: `buf+1p` → `buf + 1p`. */
function exprText(node: Node): string {
  let out = node.child(0).sourceString;
  for (const t of node.child(1).children) {
    const c = t.child(0) as NonterminalNode; // atail_spaced | atail_tight (and ctail_*)
    const spaced = c.ctorName.endsWith('_spaced');
    const op = c.child(spaced ? 1 : 0).sourceString;
    const term = c.child(spaced ? 3 : 2).sourceString;
    out += ` ${op} ${term}`;
  }
  return out;
}

interface Token {
  text: string;
  at: number;
}
const tokensOf = (n: Node): Token[] => n['tokens']() as Token[];
const one = (n: Node, text: string): Token[] => (text === '' ? [] : [{ text, at: n.source.startIdx }]);

// Iterations of sequences (`(sep elem)*`) come as one iteration node per column,
// so tokens are collected with their offsets and sorted back into source order.
const semantics = grammar.createSemantics().addOperation<Token[]>('tokens', {
  _terminal() {
    return one(this, this.sourceString);
  },
  _nonterminal(...children: Node[]) {
    const name = this.ctorName;
    if (name === 'addr' || name === 'cexpr') return one(this, exprText(this));
    // Lexical rules (lower-case names) are single tokens.
    if (name[0]! >= 'a' && name[0]! <= 'z') return one(this, this.sourceString);
    return children.flatMap(tokensOf);
  },
  _iter(...children: Node[]) {
    return children.flatMap(tokensOf);
  },
});

function joinTokens(tokens: Token[]): string {
  let out = '';
  for (const t of [...tokens].sort((a, b) => a.at - b.at).map((x) => x.text)) {
    if (out === '' || t === ',' || t === ':' || t === ')' || out.endsWith('[')) out += t;
    else out += ' ' + t;
  }
  return out;
}

export interface FormatResult {
  /** Present iff the file has no syntax error. */
  text?: string;
  messages: Message[];
}

export function formatSource(text: string, file: string): FormatResult {
  try {
    const d = new Diagnostics(file, sourceLines(text));
    const { matches, splits, lineAt } = parseSource(text, d, true);
    if (d.hasErrors()) return { messages: d.messages };
    // Each output line as code + trailing comment; comments of consecutive lines are aligned.
    const out: { code: string; comment?: string }[] = [];
    let depth = 0;
    for (let i = 0; i < splits.length; i++) {
      const kind = lineAt(i)?.kind;
      const match = matches[i] ?? (kind ? matchLine(splits[i]!.code) : undefined);
      if (kind === 'close') depth = 0;
      const code = match ? joinTokens(semantics(match)['tokens']() as Token[]) : '';
      const comment = splits[i]!.comment?.trimEnd();
      const indent = '  '.repeat(depth);
      const last = out[out.length - 1];
      if (code === '' && comment === undefined) {
        if (last && (last.code !== '' || last.comment !== undefined)) out.push({ code: '' });
      } else if (code === '') out.push({ code: indent + comment });
      else out.push(comment !== undefined ? { code: indent + code, comment } : { code: indent + code });
      if (kind === 'open' || kind === 'repeat') depth = 1;
    }
    while (out.length > 0 && out[out.length - 1]!.code === '') out.pop();
    const lines: string[] = [];
    for (let i = 0; i < out.length; ) {
      let j = i;
      while (j < out.length && out[j]!.comment !== undefined) j++;
      if (j === i) {
        lines.push(out[i]!.code);
        i++;
        continue;
      }
      const width = Math.max(...out.slice(i, j).map((l) => l.code.length));
      for (const l of out.slice(i, j)) lines.push(l.code.padEnd(width + 2) + l.comment);
      i = j;
    }
    return { text: lines.join('\n') + '\n', messages: d.messages };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { messages: [{ id: 'mls/internal', severity: 'error', text: `internal formatter error: ${msg}`, location: { file, line: 1, column: 1 }, notes: [] }] };
  }
}
