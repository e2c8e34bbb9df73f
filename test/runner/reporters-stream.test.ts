// Reports of any size (issue 14 finding 7): 20 copies of a 65,603-step scenario with
// json+tap+junit ended in `internal error: Invalid string length` and no report, because
// each report was one string (V8's longest: 2^29 - 24 characters). Here the documents
// are longer than that, built from shared strings so the test itself stays small.
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../runner/reporters/sink.js';
import { writeJson } from '../../runner/reporters/json-stream.js';
import { buildJunit, writeJunit } from '../../runner/reporters/junit.js';
import type { FileResult, RunResults } from '../../schema/generated/types.js';
import { sampleResults } from './fixtures/results.js';

const MAX_STRING = 2 ** 29 - 24;
const dir = mkdtempSync(join(tmpdir(), 'mls-stream-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A run of `copies` results sharing one `chars`-character picture: its report passes the longest string. */
function hugeRun(copies: number, chars: number): RunResults {
  const doc = sampleResults();
  const failing = doc.files.find((f) => f.outcome === 'FAIL')!;
  const big: FileResult = { ...failing, picture: 'x'.repeat(chars) };
  return { ...doc, files: Array.from({ length: copies }, () => big) };
}

t.test('the streamed JSON and JUnit are byte for byte the one-string documents', async (t) => {
  const doc = sampleResults();
  let json = '';
  writeJson(doc, (s) => (json += s));
  t.equal(json, JSON.stringify(doc, null, 2));
  for (const depth of [0, 1, 2, 3, 8]) {
    let d = '';
    writeJson({ a: [1, { b: [], c: {}, u: undefined }, [undefined]], n: null }, (s) => (d += s), depth);
    t.equal(d, JSON.stringify({ a: [1, { b: [], c: {}, u: undefined }, [undefined]], n: null }, null, 2), `depth ${depth}`);
  }
  let xml = '';
  await writeJunit(doc, (s) => (xml += s));
  t.equal(xml, await buildJunit(doc));
  let empty = '';
  await writeJunit({ ...doc, files: [] }, (s) => (empty += s));
  t.equal(empty, await buildJunit({ ...doc, files: [] }));
});

t.test('JSON and JUnit of a run longer than a string are written, never joined', async (t) => {
  const doc = hugeRun(17, 2 ** 25);
  let jsonChars = 0, longest = 0;
  writeJson(doc, (s) => { jsonChars += s.length; longest = Math.max(longest, s.length); });
  t.ok(jsonChars > MAX_STRING, `${jsonChars} characters of JSON`);
  t.ok(longest < 2 ** 26, 'in pieces of at most one file result');
  // The address-space picture goes into the first failure's body of each scenario, once.
  let xmlChars = 0;
  await writeJunit(doc, (s) => (xmlChars += s.length));
  t.ok(xmlChars > MAX_STRING, `${xmlChars} characters of XML`);
});

t.test('a file sink takes more than a string can hold and renames it into place at close', async (t) => {
  const path = join(dir, 'out', 'big.txt');
  const sink = new FileSink(path);
  const piece = 'y'.repeat(2 ** 26);
  for (let i = 0; i < 9; i++) sink.write(piece);
  sink.write('\n');
  t.throws(() => statSync(path), 'nothing at the target before close');
  await sink.close();
  t.equal(statSync(path).size, 9 * 2 ** 26 + 1);
  t.ok(9 * 2 ** 26 > MAX_STRING);
  rmSync(path);
  const small = new FileSink(join(dir, 'small.txt'));
  small.write('a');
  small.write('b\n');
  await small.close();
  t.equal(readFileSync(join(dir, 'small.txt'), 'utf8'), 'ab\n');
});

t.test('a report to a FIFO or device is written in place, never renamed over it (`json=/dev/null`)', async (t) => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Another process reads (an open of a FIFO waits for both ends).
  const reader = spawn('cat', [fifo]);
  const chunks: Buffer[] = [];
  reader.stdout.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((res) => reader.on('close', res));
  const sink = new FileSink(fifo);
  sink.write('through the pipe\n');
  await sink.close();
  await ended;
  t.equal(Buffer.concat(chunks).toString(), 'through the pipe\n');
  t.ok(statSync(fifo).isFIFO(), 'still a FIFO');
});
