// MediaKeySystemAccess (EME §4): the configuration requestMediaKeySystemAccess() granted, and createMediaKeys().

import type { CdmStorage, KeySystem, SessionType } from '../cdm/cdm.js';
import { illegalInvocation } from '../webidl/errors.js';
import { inParallel, queueTask } from '../webidl/tasks.js';
import { configurationToDictionary, type ConvertedConfiguration, type MediaKeySystemConfiguration } from './configuration.js';
import { toSpecException } from './exceptions.js';
import { INTERNAL, illegalConstructor } from './internal.js';
import { MediaKeys } from './media-keys.js';
import type { SessionRegistry } from './session-registry.js';

export interface MediaKeySystemAccessInit {
  readonly keySystem: string;
  readonly configuration: ConvertedConfiguration;
  readonly implementation: KeySystem;
  readonly storage: CdmStorage | undefined;
  readonly registry: SessionRegistry;
}

export class MediaKeySystemAccess {
  readonly #init: MediaKeySystemAccessInit;

  constructor(token: typeof INTERNAL, init: MediaKeySystemAccessInit) {
    if (token !== INTERNAL) throw illegalConstructor('MediaKeySystemAccess');
    this.#init = init;
  }

  get keySystem(): string {
    return MediaKeySystemAccess.#brand(this, 'keySystem').#init.keySystem;
  }

  getConfiguration(): MediaKeySystemConfiguration {
    // A new object each time, initialized from the configuration value.
    return configurationToDictionary(MediaKeySystemAccess.#brand(this, 'getConfiguration').#init.configuration);
  }

  createMediaKeys(): Promise<MediaKeys> {
    try {
      const access = MediaKeySystemAccess.#brand(this, 'createMediaKeys');
      const { configuration, implementation, storage, registry } = access.#init;
      // 1. Let promise be a new promise.
      return new Promise((resolve, reject) => {
        // 2. Run the following steps in parallel.
        inParallel(async () => {
          try {
            // 2.2–2.3. Use distinctive identifier / persistent state allowed: true only when "required".
            const useDistinctiveIdentifier = configuration.distinctiveIdentifier === 'required';
            const persistentStateAllowed = configuration.persistentState === 'required';
            const sessionTypes = (configuration.sessionTypes ?? ['temporary']) as SessionType[];
            // 2.4–2.8. A new CDM instance, kept from persistent state unless it is allowed.
            const cdm = implementation.createCdm(
              { distinctiveIdentifierAllowed: useDistinctiveIdentifier, persistentStateAllowed, sessionTypes },
              persistentStateAllowed ? storage : undefined,
            );
            // 2.9–2.10. A new MediaKeys with the instance; resolve in a task.
            const mediaKeys = new MediaKeys(INTERNAL, {
              cdm,
              capabilities: implementation.capabilities(storage !== undefined),
              supportedSessionTypes: sessionTypes,
              persistentStateAllowed,
              useDistinctiveIdentifier,
              registry,
            });
            queueTask(() => resolve(mediaKeys));
          } catch (error) {
            // 2.8. Any failure rejects with the appropriate error.
            queueTask(() => reject(toSpecException(error)));
          }
        });
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get [Symbol.toStringTag](): string {
    return 'MediaKeySystemAccess';
  }

  static #brand(value: unknown, member: string): MediaKeySystemAccess {
    if (typeof value !== 'object' || value === null || !(#init in value)) throw illegalInvocation('MediaKeySystemAccess', member);
    return value as MediaKeySystemAccess;
  }
}
