// The built `emekit`'s argument handling (node:util parseArgs behind a small table of commands): help, one-line
// errors with a hint, repeatable and variadic options, and no secret ever quoted back.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClearSamples, fixture, KEYS } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'c0ffee'.repeat(5);

function emekit(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A usage error: exit 1, nothing on stdout, the message and a hint to --help, no stack. */
function expectUsageError(run: ReturnType<typeof emekit>, command: string, message: string): void {
  expect(run.status, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`${command}: ${message}\nRun '${command} --help' for usage.\n`);
}

describe('emekit help', () => {
  it('--help, -h and help print the commands on stdout; no arguments prints them on stderr and fails', () => {
    const help = emekit(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['inspect', 'decrypt', 'serve', 'keys', 'token', 'help']) expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(emekit(['-h']).stdout).toBe(help.stdout);
    expect(emekit(['help']).stdout).toBe(help.stdout);
    const none = emekit([]);
    expect(none.status).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(help.stdout);
  });

  it('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(emekit(['--version'])).toEqual({ status: 0, stdout: `emekit ${version}\n`, stderr: '' });
    expect(emekit(['-V']).stdout).toBe(`emekit ${version}\n`);
  });

  it.each([['inspect'], ['decrypt'], ['serve'], ['keys', 'add'], ['keys', 'generate'], ['keys', 'list'], ['token']])('%s %s --help', (...command) => {
    const run = emekit([...command, '--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: emekit ${command.join(' ')} `));
    expect(run.stdout).toContain('-h, --help');
    expect(emekit(['help', ...command]).stdout).toBe(run.stdout);
    // Help wins over everything else on the line, as it did with commander.
    expect(emekit([...command, '--bogus', '-h']).stdout).toBe(run.stdout);
  });

  it('keys: --help and help keys print its commands; without a sub-command, on stderr, and it fails', () => {
    const help = emekit(['keys', '--help']);
    expect(help.status).toBe(0);
    for (const command of ['add', 'generate', 'list']) expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(emekit(['help', 'keys']).stdout).toBe(help.stdout);
    const none = emekit(['keys']);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(help.stdout);
  });
});

describe('emekit usage errors', () => {
  it('unknown commands and options', () => {
    expectUsageError(emekit(['bogus']), 'emekit', "unknown command 'bogus'");
    expectUsageError(emekit(['keys', 'bogus']), 'emekit keys', "unknown command 'bogus'");
    expectUsageError(emekit(['--verbose']), 'emekit', "unknown option '--verbose'");
    expectUsageError(emekit(['decrypt', 'a', 'b', '--bogus']), 'emekit decrypt', "unknown option '--bogus'");
    expectUsageError(emekit(['decrypt', 'a', 'b', '-qx']), 'emekit decrypt', "unknown option '-x'");
    expectUsageError(emekit(['inspect', '--json=yes', 'a']), 'emekit inspect', "option '--json' does not take an argument");
  });

  it('missing and extra operands, missing option values, missing required options', () => {
    expectUsageError(emekit(['inspect']), 'emekit inspect', 'missing argument <file>');
    expectUsageError(emekit(['decrypt', 'a']), 'emekit decrypt', 'missing argument <out>');
    expectUsageError(emekit(['decrypt', 'a', 'b', 'c']), 'emekit decrypt', 'too many arguments: expected <in> <out>, got 3');
    expectUsageError(emekit(['serve', 'extra']), 'emekit serve', 'too many arguments: expected none, got 1');
    expectUsageError(emekit(['decrypt', 'a', 'b', '--key']), 'emekit decrypt', "option '--key <value>' argument missing");
    expectUsageError(emekit(['token', '--ttl']), 'emekit token', "option '--ttl <value>' argument missing");
    expectUsageError(emekit(['keys', 'add', '--key', SECRET]), 'emekit keys add', 'missing required option --kid');
    expectUsageError(emekit(['keys', 'add', '--kid', KEYS.video.kid]), 'emekit keys add', 'missing required option --key');
    const ambiguous = emekit(['decrypt', 'a', 'b', '--key', '-q']);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr).toMatch(/^emekit decrypt: option '--key' argument is ambiguous\b.*\nRun 'emekit decrypt --help' for usage\.\n$/);
  });

  it('never quotes a key back, even under a mistyped option or as an operand', () => {
    const runs = [
      emekit(['--key=' + SECRET]),
      emekit(['decrypt', 'a', 'b', `--kye=${KEYS.video.kid}:${SECRET}`]),
      emekit(['decrypt', 'a', 'b', SECRET]),
      emekit(['decrypt', 'a', 'b', '--key', `${KEYS.video.kid}:${SECRET}`]),
      emekit(['keys', 'add', '--db', join(dir, 'keys.sqlite'), '--kid', KEYS.video.kid, '--key', `zz${SECRET}`], { EMEKIT_MASTER_KEY: randomBytes(32).toString('hex') }),
    ];
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).not.toContain(SECRET);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runs[4]!.stderr).toBe('emekit keys: --key must be hex\n');
  });
});

describe('emekit options', () => {
  it('decrypt: --key is repeatable, as --key KID:KEY or --key=KID:KEY, before or after the operands', () => {
    const out = join(dir, 'multikey.mp4');
    const run = emekit(['decrypt', `--key=${KEYS.video.kid}:${KEYS.video.key}`, fixture('cenc_mp4box_multikey.mp4'), '-q', out, '--key', `${KEYS.audio.kid}:${KEYS.audio.key}`]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expectClearSamples(out);
  });

  it('token: --kid and --label are repeatable and comma-separated; --ttl defaults to 1h', () => {
    const kids = ['aa'.repeat(16), 'bb'.repeat(16), 'cc'.repeat(16)];
    const run = emekit(['token', '--kid', `${kids[0]}, ${kids[1]}`, '--label', 'hd', '--kid', kids[2]!, '--label=sd,uhd'], { EMEKIT_JWT_SECRET: randomBytes(32).toString('hex') });
    expect(run.status, run.stderr).toBe(0);
    const claims = JSON.parse(Buffer.from(run.stdout.trim().split('.')[1]!, 'base64url').toString());
    expect(claims.kids).toEqual(kids);
    expect(claims.labels).toEqual(['hd', 'sd', 'uhd']);
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('serve: --cors-origin takes several origins, and can be repeated', async () => {
    const args = ['serve', '--demo', '--insecure-no-auth', '--port', '0', '--log-level', 'silent'];
    const origins = ['--cors-origin', 'http://a.test', 'http://b.test', '--cors-origin=http://c.test'];
    const child = spawn(process.execPath, ['dist/bin/emekit.cjs', ...args, ...origins], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
      });
      const allowed = async (origin: string) =>
        (await fetch(`${url}/license`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })).headers.get('access-control-allow-origin');
      for (const origin of ['http://a.test', 'http://b.test', 'http://c.test']) expect(await allowed(origin)).toBe(origin);
      expect(await allowed('http://d.test')).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
