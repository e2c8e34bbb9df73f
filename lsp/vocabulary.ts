// The words of the language as the editor offers them: statement and header
// keywords read from the grammar itself (grammar/mls.ohm), and the flag,
// field, errno and profile lists of grammar/names.ts. Nothing is listed here
// by hand, so a keyword or flag added to the language shows up in completion,
// hover and the TextMate grammar without touching lsp/.
import grammar from '../grammar/mls.ohm-bundle.js';
import * as N from '../grammar/names.js';

// ohm's parsing-expression classes are not in its typings; only their shape is used.
interface PExpr {
  ruleName?: string;
  obj?: string;
  terms?: PExpr[];
  factors?: PExpr[];
}

function rule(name: string): PExpr {
  const r = (grammar.rules as unknown as Record<string, { body: PExpr } | undefined>)[name];
  if (!r) throw new Error(`grammar has no rule ${name}`);
  return r.body;
}

/** The keyword a sequence starts with: `kw_mmap` → "mmap"; `rangeOp` → each of its keywords. */
function leadingKeywords(e: PExpr): string[] {
  if (e.terms) return e.terms.flatMap(leadingKeywords);
  if (e.factors) return e.factors.length > 0 ? leadingKeywords(e.factors[0]!) : [];
  if (e.ruleName?.startsWith('kw_')) {
    const t = rule(e.ruleName).factors?.[0]?.obj;
    return t === undefined ? [] : [t];
  }
  if (e.ruleName) return leadingKeywords(rule(e.ruleName));
  return [];
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** Header keywords (`scenario`, `kernel`, …), in grammar order. */
export const HEADER_KEYWORDS: readonly string[] = unique(leadingKeywords(rule('Header')));
/** Statement keywords: calls that may bind a name, the other calls, and `expect`. */
export const BINDABLE_KEYWORDS: readonly string[] = unique(leadingKeywords(rule('Bindable')));
/** Every other keyword a line may start with (`Plain` calls, `expect`, and any statement `Line` gains) but headers and `in`. */
export const STATEMENT_KEYWORDS: readonly string[] = unique([...BINDABLE_KEYWORDS, ...leadingKeywords(rule('Line'))])
  .filter((k) => !HEADER_KEYWORDS.includes(k) && k !== 'in');
/** Every keyword a grammar rule spells out (`kw_*`), including argument keywords (`fixed`, `hard`, `on`). */
export const ALL_KEYWORDS: readonly string[] = unique(
  Object.keys(grammar.rules).filter((r) => r.startsWith('kw_')).flatMap((r) => leadingKeywords({ ruleName: r })),
);

export const FIELDS: readonly string[] = unique([...N.PROCESS_FIELDS, ...N.REGION_FIELDS]);

/** Profile names: every base, every patch, and base+patch (the common form in `kernel` lines). */
export function profileNames(): string[] {
  const { bases, patches } = N.KNOWN_PROFILES;
  return [...bases, ...patches, ...bases.flatMap((b) => patches.map((p) => `${b}+${p}`))];
}

/** Machine settings as `name=value` words (`zero_page=off`). */
export function settingWords(): string[] {
  return N.SETTING_NAMES.flatMap((n) => {
    const v = N.SETTINGS[n];
    return v === 'number' ? [`${n}=`] : v.map((x) => `${n}=${x}`);
  });
}

/** The argument words a statement takes after its keyword (flags, advice, modes …). */
export function argumentWords(statement: string): readonly string[] {
  switch (statement) {
    case 'mmap': return [...N.MMAP_FLAG_WORDS, 'fixed', 'fixed_noreplace', 'at', 'flags', 'file', 'offset', 'anon', ...N.SHARES, 'none', 'r', 'rw', 'rwx', 'rx', 'w', 'x'];
    case 'memfd_secret': return ['none', 'r', 'rw'];
    case 'mremap': return [...N.MREMAP_FLAG_WORDS, 'fixed', 'flags'];
    case 'mprotect': return ['none', 'r', 'rw', 'rwx', 'rx', 'w', 'x', 'prot'];
    case 'mlock2': return [...Object.keys(N.MLOCK2_FLAGS), 'flags'];
    case 'mlockall': return [...Object.keys(N.MLOCKALL_FLAGS), 'flags'];
    case 'msync': return [...Object.keys(N.MSYNC_FLAGS), 'flags'];
    case 'madvise': return [...Object.keys(N.ADVICE), 'advice'];
    case 'setrlimit': return [...N.RLIMIT_RESOURCES, 'hard', 'unlimited', 'keep'];
    case 'cap': return [...N.CAP_ACTIONS, ...N.CAPS];
    case 'user': return [...Object.keys(N.USER_NAMES), 'keep', ...N.CAPS];
    case 'access': return ['random', 'seed', ...N.ACCESS_MODES];
    case 'write': return ['value'];
    case 'shmat': return [...N.SHMAT_FLAG_ORDER, 'at'];
    case 'shmctl': return N.SHMCTL_CMDS;
    case 'file': return ['on', ...N.FILE_SYSTEMS];
    case 'requires': return [...N.REQUIREMENTS, ...settingWords()];
    case 'image': return N.IMAGES;
    case 'kernel': return profileNames();
    case 'expect': return [...FIELDS, 'has', 'lacks', ...N.MCL_STATES, ...N.VMA_FLAG_LETTERS];
    default: return [];
  }
}

/** What `=>` may be followed by. */
export function resultWords(): string[] {
  return ['ok', 'any', ...N.ERRNOS, ...N.SIGNALS];
}
