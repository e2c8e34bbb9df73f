// Colour through util.styleText, decided once per output stream. Colour is
// never the only signal: every coloured word is also a word (ok, FAIL, error).
import { styleText } from 'node:util';

export interface Style {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export interface ColorInputs {
  isTTY?: boolean | undefined;
  env: NodeJS.ProcessEnv;
  /** --color (true) / --no-color (false) / neither (undefined). */
  flag?: boolean | undefined;
}

/** --color/--no-color win; then FORCE_COLOR (Node's rule: it beats NO_COLOR); then NO_COLOR; then the TTY. */
export function colorEnabled({ isTTY, env, flag }: ColorInputs): boolean {
  if (flag !== undefined) return flag;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return isTTY === true;
}

type Format = Parameters<typeof styleText>[0];

export function makeStyle(enabled: boolean): Style {
  const f = (format: Format) => (s: string) => (enabled ? styleText(format, s, { validateStream: false }) : s);
  return { enabled, red: f('red'), green: f('green'), yellow: f('yellow'), cyan: f('cyan'), dim: f('dim'), bold: f('bold') };
}

export const plain: Style = makeStyle(false);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}
