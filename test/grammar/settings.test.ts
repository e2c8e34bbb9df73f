// Machine settings in the language (SPEC §2 `requires name=value`, §3 `on name=value`
// selectors): what they compile to, what is refused and with which id, and that
// `mls fmt` prints them back.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { schemaErrors, withoutLocations } from './helpers.js';

const compile = (text: string) => compileSource(text, 't.mls');
const ids = (text: string) => compile(text).messages.map((m) => `${m.id}@${m.location?.line}:${m.location?.column}`);

t.test('requires name=value fills env.settings beside plain requirements', async (t) => {
  const r = compile('scenario "s"\nrequires root zero_page=off pkeys=off\nrequires read_ahead_kb=0128\nx = mmap 1p r private anon\n');
  t.same(r.messages, []);
  t.same(r.scenario!.requires, ['root']);
  t.same(r.scenario!.env.settings, { zero_page: 'off', pkeys: 'off', read_ahead_kb: '128' });
  t.same(schemaErrors(r.scenario!), []);
});

t.test('on selectors: a setting, several joined by and, with a profile', async (t) => {
  const r = compile([
    'scenario "s"',
    'x = mmap 4p r private anon',
    'mlock x => ENOMEM, ok on pkeys=off, EFAULT on linux-6.1 and files=tmpfs',
    'expect x rss == 0, 4p on zero_page=off and pkeys=off, >= 1p on thp=always',
  ].join('\n'));
  t.same(r.messages, []);
  const [, mlock, exp] = r.scenario!.steps as any[];
  t.same(mlock.result.cases.map((c: any) => c.when), [
    { settings: [{ name: 'pkeys', value: 'off' }] },
    { profile: 'linux-6.1', settings: [{ name: 'files', value: 'tmpfs' }] },
  ]);
  t.same(exp.checks[0].value.cases[0].when, { settings: [{ name: 'zero_page', value: 'off' }, { name: 'pkeys', value: 'off' }] });
  t.equal(exp.checks[0].value.cases[1].op, '>=');
  t.same(schemaErrors(r.scenario!), []);
});

t.test('printed back, the same IR (fmt and record keep settings)', async (t) => {
  const src = 'scenario "s"\nrequires host zero_page=off\nx = mmap 4p r private anon\nmlock x => ENOMEM, ok on pkeys=off\nexpect x rss == 0, 4p on zero_page=off and linux-6.18\n';
  const a = compile(src).scenario!;
  const text = printScenario(a);
  t.match(text, /requires host zero_page=off/);
  t.match(text, /4p on linux-6\.18 and zero_page=off/);
  t.same(withoutLocations(compile(text).scenario!), withoutLocations(a));
});

t.test('bad settings: unknown name with a suggestion, bad value, contradictions, misuse', async (t) => {
  const unknown = compile('scenario "s"\nrequires zeropage=off\n').messages[0]!;
  t.equal(unknown.id, 'mls/unknown-setting');
  t.match(JSON.stringify(unknown.notes), /did you mean \\"zero_page\\"/);
  t.same(ids('scenario "s"\nrequires pkeys=maybe\n'), ['mls/bad-value@2:10']);
  t.same(ids('scenario "s"\nrequires read_ahead_kb=lots\n'), ['mls/bad-value@2:10']);
  t.same(ids('scenario "s"\nrequires zero_page=off\nrequires zero_page=on\n'), ['mls/contradiction@3:10']);
  t.same(ids('scenario "s"\nkernel zero_page=off\n'), ['mls/bad-value@2:8']);
  t.same(ids('scenario "s"\nx = mmap 1p r private anon\nexpect x rss == 0, 1p on pkeys=off and pkeys=on\n'), ['mls/bad-value@3:40']);
  t.same(ids('scenario "s"\nx = mmap 1p r private anon\nexpect x rss == 0, 1p on linux-6.1 and linux-6.12\n'), ['mls/bad-value@3:40']);
});
