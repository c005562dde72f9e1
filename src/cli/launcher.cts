// The `emekit` command's start-up file. It is CommonJS (Node starts it without its ES module loader) and runs the
// CLI bundle (emekit-cli.cjs beside it, built by scripts/bundle.mjs) through a V8 code cache, as Node 22's
// module.enableCompileCache() does for modules: the first run of a command saves the bytecode V8 compiled for it,
// later runs skip parsing and compiling it (~10–15 ms of `emekit decrypt`'s start here). The cache lives in the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache, then emekit/), one file per bundle build, Node version and command;
// EMEKIT_NO_CODE_CACHE=1 turns it off. Any failure to read or write it only costs the speed-up.
import fs = require('node:fs');
import os = require('node:os');
import nodePath = require('node:path');
import v8 = require('node:v8');
import vm = require('node:vm');

const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = fs;
const { join } = nodePath;

/** Replaced by scripts/bundle.mjs with a hash of the bundle: V8 checks a cache against the source's length only. */
const BUNDLE_HASH = '__EMEKIT_BUNDLE_HASH__';
const bundle = join(__dirname, 'emekit-cli.cjs');

/** The cache of this bundle for this Node and command: [directory, file name]. */
function cacheLocation(): [string, string] | undefined {
  if (process.env.EMEKIT_NO_CODE_CACHE) return undefined;
  const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'none';
  const base = process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache');
  return [join(base, 'emekit'), `${BUNDLE_HASH}-${process.version}-${process.arch}-${command}.v8cache`];
}

function readCache(path: string | undefined): Buffer | undefined {
  try {
    return path === undefined ? undefined : readFileSync(path);
  } catch {
    return undefined;
  }
}

// Setting a V8 flag also changes the flag hash V8 checks every code cache against, Node's own included: its built-in
// modules loaded afterwards are compiled from source instead of from the cache inside the node binary (node:crypto,
// node:fs/promises and what they load: ~10 ms of `emekit encrypt`'s start on Node 20). So the media commands load
// theirs first. (Node 22 and 24 set no flag here.)
const command = process.argv[2];
const mediaCommand = ['decrypt', 'encrypt', 'package', 'inspect'].includes(command ?? '');
const builtins = command === 'inspect' ? ['node:module'] : ['node:crypto', 'node:fs/promises', 'node:module'];
if (mediaCommand && process.versions.node.startsWith('20.')) for (const m of builtins) require(m);

// V8 accepts a cache only under the flags it was made with. `decrypt` turns on ArrayBuffer.prototype.transfer,
// a flag on Node 20 (media/crypto-output.ts); set it before compiling, for every command, so that the cache made
// at the end of a run matches the next start. Node 22 and 24 have transfer built in (and no flag for it).
if ((ArrayBuffer.prototype as { transfer?: unknown }).transfer === undefined) v8.setFlagsFromString('--harmony-rab-gsab-transfer');

// A command that runs once over a file spends its first few hundred milliseconds in code V8 has not optimized yet,
// and Node 20's V8 (11.3) optimizes a function after little use, on background threads that on a small machine take
// turns with the thread doing the work. Four times its default interrupt budget (66 KiB of bytecode) leaves those
// to the baseline compiler and still optimizes what stays hot: `emekit decrypt` of 99 MB here takes ~0.38 s
// instead of ~0.49 s (cenc) and ~0.32 s instead of ~0.38 s (cbcs), medians of 12 alternating runs; `emekit encrypt`
// (cenc, 197 MB) takes ~0.42 CPU seconds instead of ~0.53, averages of 2 × 4 runs at load 8. Node 22's and
// 24's V8 tier up by invocation counts and have no such flag (setting it prints "unrecognized flag" on every
// run), so only Node 20 gets it. Not for `serve`, which runs long enough for the default to pay off. Set before
// compiling, as the flag above. `encrypt` and `package` take 16 times the default: their JavaScript is per sample
// (the bytes go through node:crypto and WebAssembly), and what TurboFan compiled at 4 times did not pay for its
// compile on the second core, which the file copies need: `emekit encrypt` of 197 MB, CPU seconds (all threads)
// 0.376 -> 0.353 (cenc) and 0.397 -> 0.363 (cbcs), medians of 8 alternating runs at load 3.2-3.6.
const budget = command === 'encrypt' || command === 'package' ? 16 * 67584 : 4 * 67584;
if (process.versions.node.startsWith('20.') && mediaCommand) v8.setFlagsFromString(`--interrupt-budget=${budget}`);

// encrypt and package end when their work does: once nothing is left to run, exit without tearing down V8's heap
// and the cipher's WebAssembly memory (~3-4 ms of `emekit encrypt`'s 0.25 s: 8.5 against 12 ms from the 'exit' event
// to the parent seeing the exit, medians of 9). Every write has completed by then and 'exit' listeners still run.
if (command === 'encrypt' || command === 'package') process.once('beforeExit', () => process.exit());

const location = cacheLocation();
const path = location && join(...location);
const cachedData = readCache(path);
// The bundle is ASCII (scripts/bundle.mjs): read as Latin-1, it becomes a one-byte string without decoding.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'latin1')}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
});
if (location !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once('exit', (code) => {
    // Only a run that went well, so that a mistyped command leaves nothing behind.
    if (code !== 0) return;
    const [dir, name] = location;
    // Written whole, then renamed: a concurrent start reads the old file or the new one, never half of one.
    const partial = join(dir, `${name}.${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, join(dir, name));
      // The caches of earlier builds of the command, for this Node, are stale.
      const same = name.slice(BUNDLE_HASH.length);
      for (const old of readdirSync(dir)) if (old.endsWith(same) && old !== name) rmSync(join(dir, old), { force: true });
    } catch {
      // A read-only or full cache directory: run without the cache.
      try {
        rmSync(partial, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  });
}
const cli = { exports: {} };
// The bundle sits beside this file: this file's require resolves what the bundle requires (better-sqlite3, pg, …).
(script.runInThisContext() as (...args: unknown[]) => void)(cli.exports, require, cli, bundle, __dirname);
