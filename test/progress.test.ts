// The progress bar: on stderr only when it is a terminal and the input is large; never otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressDisplay } from '../src/cli/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const w = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, written: () => text };
}

const big = { path: 'big.csv', fileIndex: 0, files: 1, bytesRead: 100_000_000, sizeBytes: 400_000_000, samples: 2_500_000 };

test('progress: nothing when stderr is not a terminal, or when disabled', () => {
  assert.equal(progressDisplay(fakeStream(false).stream, true), null);
  assert.equal(progressDisplay(fakeStream(true).stream, false), null);
});

test('progress: a terminal gets bytes, samples and rate for a large input; a small input gets nothing', () => {
  const small = fakeStream(true);
  const quiet = progressDisplay(small.stream, true)!;
  quiet.update({ ...big, sizeBytes: 1_000_000, bytesRead: 500_000 });
  quiet.stop();
  assert.equal(small.written(), '');

  const tty = fakeStream(true);
  const bar = progressDisplay(tty.stream, true)!;
  bar.update(big);
  bar.update({ ...big, bytesRead: 200_000_000, samples: 5_000_000 });
  bar.stop();
  const out = tty.written();
  assert.match(out, /reading big\.csv \(1\/1\)/);
  assert.match(out, /100\/400 MB \| 2,500,000 samples/);
  assert.doesNotMatch(out, /\{file\}|\{samples\}/, 'every placeholder is filled from the first frame');
});
