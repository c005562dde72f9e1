// Where `emekit decrypt` and `emekit scenario` get licenses: keys given with --key KID:KEY (answered locally) or a
// license server (--license-url, --token); and how a failure of the EME flow reads, in one line.
import { LicenseError, licenseServer, localKeys, type LicenseSource } from '../client/license-source.js';
import { MediaError } from '../media/errors.js';
import { parseKeyArgument } from './key-args.js';

export const licenseOptions = {
  key: { type: 'string', multiple: true },
  'license-url': { type: 'string' },
  token: { type: 'string' },
} as const;

export const licenseHelp = `  --key KID:KEY      a key, hex KID and hex key (repeatable)
  --license-url URL  Clear Key license server to POST the license request to
  --token JWT        bearer token for the license server
`;

/** The license source the options name; a LicenseError when they name none or a --key is malformed. */
export function licenseSource(values: { key?: string[] | undefined; 'license-url'?: string | undefined; token?: string | undefined }): LicenseSource {
  const { key: pairs, 'license-url': url, token } = values;
  if (!pairs?.length && !url) throw new LicenseError('give the keys with --key KID:KEY or a license server with --license-url URL');
  if (url) return licenseServer(url, token);
  const keys = new Map<string, Uint8Array>();
  for (const pair of pairs ?? []) {
    let parsed;
    try {
      parsed = parseKeyArgument(pair);
    } catch (error) {
      throw new LicenseError((error as Error).message);
    }
    keys.set(parsed.kid.toString('hex'), Uint8Array.from(parsed.key));
  }
  return localKeys(keys);
}

export function explainEmeFailure(error: unknown): string {
  if (error instanceof LicenseError) return error.message;
  if (error instanceof MediaError) {
    switch (error.code) {
      case 'missing-key':
        return `no key for key ID ${error.keyId ?? '?'}${error.trackId !== undefined ? ` (track ${error.trackId})` : ''}: the license did not include it`;
      case 'wrong-key':
        return `${error.message} — the key given for this key ID looks wrong`;
      case 'not-protected':
        return `not a protected file: ${error.message}`;
      default:
        return `${error.code}: ${error.message}`;
    }
  }
  if (error instanceof DOMException || error instanceof TypeError) return `EME: ${error.name}: ${error.message}`;
  return (error as Error).message ?? String(error);
}
