// The tests' Common Encryption packager: emekit's protectInPlace (src/media/protect/protect-in-place.ts) with one key
// and reproducible IVs (counting up from firstIv, as GPAC's), so files match GPAC's for the same IVs.
import type { Scheme } from '../../src/media/boxes/protection.js';
import { protectInPlace } from '../../src/media/protect/protect-in-place.js';
import { COMMON_SYSTEM_ID, psshBox } from '../../src/media/write/protection.js';

export { psshBox };

export interface EncryptOptions {
  scheme: Scheme;
  key: Buffer;
  kid: Buffer;
  /** 8 or 16 per-sample IVs (counting up from firstIv), or 0 with constantIv. */
  ivSize: 0 | 8 | 16;
  firstIv?: Buffer;
  constantIv?: Buffer;
  /** Video pattern for cbcs/cens (audio uses whole blocks). */
  crypt?: number;
  skip?: number;
  /** 'nal' (default): AVC/HEVC subsamples; 'whole': every sample is one protected range. */
  videoLayout?: 'nal' | 'whole';
  /** pssh boxes to put in fragment n's moof: `head` right after mfhd, `tail` after the last traf. */
  moofPssh?: (n: number) => { head?: Buffer[]; tail?: Buffer[] };
}

/** The Common (Clear Key) PSSH system ID, from the W3C's Common SystemID and PSSH Box Format. */
export const CLEAR_KEY_SYSTEM_ID = COMMON_SYSTEM_ID;
/** Widevine's PSSH system ID: a box Clear Key must carry along but cannot read. */
export const WIDEVINE_SYSTEM_ID = Buffer.from('edef8ba979d64acea3c827dcd51d21ed', 'hex');

export function encryptMp4(input: Buffer, o: EncryptOptions): Buffer {
  return protectInPlace(input, {
    scheme: o.scheme,
    keys: { keyId: o.kid, key: o.key },
    iv: o.ivSize === 0 ? { constant: o.constantIv! } : { size: o.ivSize, first: o.firstIv ?? Buffer.alloc(o.ivSize) },
    pattern: { crypt: o.crypt ?? 1, skip: o.skip ?? 9 },
    ...(o.videoLayout ? { videoLayout: o.videoLayout } : {}),
    ...(o.moofPssh ? { moofPssh: o.moofPssh } : {}),
  });
}
