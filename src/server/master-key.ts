// The master key that encrypts content keys at rest: 32 bytes, given as hex or base64 in an environment variable
// so it never appears in a command line (visible in `ps`) or in the database it protects.
import { randomBytes } from 'node:crypto';
import { MasterKeyError } from './errors.js';

import { MASTER_KEY_ENV } from './env.js';

export { MASTER_KEY_ENV };
export const MASTER_KEY_BYTES = 32;

/** Parses 64 hex digits or the base64/base64url encoding of 32 bytes. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/=$/, ''), 'base64url');
    if (bytes.byteLength === MASTER_KEY_BYTES) return bytes;
  }
  throw new MasterKeyError(
    `${MASTER_KEY_ENV} must be 32 bytes as 64 hex digits or base64 (generate one with: openssl rand -hex 32)`,
  );
}

export function generateMasterKey(): Buffer {
  return randomBytes(MASTER_KEY_BYTES);
}

export interface ResolvedMasterKey {
  key: Buffer;
  /** True when demo mode made up a key because none was configured: keys stored under it die with the process. */
  generated: boolean;
}

/**
 * Reads the master key from the environment. Without one, only demo mode may go on, with a fresh random key;
 * anything else is refused so that keys are never stored under a key nobody can supply again.
 */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv = process.env, demo = false): ResolvedMasterKey {
  const text = env[MASTER_KEY_ENV];
  if (text !== undefined && text.trim() !== '') return { key: parseMasterKey(text), generated: false };
  if (demo) return { key: generateMasterKey(), generated: true };
  throw new MasterKeyError(
    `${MASTER_KEY_ENV} is not set: the license server encrypts keys at rest and will not start without a master key ` +
      '(32 bytes, hex or base64; generate one with: openssl rand -hex 32)',
  );
}
