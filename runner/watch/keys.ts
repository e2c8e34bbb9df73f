// Watch-mode keys: a (all), f (failed only), t (filter prompt), Enter
// (re-run), q (quit). A small state machine fed raw stdin chunks, so it works
// for a TTY in raw mode and for piped input alike.
export type KeyAction =
  | { kind: 'all' }
  | { kind: 'failed' }
  | { kind: 'rerun' }
  | { kind: 'quit' }
  | { kind: 'prompt' }
  | { kind: 'filter'; pattern: string }
  | { kind: 'help' };

export class KeyReader {
  private prompt: string | undefined;

  /** Feed raw input; returns the actions it completes, in order. */
  feed(chunk: string): KeyAction[] {
    const out: KeyAction[] = [];
    for (const ch of chunk) {
      if (this.prompt !== undefined) {
        if (ch === '\r' || ch === '\n') {
          out.push({ kind: 'filter', pattern: this.prompt });
          this.prompt = undefined;
        } else if (ch === '\u001b') {
          this.prompt = undefined; // Escape cancels the prompt
        } else if (ch === '\u007f' || ch === '\b') {
          this.prompt = this.prompt.slice(0, -1);
        } else if (ch === '\u0003') {
          out.push({ kind: 'quit' });
        } else {
          this.prompt += ch;
        }
        continue;
      }
      switch (ch) {
        case 'a': out.push({ kind: 'all' }); break;
        case 'f': out.push({ kind: 'failed' }); break;
        case 't': this.prompt = ''; out.push({ kind: 'prompt' }); break;
        case '\r': case '\n': out.push({ kind: 'rerun' }); break;
        case 'q': case '\u0003': case '\u0004': out.push({ kind: 'quit' }); break;
        case 'h': case '?': out.push({ kind: 'help' }); break;
        default: break;
      }
    }
    return out;
  }

  get prompting(): boolean {
    return this.prompt !== undefined;
  }
}

export const KEY_HELP = 'keys: a all · f failed only · t filter by name · Enter re-run · q quit';
