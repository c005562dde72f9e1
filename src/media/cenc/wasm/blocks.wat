;; The per-block loops of batched AES decryption (and encryption), on sample data that lies in this module's memory, around
;; node:crypto calls that each cover many samples:
;; - AES-CBC (cbcs, cbc1): gathering the encrypted 16-byte blocks of protected ranges into one window (which
;;   node:crypto deciphers with AES-ECB in a single call), and scattering the plaintext back with the CBC
;;   chaining applied (P = D(C) XOR the previous ciphertext block, or XOR the IV where a chain starts);
;; - AES-CBC encryption: the same gathering, each chain enciphered by one AES-CBC call, and the ciphertext
;;   placed back (place);
;; - AES-CTR (cenc audio, cens), either way: writing the counter blocks of many samples (which node:crypto enciphers with
;;   AES-ECB into their keystream in a single call), and XORing the keystream into the protected ranges,
;;   crypt/skip pattern included.
;; In cold JavaScript these loops cost several times more (a million blocks per 200 MB of cbcs or cens video),
;; with V8 optimizing them on threads that compete with the work; this module is compiled once, in
;; microseconds. All addresses are byte offsets into the memory; positions fit in 31 bits. A crypt:skip pattern of
;; 0:0 means none, every block encrypted, as in tenc and the rest of emekit.
;; Assembled by scripts/assemble-wasm.mjs into blocks-wasm.ts.
(module
  (import "env" "memory" (memory 1))

  ;; Where gather() stopped when the window filled up, so that the caller can flush and resume.
  (global $resumeAt (export "resumeAt") (mut i32) (i32.const 0))
  (global $resumeLeft (export "resumeLeft") (mut i32) (i32.const 0))
  (global $more (export "more") (mut i32) (i32.const 0))

  ;; Gathers the encrypted blocks of the range [q, end) into the window `g` from block `j` on, recording each
  ;; block's address in `pos` (u32 per block): `crypt` blocks, then `skip` blocks left clear, and so on, while
  ;; 16 bytes remain; `left` is how many blocks of the current crypt run remain at q (crypt at a range's
  ;; start, 0 without a pattern). Stops before block `full` with $more set and $resumeAt/$resumeLeft saying
  ;; where to go on.
  ;; Returns the window's new block count.
  (func (export "gather")
        (param $q i32) (param $end i32) (param $crypt i32) (param $skip i32) (param $left i32)
        (param $j i32) (param $full i32) (param $g i32) (param $pos i32) (result i32)
    (global.set $more (i32.const 0))
    ;; No pattern: one crypt run as long as the range. A zero crypt count with a skip encrypts nothing.
    (if (i32.eqz (local.get $crypt))
      (then
        (if (local.get $skip) (then (return (local.get $j))))
        (local.set $crypt (i32.const 0x7fffffff))))
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (i32.sub (local.get $end) (local.get $q)) (i32.const 16)))
        (if (i32.eqz (local.get $left))
          (then
            (local.set $q (i32.add (local.get $q) (i32.shl (local.get $skip) (i32.const 4))))
            (local.set $left (local.get $crypt))
            (br $next)))
        (if (i32.ge_u (local.get $j) (local.get $full))
          (then (global.set $more (i32.const 1)) (br $done)))
        (v128.store (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 4))) (v128.load (local.get $q)))
        (i32.store (i32.add (local.get $pos) (i32.shl (local.get $j) (i32.const 2))) (local.get $q))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br $next)))
    (global.set $resumeAt (local.get $q))
    (global.set $resumeLeft (local.get $left))
    (local.get $j))

  ;; Writes the plaintext of the window's `nb` blocks back where they came from: block j of `plain` (the
  ;; AES-ECB output) XOR the IV where a chain starts, else XOR ciphertext block j-1 of `g`. `starts` (u32 per
  ;; entry, ascending) lists the blocks where chains start and `ivs` their 16-byte IVs, `nStarts` entries;
  ;; block 0 is always one of them.
  (func (export "scatter")
        (param $nb i32) (param $g i32) (param $plain i32) (param $pos i32)
        (param $starts i32) (param $ivs i32) (param $nStarts i32)
    (local $j i32) (local $s i32) (local $nextStart i32) (local $x v128)
    (local.set $nextStart
      (if (result i32) (i32.gt_s (local.get $nStarts) (i32.const 0))
        (then (i32.load (local.get $starts)))
        (else (i32.const -1))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $j) (local.get $nb)))
        (if (i32.eq (local.get $j) (local.get $nextStart))
          (then
            (local.set $x (v128.load (i32.add (local.get $ivs) (i32.shl (local.get $s) (i32.const 4)))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $nextStart
              (if (result i32) (i32.lt_s (local.get $s) (local.get $nStarts))
                (then (i32.load (i32.add (local.get $starts) (i32.shl (local.get $s) (i32.const 2)))))
                (else (i32.const -1)))))
          (else
            (local.set $x
              (v128.load (i32.add (local.get $g) (i32.shl (i32.sub (local.get $j) (i32.const 1)) (i32.const 4)))))))
        (v128.store
          (i32.load (i32.add (local.get $pos) (i32.shl (local.get $j) (i32.const 2))))
          (v128.xor (v128.load (i32.add (local.get $plain) (i32.shl (local.get $j) (i32.const 4)))) (local.get $x)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each))))
  ;; Writes the window's `nb` blocks at `src` back where they came from (`pos`, u32 per block), as they are.
  (func (export "place") (param $nb i32) (param $src i32) (param $pos i32)
    (local $j i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $j) (local.get $nb)))
        (v128.store
          (i32.load (i32.add (local.get $pos) (i32.shl (local.get $j) (i32.const 2))))
          (v128.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 4)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each))))

  ;; Writes `nb` CTR counter blocks at `dst`, for the 16-byte IV at `iv`: block k is the IV's high 8 bytes, then
  ;; its low 8 bytes (big-endian) plus k, modulo 2^64 (CENC never carries into the high half).
  (func (export "counters") (param $dst i32) (param $nb i32) (param $iv i32)
    (local $ivBytes v128) (local $low i64) (local $k i32)
    (local.set $ivBytes (v128.load (local.get $iv)))
    ;; The low half, byte-reversed into lane 0: its value as a number.
    (local.set $low (i64x2.extract_lane 0
      (i8x16.shuffle 15 14 13 12 11 10 9 8 0 0 0 0 0 0 0 0 (local.get $ivBytes) (local.get $ivBytes))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $k) (local.get $nb)))
        (v128.store
          (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 4)))
          ;; High 8 bytes from the IV, low 8 the counter's bytes, most significant first.
          (i8x16.shuffle 0 1 2 3 4 5 6 7 23 22 21 20 19 18 17 16
            (local.get $ivBytes)
            (i64x2.splat (i64.add (local.get $low) (i64.extend_i32_u (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each))))

  ;; XORs the keystream at `ks` into the protected range [q, end), in keystream order: `crypt` blocks, then
  ;; `skip` left alone, and so on while 16 bytes remain; then a trailing part shorter than a block, if the
  ;; pattern lands on one (no pattern: the whole range).
  ;; Returns the keystream position after the range.
  (func (export "xorRange") (param $q i32) (param $end i32) (param $crypt i32) (param $skip i32) (param $ks i32) (result i32)
    (local $stop i32) (local $n i32)
    ;; No pattern: one crypt run as long as the range.
    (if (i32.eqz (i32.or (local.get $crypt) (local.get $skip)))
      (then (local.set $crypt (i32.const 0x7fffffff))))
    (block $blocksDone
      (loop $period
        (br_if $blocksDone (i32.lt_s (i32.sub (local.get $end) (local.get $q)) (i32.const 16)))
        ;; This period's crypt run: min(crypt, whole blocks left), then its skip.
        (local.set $n (i32.shr_s (i32.sub (local.get $end) (local.get $q)) (i32.const 4)))
        (if (i32.lt_s (local.get $crypt) (local.get $n)) (then (local.set $n (local.get $crypt))))
        (local.set $stop (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 4))))
        (block $runDone
          (loop $block
            (br_if $runDone (i32.ge_s (local.get $q) (local.get $stop)))
            (v128.store (local.get $q) (v128.xor (v128.load (local.get $q)) (v128.load (local.get $ks))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (local.set $ks (i32.add (local.get $ks) (i32.const 16)))
            (br $block)))
        (local.set $q (i32.add (local.get $q) (i32.shl (local.get $skip) (i32.const 4))))
        (br $period)))
    (block $tailDone
      (loop $byte
        (br_if $tailDone (i32.ge_s (local.get $q) (local.get $end)))
        (i32.store8 (local.get $q) (i32.xor (i32.load8_u (local.get $q)) (i32.load8_u (local.get $ks))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (local.set $ks (i32.add (local.get $ks) (i32.const 1)))
        (br $byte)))
    (local.get $ks))
)
