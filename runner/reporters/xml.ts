// The little XML the JUnit reporter needs, written by hand: junit-report-builder
// could not give <skipped> a message nor a testcase a line attribute.
import { stripAnsi } from '../render/style.js';

/** Characters XML 1.0 forbids anywhere (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/FFFF). */
// eslint-disable-next-line no-control-regex
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

/** Text safe for an attribute or element body: ANSI codes (the whole sequence) and illegal characters gone, markup escaped. */
export function xmlText(s: string): string {
  return stripAnsi(s)
    .replace(ILLEGAL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlText(String(v))}"`)
    .join('');
}

/** An element: `children` are already-built elements, `text` an escaped body; neither gives `<name/>`. */
export function element(name: string, a: Attrs, children: readonly string[] = [], text?: string): string {
  if (children.length === 0 && (text === undefined || text === '')) return `<${name}${attrs(a)}/>`;
  // Children are not indented: that would shift the lines of a multi-line body (a failure's source frame).
  const body = text !== undefined ? xmlText(text) : `\n${children.join('\n')}\n`;
  return `<${name}${attrs(a)}>${body}</${name}>`;
}
