// A progress bar on stderr for long reads: bytes, samples and rate. Only when stderr is a terminal
// (never in a pipe, a log or CI), so stdout's report and scripted runs are untouched.
import cliProgress from 'cli-progress';
import type { IngestProgress } from '../ingest/ingest.js';

/** Below this many bytes in total the bar would only flicker. */
const MIN_BYTES = 64 * 1024 * 1024;

export interface ProgressDisplay {
  update(progress: IngestProgress): void;
  stop(): void;
}

const formatMb = (bytes: number): string => (bytes / 1e6).toFixed(0);

export function progressDisplay(stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay | null {
  if (!enabled || !stream.isTTY) return null;
  let bar: cliProgress.SingleBar | null = null;
  const started = Date.now();
  let lastFile = -1;
  let doneBefore = 0;
  let lastBytes = 0;
  let barStarted = false;
  return {
    update(p) {
      if (p.fileIndex !== lastFile) { doneBefore += lastBytes; lastBytes = 0; lastFile = p.fileIndex; }
      lastBytes = p.bytesRead;
      const total = p.sizeBytes;
      if (bar === null) {
        if (total === null || total < MIN_BYTES) return;
        bar = new cliProgress.SingleBar({
          stream,
          format: 'reading {file} ({index}/{files}) [{bar}] {percentage}% | {read}/{size} MB | {samples} samples | {rate} MB/s',
          hideCursor: true,
          clearOnComplete: true,
          fps: 5,
        }, cliProgress.Presets.shades_classic);
      }
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const payload = {
        file: p.path, index: p.fileIndex + 1, files: p.files, read: formatMb(p.bytesRead), size: formatMb(total ?? p.bytesRead),
        samples: p.samples.toLocaleString('en-US'), rate: ((doneBefore + p.bytesRead) / 1e6 / seconds).toFixed(0),
      };
      if (!barStarted) { bar.start(total ?? p.bytesRead, p.bytesRead, payload); barStarted = true; return; }
      bar.setTotal(total ?? p.bytesRead);
      bar.update(p.bytesRead, payload);
    },
    stop() { bar?.stop(); },
  };
}
