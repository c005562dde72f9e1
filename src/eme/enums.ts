// The EME IDL enumerations, as the values WebIDL conversions check against.

export const MEDIA_KEYS_REQUIREMENTS = ['required', 'optional', 'not-allowed'] as const;
export type MediaKeysRequirementValue = (typeof MEDIA_KEYS_REQUIREMENTS)[number];

export const MEDIA_KEY_SESSION_TYPES = ['temporary', 'persistent-license'] as const;
export type MediaKeySessionTypeValue = (typeof MEDIA_KEY_SESSION_TYPES)[number];

export const MEDIA_KEY_STATUSES = [
  'usable',
  'expired',
  'released',
  'output-restricted',
  'output-downscaled',
  'usable-in-future',
  'status-pending',
  'internal-error',
] as const;
export type MediaKeyStatusValue = (typeof MEDIA_KEY_STATUSES)[number];

export const MEDIA_KEY_MESSAGE_TYPES = [
  'license-request',
  'license-renewal',
  'license-release',
  'individualization-request',
] as const;
export type MediaKeyMessageTypeValue = (typeof MEDIA_KEY_MESSAGE_TYPES)[number];

export const MEDIA_KEY_SESSION_CLOSED_REASONS = [
  'internal-error',
  'closed-by-application',
  'release-acknowledged',
  'hardware-context-reset',
  'resource-evicted',
] as const;
export type MediaKeySessionClosedReasonValue = (typeof MEDIA_KEY_SESSION_CLOSED_REASONS)[number];

/** The "Is persistent session type?" algorithm. */
export function isPersistentSessionType(type: MediaKeySessionTypeValue): boolean {
  return type === 'persistent-license';
}
