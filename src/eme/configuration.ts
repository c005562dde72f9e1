// WebIDL conversion of MediaKeySystemConfiguration and MediaKeySystemMediaCapability, and the dictionaries
// getConfiguration() returns. Members are read in lexicographic order, once each, as WebIDL requires.

import { dictionarySource, readMember, toDOMString, toEnum, toNullableDOMString, toSequence } from '../webidl/conversions.js';
import { MEDIA_KEYS_REQUIREMENTS, type MediaKeysRequirementValue } from './enums.js';

export interface MediaKeySystemMediaCapability {
  contentType?: string;
  encryptionScheme?: string | null;
  robustness?: string;
}

export interface MediaKeySystemConfiguration {
  label?: string;
  initDataTypes?: string[];
  audioCapabilities?: MediaKeySystemMediaCapability[];
  videoCapabilities?: MediaKeySystemMediaCapability[];
  distinctiveIdentifier?: MediaKeysRequirementValue;
  persistentState?: MediaKeysRequirementValue;
  sessionTypes?: string[];
}

/** A capability after conversion: every member present. */
export interface ConvertedCapability {
  readonly contentType: string;
  readonly encryptionScheme: string | null;
  readonly robustness: string;
}

/** A configuration after conversion; sessionTypes stays undefined when the caller did not give it. */
export interface ConvertedConfiguration {
  readonly label: string;
  readonly initDataTypes: readonly string[];
  readonly audioCapabilities: readonly ConvertedCapability[];
  readonly videoCapabilities: readonly ConvertedCapability[];
  readonly distinctiveIdentifier: MediaKeysRequirementValue;
  readonly persistentState: MediaKeysRequirementValue;
  readonly sessionTypes: readonly string[] | undefined;
}

export function convertCapability(value: unknown, context: string): ConvertedCapability {
  const source = dictionarySource(value, context);
  const contentType = readMember(source, 'contentType');
  const encryptionScheme = readMember(source, 'encryptionScheme');
  const robustness = readMember(source, 'robustness');
  return {
    contentType: contentType === undefined ? '' : toDOMString(contentType, `${context}.contentType`),
    encryptionScheme: encryptionScheme === undefined ? null : toNullableDOMString(encryptionScheme, `${context}.encryptionScheme`),
    robustness: robustness === undefined ? '' : toDOMString(robustness, `${context}.robustness`),
  };
}

export function convertConfiguration(value: unknown, context: string): ConvertedConfiguration {
  const source = dictionarySource(value, context);
  const audio = readMember(source, 'audioCapabilities');
  const audioCapabilities = audio === undefined ? [] : toSequence(audio, `${context}.audioCapabilities`, convertCapability);
  const distinctive = readMember(source, 'distinctiveIdentifier');
  const distinctiveIdentifier =
    distinctive === undefined ? 'optional' : toEnum(distinctive, MEDIA_KEYS_REQUIREMENTS, `${context}.distinctiveIdentifier`);
  const initTypes = readMember(source, 'initDataTypes');
  const initDataTypes = initTypes === undefined ? [] : toSequence(initTypes, `${context}.initDataTypes`, toDOMString);
  const labelValue = readMember(source, 'label');
  const label = labelValue === undefined ? '' : toDOMString(labelValue, `${context}.label`);
  const persistent = readMember(source, 'persistentState');
  const persistentState =
    persistent === undefined ? 'optional' : toEnum(persistent, MEDIA_KEYS_REQUIREMENTS, `${context}.persistentState`);
  const types = readMember(source, 'sessionTypes');
  const sessionTypes = types === undefined ? undefined : toSequence(types, `${context}.sessionTypes`, toDOMString);
  const video = readMember(source, 'videoCapabilities');
  const videoCapabilities = video === undefined ? [] : toSequence(video, `${context}.videoCapabilities`, convertCapability);
  return { label, initDataTypes, audioCapabilities, videoCapabilities, distinctiveIdentifier, persistentState, sessionTypes };
}

/** The dictionary handed to script: a fresh deep copy each time (getConfiguration()). */
export function configurationToDictionary(config: ConvertedConfiguration): MediaKeySystemConfiguration {
  const copyCapability = (c: ConvertedCapability): MediaKeySystemMediaCapability => ({
    contentType: c.contentType,
    encryptionScheme: c.encryptionScheme,
    robustness: c.robustness,
  });
  const out: MediaKeySystemConfiguration = {
    audioCapabilities: config.audioCapabilities.map(copyCapability),
    distinctiveIdentifier: config.distinctiveIdentifier,
    initDataTypes: [...config.initDataTypes],
    label: config.label,
    persistentState: config.persistentState,
    videoCapabilities: config.videoCapabilities.map(copyCapability),
  };
  if (config.sessionTypes !== undefined) out.sessionTypes = [...config.sessionTypes];
  return out;
}
