// An EME platform: the user agent's side for one origin (the spec's Document), with its key systems and store.
// createEME() makes isolated ones; the package's bare requestMediaKeySystemAccess uses a default that, like a
// private browsing window, keeps nothing: Clear Key with temporary sessions only.

import type { KeySystem } from '../cdm/cdm.js';
import { clearKey } from '../cdm/clearkey/index.js';
import type { SessionStore } from '../storage/session-store.js';
import { SqliteSessionStore } from '../storage/sqlite-store.js';
import { requireArguments, toDOMString, toSequence } from '../webidl/conversions.js';
import { domException, rejectedPromise, typeError } from '../webidl/errors.js';
import { defaultRealm, type Realm } from '../webidl/realm.js';
import { inParallel, queueTask } from '../webidl/tasks.js';
import { convertConfiguration, type MediaKeySystemConfiguration } from './configuration.js';
import { MediaKeySystemAccess } from './media-key-system-access.js';
import { allowedToUseEncryptedMedia } from './permissions-policy.js';
import { SessionRegistry } from './session-registry.js';
import { describeValue, traced, Tracer, type TraceOption, type TraceWho } from './trace.js';
import { getSupportedConfiguration } from './supported-configuration.js';

export interface EmeOptions {
  /** Where persistent-license sessions are kept: a SessionStore, or the path of an SQLite file. None: temporary only. */
  readonly store?: SessionStore | string;
  /** The origin whose partition of the store this platform uses. */
  readonly origin?: string;
  /** Key systems offered; Clear Key by default. */
  readonly keySystems?: readonly KeySystem[];
  /**
   * The EME trace: a JSON lines file to append to, or a function taking each entry. Default: the file named by the
   * EMEKIT_TRACE environment variable, if set.
   */
  readonly trace?: TraceOption;
}

export interface EmePlatform {
  requestMediaKeySystemAccess(
    keySystem: string,
    supportedConfigurations: Iterable<MediaKeySystemConfiguration>,
  ): Promise<MediaKeySystemAccess>;
  readonly origin: string;
  readonly store: SessionStore | undefined;
  /** Closes the store if this platform opened it from a path. */
  close(): Promise<void>;
}

export const DEFAULT_ORIGIN = 'emekit://local';

type RequestSteps = (realm: Realm, args: readonly unknown[]) => Promise<MediaKeySystemAccess>;
const requestStepsOf = new WeakMap<EmePlatform, RequestSteps>();

/**
 * requestMediaKeySystemAccess() called through a global's navigator: the MediaKeySystemAccess, and every object
 * made from it, belongs to that global's realm. A platform not made by createEME() answers in its own way.
 */
export function requestAccessIn(platform: EmePlatform, realm: Realm, args: readonly unknown[]): Promise<MediaKeySystemAccess> {
  const steps = requestStepsOf.get(platform);
  if (steps) return steps(realm, args);
  return (platform.requestMediaKeySystemAccess as (...a: unknown[]) => Promise<MediaKeySystemAccess>)(...args);
}

export function createEME(options: EmeOptions = {}): EmePlatform {
  const origin = options.origin ?? DEFAULT_ORIGIN;
  const ownsStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? new SqliteSessionStore(options.store) : options.store;
  const keySystems = new Map((options.keySystems ?? [clearKey]).map((ks) => [ks.keySystem, ks]));
  const registry = new SessionRegistry();
  const storage = store ? { store, origin } : undefined;
  const traceOption = options.trace ?? (process.env['EMEKIT_TRACE'] || undefined);
  const tracer = traceOption === undefined ? undefined : new Tracer(traceOption);
  const navigator: TraceWho = () => ({ target: 'navigator' });

  const requestSteps: RequestSteps = (realm, args) =>
    traced(
      tracer,
      navigator,
      'requestMediaKeySystemAccess',
      () => ({ keySystem: describeValue(args[0]), supportedConfigurations: describeValue(args[1]) }),
      () => requestAccess(realm, args),
      (access) => ({ keySystem: access.keySystem, configuration: access.getConfiguration() }),
    );

  const requestAccess: RequestSteps = (realm, args) => {
    try {
      const context = "Failed to execute 'requestMediaKeySystemAccess' on 'Navigator'";
      // 1. A document not allowed to use encrypted-media (a sandboxed frame's opaque origin): SecurityError.
      if (!allowedToUseEncryptedMedia(realm.global)) {
        throw domException(realm, 'SecurityError', `${context}: the encrypted-media feature is not allowed in this document (an opaque origin).`);
      }
      requireArguments(args.length, 2, context);
      const [keySystem, supportedConfigurations] = args;
      const system = toDOMString(keySystem, `${context}: keySystem`);
      const configurations = toSequence(supportedConfigurations, `${context}: supportedConfigurations`, convertConfiguration);
      // 2. If keySystem is the empty string, reject with a TypeError.
      if (system === '') throw typeError(realm, `${context}: the keySystem parameter is empty.`);
      // 3. If supportedConfigurations is empty, reject with a TypeError.
      if (configurations.length === 0) throw typeError(realm, `${context}: the supportedConfigurations parameter is empty.`);
      // 6. Let promise be a new promise.
      return new realm.intrinsics.Promise((resolve, reject) => {
        // 7. Run the following steps in parallel.
        inParallel(async () => {
          // 7.1. An unsupported key system (case-sensitive): NotSupportedError.
          const implementation = keySystems.get(system);
          if (!implementation) {
            queueTask(() => reject(domException(realm, 'NotSupportedError', `Unsupported keySystem or supportedConfigurations.`)));
            return;
          }
          const capabilities = implementation.capabilities(storage !== undefined);
          // 7.3. The first supported configuration wins.
          for (const candidate of configurations) {
            const supported = getSupportedConfiguration(capabilities, candidate);
            if (supported) {
              const access = new MediaKeySystemAccess({
                realm,
                keySystem: system,
                configuration: supported,
                implementation,
                storage,
                registry,
                tracer,
              });
              queueTask(() => resolve(access));
              return;
            }
          }
          // 7.4. None supported: NotSupportedError.
          queueTask(() => reject(domException(realm, 'NotSupportedError', `Unsupported keySystem or supportedConfigurations.`)));
        });
      });
    } catch (error) {
      return rejectedPromise(realm, error);
    }
  };

  // Called directly (not through a global's navigator), the objects are Node's global's.
  function requestMediaKeySystemAccess(
    _keySystem: string,
    _supportedConfigurations: Iterable<MediaKeySystemConfiguration>,
  ): Promise<MediaKeySystemAccess> {
    return requestSteps(defaultRealm(), [...arguments]);
  }

  const platform: EmePlatform = {
    requestMediaKeySystemAccess,
    origin,
    store,
    async close() {
      tracer?.close();
      if (ownsStore && store) await store.close();
    },
  };
  requestStepsOf.set(platform, requestSteps);
  return platform;
}
