// Bounds for input (issue 16 finding 5): a per-file size limit with its own id and a
// flag to raise it, a binary file refused without echoing its bytes, and compiling
// counted inside the scenario's time limit.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../runner/cli.js';
import { compileSource, MAX_FILE_CHARS_DEFAULT } from '../../grammar/compile.js';
import { PASSING, suite, memoryIO as io } from './helpers.js';


/** A valid scenario of about `chars` characters. */
function bigScenario(chars: number): string {
  const lines = ['scenario "big"', 'buf = mmap 4p rw private anon'];
  let n = 0;
  while (n < chars) for (const l of ['mlock buf 1p', 'munlock buf 1p', 'expect locked_vm == 0']) { lines.push(l); n += l.length + 1; }
  return lines.join('\n') + '\n';
}

t.test('a file over the limit: mls/file-too-large naming the flag; the flag raises it', async (t) => {
  const dir = suite({ 'big.mls': bigScenario(4096) });
  const small = io(dir);
  t.equal(await main(['check', 'big.mls', '--max-file-size', '2K'], small.value), 2);
  t.match(small.stdout + small.stderr, /big\.mls:1:1: error: file too large: .*the limit is 0\.0 MiB \[mls\/file-too-large\]/);
  t.match(small.stdout + small.stderr, /--max-file-size <size> or MLS_MAX_FILE_SIZE/);
  const raised = io(dir);
  t.equal(await main(['check', 'big.mls', '--max-file-size', '1M'], raised.value), 0);
  const env = io(dir, { MLS_MAX_FILE_SIZE: '2K' });
  t.equal(await main(['check', 'big.mls'], env.value), 2, 'MLS_MAX_FILE_SIZE too');
  const bad = io(dir);
  t.equal(await main(['check', 'big.mls', '--max-file-size', 'lots'], bad.value), 2);
  t.match(bad.stderr, /--max-file-size must be a size/);
  t.equal(process.env['MLS_MAX_FILE_SIZE'], undefined, 'the flag does not outlive the command');
  t.equal(MAX_FILE_CHARS_DEFAULT, 8 * 2 ** 20);
  t.equal(compileSource(bigScenario(4096), 'x.mls').messages.length, 0, 'the default lets ordinary files through');
});

t.test('a binary file is refused without echoing its bytes', async (t) => {
  const dir = suite({});
  writeFileSync(join(dir, 'ctl.mls'), 'scenario "x"\x1b[31m\x01 abc\n');
  writeFileSync(join(dir, 'bin.mls'), Buffer.from([0x73, 0x63, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x07]));
  for (const f of ['ctl.mls', 'bin.mls']) {
    const r = io(dir);
    t.equal(await main(['check', f], r.value), 2);
    const out = r.stdout + r.stderr;
    t.match(out, /not a text file: .*\[mls\/binary\]/);
    t.notMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/, `${f}: no raw control byte reaches the terminal`);
    t.notMatch(out, /│/, `${f}: no source line is shown`);
  }
});

t.test('compiling counts inside the scenario time limit', async (t) => {
  const dir = suite({ 'big.mls': bigScenario(400_000), 'ok.mls': PASSING('ok') });
  const r = io(dir);
  t.equal(await main(['run', 'big.mls', '--no-cache', '--timeout', '5', '-r', 'tap', '-j1'], r.value), 1);
  t.match(r.stdout, /compiling took \d+ ms, the time limit \(--timeout\) is 5 ms/);
  const ok = io(dir);
  t.equal(await main(['run', 'ok.mls', '--no-cache', '-r', 'tap', '-j1'], ok.value), 0, 'a normal file under the default limit runs');
});
