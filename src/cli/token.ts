// `emekit token`: mint an HS256 license token with EMEKIT_JWT_SECRET, for the server's Authorization header.
import { Command } from 'commander';
import { JWT_SECRET_ENV } from '../server/env.js';
import { fromHex } from '../server/bytes.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90", "90s", "15m", "1h", "7d" → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const seconds = match === null ? NaN : Number(match[1]) * (UNITS[match[2] || 's'] ?? NaN);
  if (!(seconds > 0)) throw new Error(`--ttl must look like 90s, 15m, 1h or 7d, got ${JSON.stringify(text)}`);
  return seconds;
}

// Repeatable and comma-separated: --kid a --kid b, or --kid a,b.
function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

interface TokenOptions {
  kid: string[];
  label: string[];
  persistent: boolean;
  ttl: string;
  sub?: string;
  aud?: string;
  iss?: string;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description(`print a license token (JWT, HS256 with $${JWT_SECRET_ENV}) granting key IDs and/or labels`)
    .option('--kid <hex>', 'key ID the holder may have (hex; repeatable or comma-separated)', collect, [])
    .option('--label <label>', 'key label the holder may have (repeatable or comma-separated)', collect, [])
    .option('--persistent', 'allow persistent-license requests', false)
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d', '1h')
    .option('--sub <subject>', 'subject (user or device id), recorded with license releases')
    .option('--aud <audience>', 'audience, if the server checks EMEKIT_JWT_AUDIENCE')
    .option('--iss <issuer>', 'issuer, if the server checks EMEKIT_JWT_ISSUER')
    .action(async (options: TokenOptions) => {
      try {
        const secret = process.env[JWT_SECRET_ENV];
        if (secret === undefined || secret === '') throw new Error(`${JWT_SECRET_ENV} is not set`);
        if (options.kid.length === 0 && options.label.length === 0) throw new Error('give at least one --kid or --label');
        for (const kid of options.kid) {
          if (fromHex(kid) === undefined) throw new Error(`--kid must be hex, got ${JSON.stringify(kid)}`);
        }
        // jose is loaded only when a token is made, so other commands start fast.
        const { signLicenseToken } = await import('../server/token.js');
        const token = await signLicenseToken(secret, {
          kids: options.kid,
          labels: options.label,
          persistent: options.persistent,
          ttlSeconds: parseDuration(options.ttl),
          ...(options.sub === undefined ? {} : { subject: options.sub }),
          ...(options.aud === undefined ? {} : { audience: options.aud }),
          ...(options.iss === undefined ? {} : { issuer: options.iss }),
        });
        console.log(token);
      } catch (error) {
        console.error(`emekit token: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    });
}
