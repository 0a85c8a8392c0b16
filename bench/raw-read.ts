// The floor: read the file in 1 MiB chunks and count newlines, nothing else.
import { openSync, readSync, closeSync } from 'node:fs';

const fd = openSync(process.argv[2]!, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let lines = 0;
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) lines++;
}
closeSync(fd);
process.stdout.write(`${lines} lines\n`);
process.stderr.write(`peak rss ${process.resourceUsage().maxRSS} KiB\n`);
