// Limits that keep hostile input cheap, chosen as Chromium's media/base/limits.h does.
export const MAX_INIT_DATA_BYTES = 64 * 1024;
export const MIN_KEY_ID_BYTES = 1;
export const MAX_KEY_ID_BYTES = 512;
export const MAX_KEY_IDS = 256;
