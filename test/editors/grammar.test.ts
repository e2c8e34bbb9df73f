// The editor packaging: the TextMate grammar (generated from the language's
// word lists, checked with vscode-tmgrammar-test over scope-annotated fixtures)
// and the VS Code extension package the build writes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tmGrammar } from '../../lsp/textmate.js';
import { ROOT } from '../runner/helpers.js';

const GRAMMAR = join(ROOT, 'editors/vscode/syntaxes/mls.tmLanguage.json');
const TMTEST = join(ROOT, 'node_modules/vscode-tmgrammar-test/dist/unit.js');
const tmtest = (glob: string) => spawnSync(process.execPath, [TMTEST, '-g', GRAMMAR, glob], { cwd: ROOT, encoding: 'utf8' });

t.test('the committed grammar is the generated one', async (t) => {
  t.same(JSON.parse(readFileSync(GRAMMAR, 'utf8')), tmGrammar(), 'regenerate with: npm run build && node scripts/tmgrammar.mjs');
});

t.test('scope assertions of the fixtures hold', async (t) => {
  const r = tmtest('test/editors/fixtures/*.mls');
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /header\.mls run successfu/);
});

t.test('a wrong scope assertion fails', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-tm-'));
  writeFileSync(join(dir, 'bad.mls'), '# SYNTAX TEST "source.mls"\nmlock buf => ENOMEM\n#            ^^^^^^ constant.language.flag.mls\n');
  const r = tmtest(join(dir, '*.mls'));
  t.not(r.status, 0);
  t.match(r.stdout, /actual: source\.mls constant\.language\.errno\.mls/);
});

t.test('the build packaged the VS Code extension', async (t) => {
  const vsix = join(ROOT, 'dist/mls-vscode.vsix');
  t.ok(existsSync(vsix), 'npm run build writes dist/mls-vscode.vsix');
  // A zip stores every member name in plain text.
  const bytes = readFileSync(vsix).toString('latin1');
  for (const f of ['extension/package.json', 'extension/syntaxes/mls.tmLanguage.json', 'extension/dist/extension.js', 'extension/language-configuration.json']) {
    t.ok(bytes.includes(f), f);
  }
  t.notOk(bytes.includes('extension/src/'), 'the bundled entry only, not its source');
  const manifest = JSON.parse(readFileSync(join(ROOT, 'editors/vscode/package.json'), 'utf8'));
  t.equal(manifest.contributes.grammars[0].scopeName, tmGrammar()['scopeName']);
});
