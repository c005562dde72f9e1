// The `emekit` command. Each sub-command lives in its own file, exports run(argv) and its help text, and is loaded
// only when it runs, so a command's start-up pays for nothing but that command.
import { createRequire } from 'node:module';
import { dispatch, type Commands } from './args.js';

const commands: Commands = {
  inspect: ['show the tracks, protection schemes, key IDs and pssh boxes of an MP4', () => import('./inspect.js')],
  decrypt: ['decrypt a Common Encryption MP4 through the EME flow', () => import('./decrypt.js')],
  encrypt: ['protect a clear MP4 with Common Encryption (cenc, cbcs, cens, cbc1)', () => import('./encrypt.js')],
  package: ['encrypt clear media into a DASH + HLS presentation with Clear Key signalling', () => import('./package.js')],
  serve: ['run the Clear Key license server', () => import('./serve.js')],
  keys: ["manage the license server's content keys", () => import('./keys.js')],
  token: ['print a license token (JWT) granting key IDs and/or labels', () => import('./token.js')],
  scenario: ['replay a test key system script (renewals, expiry, faults) against the EME flow', () => import('./scenario.js')],
  trace: ['print an EME trace (EMEKIT_TRACE=file.jsonl) as a timeline, sessions side by side', () => import('./trace.js')],
};

// Not a top-level await: the command is bundled as CommonJS (see launcher.cts). Commands report their own
// failures; a rejection here is a bug, left unhandled so that Node prints it and exits with an error.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // package.json is two folders up from src/cli, dist/cli and dist/bin (the bundle) alike.
  const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
  process.stdout.write(`emekit ${version}\n`);
} else {
  void dispatch(
    'emekit',
    'W3C Encrypted Media Extensions with a Clear Key CDM: inspect, encrypt, package\nand decrypt protected media, serve licenses.',
    commands,
    argv,
  );
}
