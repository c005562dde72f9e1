// MediaKeySystemAccess (EME §4): the configuration requestMediaKeySystemAccess() granted, and createMediaKeys().

import type { CdmStorage, KeySystem, SessionType } from '../cdm/cdm.js';
import { WebIDLInterface } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import type { Realm } from '../webidl/realm.js';
import { inParallel, queueTask } from '../webidl/tasks.js';
import { configurationToDictionary, type ConvertedConfiguration, type MediaKeySystemConfiguration } from './configuration.js';
import { toSpecException } from './exceptions.js';
import { MediaKeys, mediaKeysInternals } from './media-keys.js';
import type { SessionRegistry } from './session-registry.js';
import { traced, type Tracer, type TraceWho } from './trace.js';

export interface MediaKeySystemAccessInit {
  /** The global whose navigator was asked: the objects made from here on are its. */
  readonly realm: Realm;
  readonly keySystem: string;
  readonly configuration: ConvertedConfiguration;
  readonly implementation: KeySystem;
  readonly storage: CdmStorage | undefined;
  readonly registry: SessionRegistry;
  readonly tracer: Tracer | undefined;
}

export class MediaKeySystemAccess extends PlatformObject {
  readonly #init: MediaKeySystemAccessInit;
  readonly #traceWho: TraceWho;

  constructor(init: MediaKeySystemAccessInit) {
    super(init.realm.create(MediaKeySystemAccessInterface));
    this.#init = init;
    const target = init.tracer?.name('access') ?? '';
    this.#traceWho = () => ({ target });
  }

  get keySystem(): string {
    return this.#init.keySystem;
  }

  getConfiguration(): MediaKeySystemConfiguration {
    // A new object each time, initialized from the configuration value.
    return configurationToDictionary(this.#init.configuration);
  }

  createMediaKeys(): Promise<MediaKeys> {
    const describe = (keys: MediaKeys) => ({ mediaKeys: mediaKeysInternals(keys).traceName });
    return traced(this.#init.tracer, this.#traceWho, 'createMediaKeys', () => ({}), () => this.#createMediaKeys(), describe);
  }

  #createMediaKeys(): Promise<MediaKeys> {
    const { realm, configuration, implementation, storage, registry, tracer } = this.#init;
    // 1. Let promise be a new promise.
    return new realm.intrinsics.Promise((resolve, reject) => {
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
          const mediaKeys = new MediaKeys({
            realm,
            cdm,
            capabilities: implementation.capabilities(storage !== undefined),
            supportedSessionTypes: sessionTypes,
            persistentStateAllowed,
            useDistinctiveIdentifier,
            registry,
            tracer,
          });
          queueTask(() => resolve(mediaKeys));
        } catch (error) {
          // 2.8. Any failure rejects with the appropriate error.
          queueTask(() => reject(toSpecException(realm, error)));
        }
      });
    });
  }
}

export const MediaKeySystemAccessInterface: WebIDLInterface<MediaKeySystemAccess> = WebIDLInterface.define({
  name: 'MediaKeySystemAccess',
  implementation: MediaKeySystemAccess,
  attributes: [{ name: 'keySystem' }],
  operations: [
    { name: 'getConfiguration', length: 0 },
    { name: 'createMediaKeys', length: 0, promise: true },
  ],
});
