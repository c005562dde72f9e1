// emekit/server: the Clear Key license server as a library. The CLI (`emekit serve|keys|token`) and the demo
// are built on exactly these exports. In short:
//
//   const server = await startLicenseServer({ db: 'keys.sqlite', masterKey, auth: { kind: 'hs256', secret } });
//   await server.store.addKey(kid, key, 'label');
//   const token = await signLicenseToken(secret, { kids: [kid], ttlSeconds: 3600 });
//   // POST the EME message bytes to server.licenseUrl with `Authorization: Bearer ${token}`; update() the answer.
//   await server.close();
export {
  createLicenseServer,
  startLicenseServer,
  type LicenseServer,
  type LicenseServerOptions,
  type ListeningLicenseServer,
  type RunningLicenseServer,
  type StartLicenseServerOptions,
} from './server.js';
export { buildLicenseApp, type LicenseAppOptions, type LogOptions } from './app.js';
export { openKeyStore, type KeyInfo, type KeyStore, type KeyStoreOptions, type StoredKey } from './key-store.js';
export {
  authFromEnv,
  createAuthenticator,
  JWT_AUDIENCE_ENV,
  JWT_ISSUER_ENV,
  JWT_JWKS_ENV,
  JWT_SECRET_ENV,
  type AuthOptions,
  type Entitlement,
  type TokenCheckOptions,
} from './auth.js';
export { signLicenseToken, type LicenseTokenRequest } from './token.js';
export { generateMasterKey, masterKeyFromEnv, parseMasterKey, MASTER_KEY_ENV, type ResolvedMasterKey } from './master-key.js';
export { parseLicenseMessage, formatLicense, formatReleaseAck, type LicenseMessage, type LicenseType } from './clearkey-messages.js';
export { DuplicateKeyError, HttpError, KeyIntegrityError, MasterKeyError } from './errors.js';
export { DB_ENV, DEFAULT_DB, resolveDbLocation } from './db-location.js';
export { fromBase64Url, fromHex, toBase64Url, toHex } from './bytes.js';
export { KEY_BYTES, MAX_BODY_BYTES, MAX_KIDS_PER_REQUEST, MAX_KID_BYTES, MIN_KID_BYTES } from './limits.js';
