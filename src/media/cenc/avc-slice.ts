// The length of an H.264 slice header (ITU-T H.264 7.3.3), so that an encryptor leaves it clear: ISO/IEC 23001-7
// has only slice data of AVC protected. Needs the SPS and PPS the slice refers to, from avcC (and, for avc3, from
// the samples). What this does not follow (slice groups, data partitioning, a parameter set it cannot read) gives
// the reason instead of a length.
import { Bits } from './rbsp-bits.js';

interface Sps {
  separateColourPlane: boolean;
  chromaArrayType: number;
  log2MaxFrameNum: number;
  pocType: number;
  log2MaxPocLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  frameMbsOnly: boolean;
}

interface Pps {
  sps: number;
  cabac: boolean;
  bottomFieldPicOrderPresent: boolean;
  numRefIdxL0: number;
  numRefIdxL1: number;
  weightedPred: boolean;
  weightedBipredIdc: number;
  deblockingControl: boolean;
  redundantPicCnt: boolean;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingLists(r: Bits, count: number): void {
  for (let i = 0; i < count; i++) {
    if (!r.u1()) continue;
    let last = 8;
    let next = 8;
    for (let j = 0; j < (i < 6 ? 16 : 64) && next !== 0; j++) {
      next = (last + r.se() + 256) % 256;
      last = next === 0 ? last : next;
    }
  }
}

function parseSps(nal: Uint8Array): [number, Sps] {
  const r = new Bits(nal, 1, nal.length);
  const profile = r.u(8);
  r.u(16);
  const id = r.ue();
  let chromaFormat = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlane = r.u1() === 1;
    r.ue();
    r.ue();
    r.u1();
    if (r.u1()) skipScalingLists(r, chromaFormat === 3 ? 12 : 8);
  }
  const log2MaxFrameNum = r.ue() + 4;
  const pocType = r.ue();
  let log2MaxPocLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (pocType === 0) log2MaxPocLsb = r.ue() + 4;
  else if (pocType === 1) {
    deltaPicOrderAlwaysZero = r.u1() === 1;
    r.se();
    r.se();
    for (let n = r.ue(), i = 0; i < n; i++) r.se();
  }
  r.ue();
  r.u1();
  r.ue();
  r.ue();
  const frameMbsOnly = r.u1() === 1;
  return [id, { separateColourPlane, chromaArrayType: separateColourPlane ? 0 : chromaFormat, log2MaxFrameNum, pocType, log2MaxPocLsb, deltaPicOrderAlwaysZero, frameMbsOnly }];
}

function parsePps(nal: Uint8Array): [number, Pps | string] {
  const r = new Bits(nal, 1, nal.length);
  const id = r.ue();
  const sps = r.ue();
  const cabac = r.u1() === 1;
  const bottomFieldPicOrderPresent = r.u1() === 1;
  // Slice groups (FMO, Baseline's extended tools) change the header: not followed.
  if (r.ue() !== 0) return [id, 'slice groups (FMO) are not followed'];
  const numRefIdxL0 = r.ue() + 1;
  const numRefIdxL1 = r.ue() + 1;
  const weightedPred = r.u1() === 1;
  const weightedBipredIdc = r.u(2);
  r.se();
  r.se();
  r.se();
  const deblockingControl = r.u1() === 1;
  r.u1();
  const redundantPicCnt = r.u1() === 1;
  return [id, { sps, cabac, bottomFieldPicOrderPresent, numRefIdxL0, numRefIdxL1, weightedPred, weightedBipredIdc, deblockingControl, redundantPicCnt }];
}

function skipRefPicListModification(r: Bits): void {
  if (!r.u1()) return;
  for (let idc = r.ue(); idc !== 3; idc = r.ue()) {
    if (idc > 5) throw new RangeError('modification_of_pic_nums_idc');
    r.ue();
  }
}

function skipPredWeightTable(r: Bits, sps: Sps, l0: number, l1: number, b: boolean): void {
  r.ue();
  if (sps.chromaArrayType !== 0) r.ue();
  for (const count of b ? [l0, l1] : [l0]) {
    for (let i = 0; i < count; i++) {
      if (r.u1()) {
        r.se();
        r.se();
      }
      if (sps.chromaArrayType !== 0 && r.u1()) for (let j = 0; j < 4; j++) r.se();
    }
  }
}

/** SPS and PPS by ID, from avcC and from in-band parameter sets; slice header lengths from them. */
export class AvcSliceHeaders {
  private readonly sps = new Map<number, Sps>();
  private readonly pps = new Map<number, Pps | string>();

  /** `avcC`: the AVCDecoderConfigurationRecord (the box's payload). */
  constructor(avcC: Uint8Array) {
    try {
      let p = 5;
      for (const mask of [0x1f, 0xff]) {
        const n = avcC[p++]! & mask;
        for (let i = 0; i < n; i++) {
          const len = (avcC[p]! << 8) | avcC[p + 1]!;
          this.parameterSet(avcC.subarray(p + 2, p + 2 + len));
          p += 2 + len;
        }
      }
    } catch {
      // An avcC this cannot read leaves the tables empty: slices then say which parameter set they miss.
    }
  }

  /** Takes an SPS (7) or PPS (8) NAL unit; other NAL units are ignored. */
  parameterSet(nal: Uint8Array): void {
    try {
      const type = nal[0]! & 0x1f;
      if (type === 7) {
        const [id, s] = parseSps(nal);
        this.sps.set(id, s);
      } else if (type === 8) {
        this.pps.set(...parsePps(nal));
      }
    } catch {
      // A parameter set this cannot read: slices that use it say which one they miss.
    }
  }

  /**
   * Bytes of the slice NAL unit nal (from its header byte) up to the start of its slice data, or why that is not
   * known; throws a RangeError for a header it cannot read.
   */
  headerLength(nal: Uint8Array): number | string {
    const nalRefIdc = (nal[0]! >> 5) & 3;
    const type = nal[0]! & 0x1f;
    if (type !== 1 && type !== 5) return `NAL unit type ${type} (data partitioning is not followed)`;
    const r = new Bits(nal, 1, nal.length);
    r.ue();
    const sliceType = r.ue() % 5;
    const ppsId = r.ue();
    const pps = this.pps.get(ppsId);
    if (pps === undefined) return `PPS ${ppsId} is not in the sample entry or the samples`;
    if (typeof pps === 'string') return `PPS ${ppsId} not read: ${pps}`;
    const sps = this.sps.get(pps.sps);
    if (!sps) return `SPS ${pps.sps} is not in the sample entry or the samples`;
    const [P, B, I, SP, SI] = [0, 1, 2, 3, 4];
    if (sps.separateColourPlane) r.u(2);
    r.u(sps.log2MaxFrameNum);
    let field = false;
    if (!sps.frameMbsOnly) {
      field = r.u1() === 1;
      if (field) r.u1();
    }
    if (type === 5) r.ue();
    if (sps.pocType === 0) {
      r.u(sps.log2MaxPocLsb);
      if (pps.bottomFieldPicOrderPresent && !field) r.se();
    }
    if (sps.pocType === 1 && !sps.deltaPicOrderAlwaysZero) {
      r.se();
      if (pps.bottomFieldPicOrderPresent && !field) r.se();
    }
    if (pps.redundantPicCnt) r.ue();
    if (sliceType === B) r.u1();
    let l0 = pps.numRefIdxL0;
    let l1 = pps.numRefIdxL1;
    if (sliceType === P || sliceType === SP || sliceType === B) {
      if (r.u1()) {
        l0 = r.ue() + 1;
        if (sliceType === B) l1 = r.ue() + 1;
      }
    }
    if (sliceType !== I && sliceType !== SI) skipRefPicListModification(r);
    if (sliceType === B) skipRefPicListModification(r);
    if ((pps.weightedPred && (sliceType === P || sliceType === SP)) || (pps.weightedBipredIdc === 1 && sliceType === B)) skipPredWeightTable(r, sps, l0, l1, sliceType === B);
    if (nalRefIdc !== 0) {
      if (type === 5) r.u(2);
      else if (r.u1()) {
        for (let op = r.ue(); op !== 0; op = r.ue()) {
          if (op > 6) throw new RangeError('memory_management_control_operation');
          if (op === 1 || op === 3) r.ue();
          if (op === 2) r.ue();
          if (op === 3 || op === 6) r.ue();
          if (op === 4) r.ue();
        }
      }
    }
    if (pps.cabac && sliceType !== I && sliceType !== SI) r.ue();
    r.se();
    if (sliceType === SP || sliceType === SI) {
      if (sliceType === SP) r.u1();
      r.se();
    }
    if (pps.deblockingControl && r.ue() !== 1) {
      r.se();
      r.se();
    }
    // CABAC slice data starts byte-aligned (cabac_alignment_one_bit); CAVLC's first bits share the last byte,
    // which stays clear with the header.
    return r.bytesUsed;
  }
}
