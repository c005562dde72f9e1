// `emekit token`: mint an HS256 license token with EMEKIT_JWT_SECRET, for the server's Authorization header.
import { JWT_SECRET_ENV } from '../server/env.js';
import { fromHex } from '../server/bytes.js';
import { parse } from './args.js';
import { parseDuration } from './duration.js';

const TOKEN_EXAMPLES = '90s, 15m, 1h or 7d';

// Repeatable and comma-separated: --kid a --kid b, or --kid a,b.
function collect(values: readonly string[] = []): string[] {
  return values.flatMap((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));
}

export const spec = {
  command: 'emekit token',
  options: {
    kid: { type: 'string', multiple: true },
    label: { type: 'string', multiple: true },
    persistent: { type: 'boolean', default: false },
    ttl: { type: 'string', default: '1h' },
    sub: { type: 'string' },
    aud: { type: 'string' },
    iss: { type: 'string' },
    'license-duration': { type: 'string' },
    'renewal-interval': { type: 'string' },
    'min-hdcp': { type: 'string' },
  },
  help: `Usage: emekit token (--kid HEX | --label LABEL)... [options]

Print a license token (JWT, HS256 with $${JWT_SECRET_ENV}) granting key IDs
and/or labels.

Options:
  --kid HEX         key ID the holder may have (hex; repeatable or
                    comma-separated)
  --label LABEL     key label the holder may have (repeatable or
                    comma-separated)
  --persistent      allow persistent-license requests
  --ttl DURATION    lifetime: 90s, 15m, 1h, 7d (default: 1h)
  --sub SUBJECT     subject (user or device id), recorded with license releases
  --aud AUDIENCE    audience, if the server checks EMEKIT_JWT_AUDIENCE
  --iss ISSUER      issuer, if the server checks EMEKIT_JWT_ISSUER
  --license-duration DURATION, --renewal-interval DURATION, --min-hdcp VERSION
                    a policy the licenses carry (their "policy" member, for
                    emekit/testing's key system; Clear Key ignores it)
  -h, --help        show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const options = { ...args.values, kid: collect(args.values.kid), label: collect(args.values.label) };
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
      ttlSeconds: parseDuration('--ttl', options.ttl, TOKEN_EXAMPLES),
      ...(options.sub === undefined ? {} : { subject: options.sub }),
      ...(options.aud === undefined ? {} : { audience: options.aud }),
      ...(options.iss === undefined ? {} : { issuer: options.iss }),
      policy: {
        ...(options['license-duration'] === undefined ? {} : { durationSeconds: parseDuration('--license-duration', options['license-duration'], TOKEN_EXAMPLES) }),
        ...(options['renewal-interval'] === undefined ? {} : { renewalIntervalSeconds: parseDuration('--renewal-interval', options['renewal-interval'], TOKEN_EXAMPLES) }),
        ...(options['min-hdcp'] === undefined ? {} : { minHdcpVersion: options['min-hdcp'] }),
      },
    });
    console.log(token);
  } catch (error) {
    console.error(`emekit token: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
