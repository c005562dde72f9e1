// What decrypt, encrypt and package show while they run: lines on stderr unless --quiet, and on a terminal a
// progress bar in MB (cli-progress, loaded only then).
import type { SingleBar } from 'cli-progress';

export interface Reporter {
  say(line: string): void;
  progress(done: number, total: number | undefined): void;
  /** Ends the bar (before the report or an error line). */
  stop(): void;
}

export async function reporter(verb: string, quiet: boolean | undefined): Promise<Reporter> {
  const progress = !quiet && process.stderr.isTTY ? (await import('cli-progress')).default : undefined;
  let bar: SingleBar | undefined;
  return {
    say: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
    progress: (done, total) => {
      if (!progress || !total) return;
      if (!bar) {
        bar = new progress.SingleBar({ format: `${verb} [{bar}] {percentage}% | {value}/{total} MB`, stream: process.stderr }, progress.Presets.shades_classic);
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar.update(Math.floor(done / 1e6));
    },
    stop: () => bar?.stop(),
  };
}
