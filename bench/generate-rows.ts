// Seeded generator of large generic timing CSVs for the benchmark: `user,timestamp,rtt_ms`,
// ISO 8601 times with milliseconds, N rows over A accounts (10,000 by default), per-account
// floors and a lognormal spread. Streams to disk; memory does not grow with N.
import { createWriteStream } from 'node:fs';
import { Rng } from '../fixtures/generator.js';

export async function writeBenchCsv(path: string, rows: number, accounts = 10_000, seed = 7): Promise<number> {
  const rng = new Rng(seed);
  const names = Array.from({ length: accounts }, (_, i) => `user${String(i).padStart(5, '0')}`);
  const floors = names.map(() => 8 + rng.next() * 60);
  const out = createWriteStream(path);
  let bytes = 0;
  const write = (text: string) => new Promise<void>((resolve) => {
    bytes += text.length;
    if (out.write(text)) resolve(); else out.once('drain', resolve);
  });
  await write('user,timestamp,rtt_ms\n');
  const start = Date.UTC(2026, 2, 1);
  const span = 30 * 86_400_000;
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = Math.floor(rng.next() * accounts);
    const t = start + Math.floor((i / rows) * span);
    const spread = Math.exp(2 + 0.6 * gaussian(rng));
    chunk.push(`${names[a]},${new Date(t).toISOString()},${(floors[a]! + spread).toFixed(1)}`);
    if (chunk.length === 10_000) { await write(chunk.join('\n') + '\n'); chunk = []; }
  }
  if (chunk.length > 0) await write(chunk.join('\n') + '\n');
  await new Promise<void>((resolve) => out.end(resolve));
  return bytes;
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
