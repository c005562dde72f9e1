// A command's output file is written under a temporary name beside it and renamed into place only once the command
// has succeeded: a refused key, a bad input, an exception or Ctrl-C never leaves a partial file under the name asked
// for, nor destroys a file already there. Beside it, so that the rename stays on one file system and is atomic.

import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `write` with a temporary path beside `path`, then renames it to `path`; on failure, on an exception that
 *  ends the process and on SIGINT/SIGTERM/SIGHUP the temporary is removed. (Only a process killed outright, by
 *  SIGKILL or a V8 fatal error, leaves it behind, as `.NAME.PID.partial`.) */
export async function writeThroughTemporary<T>(path: string, write: (temporary: string) => Promise<T>): Promise<T> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const remove = () => rmSync(temporary, { force: true });
  const stopListening = () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    process.removeListener('exit', remove);
  };
  function onSignal(signal: NodeJS.Signals): void {
    remove();
    stopListening();
    // Die of the signal as if it had not been caught, so that the shell sees it (exit status 130 for Ctrl-C).
    process.kill(process.pid, signal);
  }
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', remove);
  try {
    const result = await write(temporary);
    renameSync(temporary, path);
    return result;
  } finally {
    stopListening();
    remove();
  }
}
