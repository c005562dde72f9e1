// The length of an HEVC slice segment header (ITU-T H.265 7.3.6.1, up to and including its byte_alignment()), so
// that an encryptor leaves it clear: ISO/IEC 23001-7 has only slice data of HEVC protected. Needs the SPS and PPS
// the slice refers to, from hvcC and (for hev1) from the samples. What this does not follow (multi-layer and 3D
// NAL units, screen content coding, a parameter set it cannot read) gives the reason instead of a length.
import { Bits } from './rbsp-bits.js';

interface ShortTermRps {
  /** DeltaPocS0 / DeltaPocS1 (7-61, 7-62) and whether each is used by the current picture. */
  s0: number[];
  s1: number[];
  used0: boolean[];
  used1: boolean[];
}

interface Sps {
  separateColourPlane: boolean;
  chromaArrayType: number;
  log2MaxPocLsb: number;
  /** Bits of slice_segment_address: Ceil(Log2(PicSizeInCtbsY)). */
  addressBits: number;
  rps: ShortTermRps[];
  longTermPresent: boolean;
  longTermUsed: boolean[];
  temporalMvp: boolean;
  sao: boolean;
}

interface Pps {
  sps: number;
  dependentSlices: boolean;
  outputFlagPresent: boolean;
  extraSliceHeaderBits: number;
  cabacInitPresent: boolean;
  numRefIdxL0: number;
  numRefIdxL1: number;
  sliceChromaQpOffsets: boolean;
  weightedPred: boolean;
  weightedBipred: boolean;
  entryPoints: boolean;
  loopFilterAcrossSlices: boolean;
  deblockingOverride: boolean;
  deblockingDisabled: boolean;
  listsModification: boolean;
  sliceHeaderExtension: boolean;
  chromaQpOffsetList: boolean;
}

const SPS = 33;
const PPS = 34;
const [B, P, I] = [0, 1, 2];

/** Ceil(Log2(n)) for n ≥ 1. */
function ceilLog2(n: number): number {
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

/** profile_tier_level(1, maxSubLayersMinus1) (7.3.3); returns general_profile_idc and its compatibility flags. */
function profileTierLevel(r: Bits, maxSubLayersMinus1: number): { profile: number; compatible: number } {
  r.u(2);
  r.u1();
  const profile = r.u(5);
  const compatible = r.u(32);
  r.u(4);
  r.u(43);
  r.u1();
  r.u(8);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.u1() === 1);
    levelPresent.push(r.u1() === 1);
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.u(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.u(88);
    if (levelPresent[i]) r.u(8);
  }
  return { profile, compatible };
}

/** scaling_list_data() (7.3.4). */
function skipScalingListData(r: Bits): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.u1()) {
        r.ue();
        continue;
      }
      const coefficients = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se();
      for (let i = 0; i < coefficients; i++) r.se();
    }
  }
}

/**
 * st_ref_pic_set(index) (7.3.7) with `sets` the SPS's sets so far (inter RPS prediction refers back to them);
 * `inSlice`: the set is in a slice header (index = num_short_term_ref_pic_sets, delta_idx_minus1 present).
 */
function shortTermRps(r: Bits, index: number, sets: readonly ShortTermRps[], inSlice: boolean): ShortTermRps {
  if (index !== 0 && r.u1()) {
    const deltaIdx = inSlice ? r.ue() + 1 : 1;
    const sign = r.u1();
    const deltaRps = (1 - 2 * sign) * (r.ue() + 1);
    const ref = sets[index - deltaIdx];
    if (!ref) throw new RangeError(`short-term RPS ${index} predicted from a set that does not exist`);
    const refCount = ref.s0.length + ref.s1.length;
    const usedByCurr: boolean[] = [];
    const useDelta: boolean[] = [];
    for (let j = 0; j <= refCount; j++) {
      const used = r.u1() === 1;
      usedByCurr.push(used);
      useDelta.push(used ? true : r.u1() === 1);
    }
    // 7-61 and 7-62: the reference set's pictures shifted by deltaRps (and deltaRps itself), split by sign.
    const out: ShortTermRps = { s0: [], s1: [], used0: [], used1: [] };
    const neg = ref.s0.length;
    for (let j = ref.s1.length - 1; j >= 0; j--) {
      const d = ref.s1[j]! + deltaRps;
      if (d < 0 && useDelta[neg + j]) (out.s0.push(d), out.used0.push(usedByCurr[neg + j]!));
    }
    if (deltaRps < 0 && useDelta[refCount]) (out.s0.push(deltaRps), out.used0.push(usedByCurr[refCount]!));
    for (let j = 0; j < neg; j++) {
      const d = ref.s0[j]! + deltaRps;
      if (d < 0 && useDelta[j]) (out.s0.push(d), out.used0.push(usedByCurr[j]!));
    }
    for (let j = neg - 1; j >= 0; j--) {
      const d = ref.s0[j]! + deltaRps;
      if (d > 0 && useDelta[j]) (out.s1.push(d), out.used1.push(usedByCurr[j]!));
    }
    if (deltaRps > 0 && useDelta[refCount]) (out.s1.push(deltaRps), out.used1.push(usedByCurr[refCount]!));
    for (let j = 0; j < ref.s1.length; j++) {
      const d = ref.s1[j]! + deltaRps;
      if (d > 0 && useDelta[neg + j]) (out.s1.push(d), out.used1.push(usedByCurr[neg + j]!));
    }
    return out;
  }
  const negatives = r.ue();
  const positives = r.ue();
  if (negatives > 16 || positives > 16) throw new RangeError('short-term RPS with more than 16 pictures');
  const out: ShortTermRps = { s0: [], s1: [], used0: [], used1: [] };
  for (let i = 0, poc = 0; i < negatives; i++) {
    poc -= r.ue() + 1;
    out.s0.push(poc);
    out.used0.push(r.u1() === 1);
  }
  for (let i = 0, poc = 0; i < positives; i++) {
    poc += r.ue() + 1;
    out.s1.push(poc);
    out.used1.push(r.u1() === 1);
  }
  return out;
}

function parseSps(nal: Uint8Array): [number, Sps | string] {
  const r = new Bits(nal, 2, nal.length);
  r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  r.u1();
  const { profile, compatible } = profileTierLevel(r, maxSubLayersMinus1);
  const id = r.ue();
  // Screen content coding (profile 9) and the high-throughput profiles (5) may carry SCC tools that add slice header
  // syntax (use_integer_mv_flag, ACT QP offsets) from SPS/PPS extensions this does not read.
  if (profile >= 5 || (compatible & 0x07ffffff) !== 0) return [id, `profile ${profile} (Main, Main 10, Main Still Picture and the range extensions are followed)`];
  try {
    return [id, readSps(r, maxSubLayersMinus1)];
  } catch (error) {
    return [id, (error as Error).message];
  }
}

function readSps(r: Bits, maxSubLayersMinus1: number): Sps {
  const chromaFormat = r.ue();
  const separateColourPlane = chromaFormat === 3 && r.u1() === 1;
  const width = r.ue();
  const height = r.ue();
  if (r.u1()) for (let i = 0; i < 4; i++) r.ue();
  r.ue();
  r.ue();
  const log2MaxPocLsb = r.ue() + 4;
  const orderingInfo = r.u1() === 1;
  for (let i = orderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) (r.ue(), r.ue(), r.ue());
  const minCbLog2 = r.ue() + 3;
  const ctbLog2 = minCbLog2 + r.ue();
  r.ue();
  r.ue();
  r.ue();
  r.ue();
  if (r.u1() && r.u1()) skipScalingListData(r);
  r.u1();
  const sao = r.u1() === 1;
  if (r.u1()) {
    r.u(4);
    r.u(4);
    r.ue();
    r.ue();
    r.u1();
  }
  const setCount = r.ue();
  if (setCount > 64) throw new RangeError('SPS with more than 64 short-term RPS');
  const rps: ShortTermRps[] = [];
  for (let i = 0; i < setCount; i++) rps.push(shortTermRps(r, i, rps, false));
  const longTermPresent = r.u1() === 1;
  const longTermUsed: boolean[] = [];
  if (longTermPresent) {
    const count = r.ue();
    if (count > 32) throw new RangeError('SPS with more than 32 long-term pictures');
    for (let i = 0; i < count; i++) {
      r.u(log2MaxPocLsb);
      longTermUsed.push(r.u1() === 1);
    }
  }
  const temporalMvp = r.u1() === 1;
  const ctbSize = 2 ** ctbLog2;
  const ctbs = Math.ceil(width / ctbSize) * Math.ceil(height / ctbSize);
  return {
    separateColourPlane,
    chromaArrayType: separateColourPlane ? 0 : chromaFormat,
    log2MaxPocLsb,
    addressBits: ceilLog2(ctbs),
    rps,
    longTermPresent,
    longTermUsed,
    temporalMvp,
    sao,
  };
}

function parsePps(nal: Uint8Array): [number, Pps | string] {
  const r = new Bits(nal, 2, nal.length);
  const id = r.ue();
  try {
    return [id, readPps(r)];
  } catch (error) {
    return [id, (error as Error).message];
  }
}

function readPps(r: Bits): Pps {
  const sps = r.ue();
  const dependentSlices = r.u1() === 1;
  const outputFlagPresent = r.u1() === 1;
  const extraSliceHeaderBits = r.u(3);
  r.u1();
  const cabacInitPresent = r.u1() === 1;
  const numRefIdxL0 = r.ue() + 1;
  const numRefIdxL1 = r.ue() + 1;
  r.se();
  r.u1();
  const transformSkip = r.u1() === 1;
  if (r.u1()) r.ue();
  r.se();
  r.se();
  const sliceChromaQpOffsets = r.u1() === 1;
  const weightedPred = r.u1() === 1;
  const weightedBipred = r.u1() === 1;
  r.u1();
  const tiles = r.u1() === 1;
  const wavefronts = r.u1() === 1;
  if (tiles) {
    const columns = r.ue();
    const rows = r.ue();
    if (!r.u1()) {
      for (let i = 0; i < columns; i++) r.ue();
      for (let i = 0; i < rows; i++) r.ue();
    }
    r.u1();
  }
  const loopFilterAcrossSlices = r.u1() === 1;
  let deblockingOverride = false;
  let deblockingDisabled = false;
  if (r.u1()) {
    deblockingOverride = r.u1() === 1;
    deblockingDisabled = r.u1() === 1;
    if (!deblockingDisabled) (r.se(), r.se());
  }
  if (r.u1()) skipScalingListData(r);
  const listsModification = r.u1() === 1;
  r.ue();
  const sliceHeaderExtension = r.u1() === 1;
  let chromaQpOffsetList = false;
  if (r.u1()) {
    const range = r.u1() === 1;
    const multilayer = r.u1() === 1;
    const threeD = r.u1() === 1;
    const scc = r.u1() === 1;
    r.u(4);
    if (multilayer || threeD || scc) throw new RangeError('PPS with multi-layer, 3D or screen content extensions');
    if (range) {
      if (transformSkip) r.ue();
      r.u1();
      chromaQpOffsetList = r.u1() === 1;
    }
  }
  return {
    sps,
    dependentSlices,
    outputFlagPresent,
    extraSliceHeaderBits,
    cabacInitPresent,
    numRefIdxL0,
    numRefIdxL1,
    sliceChromaQpOffsets,
    weightedPred,
    weightedBipred,
    entryPoints: tiles || wavefronts,
    loopFilterAcrossSlices,
    deblockingOverride,
    deblockingDisabled,
    listsModification,
    sliceHeaderExtension,
    chromaQpOffsetList,
  };
}

/** pred_weight_table() (7.3.6.3): without SCC no reference picture is the current one, so every flag is present. */
function skipPredWeightTable(r: Bits, chroma: boolean, lists: readonly number[]): void {
  r.ue();
  if (chroma) r.se();
  for (const count of lists) {
    const luma: number[] = [];
    const chromaFlags: number[] = [];
    for (let i = 0; i < count; i++) luma.push(r.u1());
    if (chroma) for (let i = 0; i < count; i++) chromaFlags.push(r.u1());
    for (let i = 0; i < count; i++) {
      if (luma[i]) (r.se(), r.se());
      if (chromaFlags[i]) for (let j = 0; j < 4; j++) r.se();
    }
  }
}

/** SPS and PPS by ID, from hvcC and from in-band parameter sets; slice segment header lengths from them. */
export class HevcSliceHeaders {
  private readonly sps = new Map<number, Sps | string>();
  private readonly pps = new Map<number, Pps | string>();

  /** `hvcC`: the HEVCDecoderConfigurationRecord (the box's payload). */
  constructor(hvcC: Uint8Array) {
    if (hvcC.length < 23) return;
    let p = 23;
    for (let arrays = hvcC[22]!, a = 0; a < arrays && p + 3 <= hvcC.length; a++) {
      const count = (hvcC[p + 1]! << 8) | hvcC[p + 2]!;
      p += 3;
      for (let i = 0; i < count && p + 2 <= hvcC.length; i++) {
        const len = (hvcC[p]! << 8) | hvcC[p + 1]!;
        this.parameterSet(hvcC.subarray(p + 2, Math.min(p + 2 + len, hvcC.length)));
        p += 2 + len;
      }
    }
  }

  /** Takes an SPS (33) or PPS (34) NAL unit of the base layer; other NAL units are ignored. */
  parameterSet(nal: Uint8Array): void {
    if (nal.length < 3 || layer(nal) !== 0) return;
    const type = (nal[0]! >> 1) & 0x3f;
    try {
      if (type === SPS) this.sps.set(...parseSps(nal));
      if (type === PPS) this.pps.set(...parsePps(nal));
    } catch {
      // Not even the ID could be read: a slice naming the set it was meant to be finds none, and says so.
    }
  }

  /**
   * Bytes of the slice segment NAL unit `nal` (from its 2-byte NAL header) up to the start of its slice data, or
   * the reason it is not known; throws a RangeError for a header it cannot read.
   */
  headerLength(nal: Uint8Array): number | string {
    const type = (nal[0]! >> 1) & 0x3f;
    if (layer(nal) !== 0) return `slice of layer ${layer(nal)} (multi-layer HEVC is not followed)`;
    if (type > 21 || (type >= 10 && type <= 15)) return `reserved VCL NAL unit type ${type}`;
    const r = new Bits(nal, 2, nal.length);
    const first = r.u1() === 1;
    if (type >= 16 && type <= 23) r.u1();
    const ppsId = r.ue();
    const pps = this.pps.get(ppsId);
    if (pps === undefined) return `PPS ${ppsId} is not in the sample entry or the samples`;
    if (typeof pps === 'string') return `PPS ${ppsId} not read: ${pps}`;
    const sps = this.sps.get(pps.sps);
    if (sps === undefined) return `SPS ${pps.sps} is not in the sample entry or the samples`;
    if (typeof sps === 'string') return `SPS ${pps.sps} not read: ${sps}`;
    let dependent = false;
    if (!first) {
      if (pps.dependentSlices) dependent = r.u1() === 1;
      r.u(sps.addressBits);
    }
    if (!dependent) this.independentFields(r, type, sps, pps);
    if (pps.entryPoints) {
      const offsets = r.ue();
      if (offsets > 0) {
        const bits = r.ue() + 1;
        if (bits > 32) throw new RangeError('entry point offsets of more than 32 bits');
        for (let i = 0; i < offsets; i++) r.u(bits);
      }
    }
    if (pps.sliceHeaderExtension) for (let n = r.ue(), i = 0; i < n; i++) r.u(8);
    // byte_alignment(): a one, then zeros to the byte boundary.
    if (r.u1() !== 1) throw new RangeError('byte_alignment() does not start with a one bit');
    while (!r.aligned) if (r.u1() !== 0) throw new RangeError('byte_alignment() has a one bit after its first');
    return r.bytesUsed;
  }

  /** The fields of an independent slice segment (the `if (!dependent_slice_segment_flag)` block of 7.3.6.1). */
  private independentFields(r: Bits, type: number, sps: Sps, pps: Pps): void {
    r.u(pps.extraSliceHeaderBits);
    const sliceType = r.ue();
    if (sliceType > 2) throw new RangeError(`slice_type ${sliceType}`);
    if (pps.outputFlagPresent) r.u1();
    if (sps.separateColourPlane) r.u(2);
    let temporalMvp = false;
    let picsUsed = 0;
    if (type !== 19 && type !== 20) {
      r.u(sps.log2MaxPocLsb);
      let rps: ShortTermRps | undefined;
      if (!r.u1()) rps = shortTermRps(r, sps.rps.length, sps.rps, true);
      else if (sps.rps.length > 1) rps = sps.rps[r.u(ceilLog2(sps.rps.length))];
      else rps = sps.rps[0];
      if (!rps) throw new RangeError('short_term_ref_pic_set_idx names no set of the SPS');
      picsUsed += rps.used0.filter(Boolean).length + rps.used1.filter(Boolean).length;
      if (sps.longTermPresent) {
        const fromSps = sps.longTermUsed.length > 0 ? r.ue() : 0;
        const count = fromSps + r.ue();
        if (fromSps > sps.longTermUsed.length || count > 32) throw new RangeError('long-term picture counts out of range');
        for (let i = 0; i < count; i++) {
          if (i < fromSps) picsUsed += sps.longTermUsed[sps.longTermUsed.length > 1 ? r.u(ceilLog2(sps.longTermUsed.length)) : 0] ? 1 : 0;
          else {
            r.u(sps.log2MaxPocLsb);
            picsUsed += r.u1();
          }
          if (r.u1()) r.ue();
        }
      }
      if (sps.temporalMvp) temporalMvp = r.u1() === 1;
    }
    let sao = false;
    if (sps.sao) {
      sao = r.u1() === 1;
      if (sps.chromaArrayType !== 0) sao = r.u1() === 1 || sao;
    }
    if (sliceType === P || sliceType === B) {
      let l0 = pps.numRefIdxL0;
      let l1 = pps.numRefIdxL1;
      if (r.u1()) {
        l0 = r.ue() + 1;
        if (sliceType === B) l1 = r.ue() + 1;
      }
      if (l0 > 16 || l1 > 16) throw new RangeError('more than 16 active references');
      if (pps.listsModification && picsUsed > 1) {
        const bits = ceilLog2(picsUsed);
        if (r.u1()) for (let i = 0; i < l0; i++) r.u(bits);
        if (sliceType === B && r.u1()) for (let i = 0; i < l1; i++) r.u(bits);
      }
      if (sliceType === B) r.u1();
      if (pps.cabacInitPresent) r.u1();
      if (temporalMvp) {
        const fromL0 = sliceType === B ? r.u1() === 1 : true;
        if ((fromL0 && l0 > 1) || (!fromL0 && l1 > 1)) r.ue();
      }
      if ((pps.weightedPred && sliceType === P) || (pps.weightedBipred && sliceType === B)) skipPredWeightTable(r, sps.chromaArrayType !== 0, sliceType === B ? [l0, l1] : [l0]);
      r.ue();
    } else if (sliceType !== I) throw new RangeError(`slice_type ${sliceType}`);
    r.se();
    if (pps.sliceChromaQpOffsets) (r.se(), r.se());
    if (pps.chromaQpOffsetList) r.u1();
    let deblockingDisabled = pps.deblockingDisabled;
    if (pps.deblockingOverride && r.u1()) {
      deblockingDisabled = r.u1() === 1;
      if (!deblockingDisabled) (r.se(), r.se());
    }
    if (pps.loopFilterAcrossSlices && (sao || !deblockingDisabled)) r.u1();
  }
}

function layer(nal: Uint8Array): number {
  return ((nal[0]! & 1) << 5) | (nal[1]! >> 3);
}
