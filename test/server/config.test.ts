// Configuration edges: master key forms, auth settings from the environment, and the bounded cache.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MasterKeyError } from '../../src/server/errors.js';
import { masterKeyFromEnv, parseMasterKey } from '../../src/server/master-key.js';
import { authFromEnv, createAuthenticator } from '../../src/server/auth.js';
import { LruCache } from '../../src/server/lru.js';

describe('master key', () => {
  const key = randomBytes(32);

  it('reads 32 bytes as hex, base64 or base64url', () => {
    for (const text of [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url'), ` ${key.toString('hex')}\n`]) {
      expect(parseMasterKey(text)).toEqual(key);
    }
  });

  it('refuses anything else with a hint', () => {
    for (const text of ['', 'secret', randomBytes(16).toString('hex'), randomBytes(33).toString('base64')]) {
      expect(() => parseMasterKey(text)).toThrow(/openssl rand -hex 32/);
    }
  });

  it('is required unless in demo mode, which makes one up and says so', () => {
    expect(() => masterKeyFromEnv({})).toThrow(MasterKeyError);
    const demo = masterKeyFromEnv({}, true);
    expect(demo.generated).toBe(true);
    expect(demo.key.byteLength).toBe(32);
    expect(masterKeyFromEnv({ EMEKIT_MASTER_KEY: key.toString('hex') }, true)).toEqual({ key, generated: false });
  });
});

describe('auth settings', () => {
  it('needs a secret or a JWKS unless explicitly open', () => {
    expect(() => authFromEnv({})).toThrow(/EMEKIT_JWT_SECRET/);
    expect(authFromEnv({}, true)).toEqual({ kind: 'none' });
  });

  it('refuses a short secret and conflicting settings', () => {
    expect(() => authFromEnv({ EMEKIT_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => authFromEnv({ EMEKIT_JWT_SECRET: 'x'.repeat(32), EMEKIT_JWT_JWKS: '/tmp/jwks.json' })).toThrow(/only one/);
    expect(() => createAuthenticator({ kind: 'hs256', secret: 'short' })).toThrow(RangeError);
  });

  it('carries audience and issuer checks', () => {
    expect(authFromEnv({ EMEKIT_JWT_SECRET: 'x'.repeat(32), EMEKIT_JWT_AUDIENCE: 'licenses', EMEKIT_JWT_ISSUER: 'shop' })).toMatchObject({
      kind: 'hs256',
      audience: 'licenses',
      issuer: 'shop',
    });
  });
});

describe('LRU cache', () => {
  it('evicts the least recently used entry past capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3, Infinity);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('forgets entries past their deadline and stores nothing at capacity 0', () => {
    let now = 0;
    const cache = new LruCache<string, number>(4, () => now);
    cache.set('a', 1, 10);
    expect(cache.get('a')).toBe(1);
    now = 10;
    expect(cache.get('a')).toBeUndefined();
    const none = new LruCache<string, number>(0);
    none.set('a', 1, Infinity);
    expect(none.get('a')).toBeUndefined();
  });
});
