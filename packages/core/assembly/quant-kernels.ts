// WebAssembly SIMD kernels for GPT-2's linear layers with 8- and 16-bit weights against f32
// activations, accumulating in f32. Compiled by AssemblyScript (`node scripts/build-quant-kernels.mjs`)
// into packages/core/src/kernels/quant/quant-kernels-wasm.ts; the TypeScript side
// (src/kernels/quant/quant-runtime.ts) owns the memory layout and calls these on pointers into it.
//
// Layouts (all little-endian, row-major, every pointer 16-byte aligned):
//   x      f32 [rows, inPad]       activations, padded with zeros to inPad (a multiple of 32)
//   q8 w   i8  [nOut, inPad]       one output's weights contiguous along the input dimension
//   scales f32 [nOut, inPad / 32]  one scale per block of 32 weights (w = q · scale)
//   f16 w  u16 [nOut, inPad]       IEEE half-precision bits
//   bias   f32 [nOut], or 0 for none
//   y      f32 [rows, nOut]
// Each kernel computes outputs [oStart, oEnd) for every row, so callers can split the outputs
// between threads.

const BLOCK: i32 = 32

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)
}

@inline function biasAt(bias: usize, o: i32): f32 {
  return bias == 0 ? <f32>0 : load<f32>(bias + (<usize>o << 2))
}

/**
 * Splits each row of f32 activations into two 16-bit integer parts per block of 32, so a block's
 * products with int8 weights are exact integer dot products: x ≈ hi · sh + lo · sl, with
 * sh = max|x| / 32767 over the block and sl = sh / 32768, which leaves an error of at most
 * max|x| · 2^-31 per element (far below f32 rounding of the sum). Per row and block, xq holds 32
 * hi values then 32 lo values (i16, 128 bytes) and xs holds sh, sl (f32).
 */
export function splitActivations(x: usize, rows: i32, inPad: i32, xq: usize, xs: usize): void {
  const blocks = rows * (inPad / BLOCK)
  for (let b = 0; b < blocks; b++) {
    const xb = x + (<usize>b << 7)
    const qb = xq + (<usize>b << 7)
    const sb = xs + (<usize>b << 3)
    let m: f32 = 0
    for (let k = 0; k < BLOCK; k++) m = max(m, abs(load<f32>(xb + (<usize>k << 2))))
    const sh: f32 = m / 32767
    const sl: f32 = sh / 32768
    store<f32>(sb, sh)
    store<f32>(sb, sl, 4)
    for (let k = 0; k < BLOCK; k++) {
      const v = load<f32>(xb + (<usize>k << 2))
      // The clamps only act where sh or sl is subnormal or zero (blocks below ~1e-33).
      const hi: f32 = sh == 0 ? 0 : min(max(nearest(v / sh), -32767), 32767)
      const lo: f32 = sl == 0 ? 0 : min(max(nearest((v - hi * sh) / sl), -32767), 32767)
      store<i16>(qb + (<usize>k << 1), <i16>hi)
      store<i16>(qb + (<usize>k << 1), <i16>lo, 64)
    }
  }
}

@inline function dot4(w0: v128, w1: v128, x: usize, at: usize): v128 {
  const a = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w0), v128.load(x + at)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w0), v128.load(x + at, 16)))
  const b = i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w1), v128.load(x + at, 32)), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w1), v128.load(x + at, 48)))
  return i32x4.add(a, b)
}

/** One block of 32 int8 weights against one block of split activations, scaled: an f32x4 of partial sums. */
@inline function q8Block(w0: v128, w1: v128, xq: usize, xs: usize): v128 {
  const hi = f32x4.convert_i32x4_s(dot4(w0, w1, xq, 0))
  const lo = f32x4.convert_i32x4_s(dot4(w0, w1, xq, 64))
  return f32x4.add(f32x4.mul(hi, v128.load32_splat(xs)), f32x4.mul(lo, v128.load32_splat(xs, 4)))
}

/**
 * y[r, o] = bias[o] + Σ_b scale[o, b] · Σ_k q[o, 32b + k] · x[r, 32b + k], with x split by
 * {@link splitActivations} (xq, xs). One output at a time: two at a time, sharing each activation
 * block, measured 1.7× slower (V8 spills the extra registers).
 */
export function q8Linear(xq: usize, xs: usize, rows: i32, inPad: i32, w: usize, scales: usize, bias: usize, y: usize, nOut: i32, oStart: i32, oEnd: i32): void {
  const blocks = inPad / BLOCK
  for (let r = 0; r < rows; r++) {
    const xqr = xq + (<usize>(r * blocks) << 7)
    const xsr = xs + (<usize>(r * blocks) << 3)
    const yr = y + (<usize>(r * nOut) << 2)
    for (let o = oStart; o < oEnd; o++) {
      let wp = w + <usize>o * <usize>inPad
      let sp = scales + (<usize>(o * blocks) << 2)
      let qp = xqr, xp = xsr
      let acc = f32x4.splat(0)
      for (let b = 0; b < blocks; b++) {
        acc = f32x4.add(acc, f32x4.mul(q8Block(v128.load(wp), v128.load(wp, 16), qp, xp), v128.load32_splat(sp)))
        wp += 32
        sp += 4
        qp += 128
        xp += 8
      }
      store<f32>(yr + (<usize>o << 2), hsum(acc) + biasAt(bias, o))
    }
  }
}

// Eight halves as two f32x4: each half moved to the top of a 32-bit lane, shifted arithmetically so
// sign, exponent and mantissa land where f32 keeps them, then multiplied by 2^112 to rebias the
// exponent (15 → 127). Exact for every finite half, subnormals and zeros included.
const HALF_MASK: i32 = 0x8fffe000
const REBIAS: f32 = 5.192296858534828e33 // 2^112

@inline function halfLo(v: v128): v128 {
  const t = v128.shuffle<u8>(v128.splat<i32>(0), v, 0, 0, 16, 17, 0, 0, 18, 19, 0, 0, 20, 21, 0, 0, 22, 23)
  return f32x4.mul(v128.and(i32x4.shr_s(t, 3), i32x4.splat(HALF_MASK)), f32x4.splat(REBIAS))
}
@inline function halfHi(v: v128): v128 {
  const t = v128.shuffle<u8>(v128.splat<i32>(0), v, 0, 0, 24, 25, 0, 0, 26, 27, 0, 0, 28, 29, 0, 0, 30, 31)
  return f32x4.mul(v128.and(i32x4.shr_s(t, 3), i32x4.splat(HALF_MASK)), f32x4.splat(REBIAS))
}

/** y[r, o] = bias[o] + Σ_k half(w[o, k]) · x[r, k]. */
export function f16Linear(x: usize, rows: i32, inPad: i32, w: usize, bias: usize, y: usize, nOut: i32, oStart: i32, oEnd: i32): void {
  const steps = inPad >> 4
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * inPad) << 2)
    const yr = y + (<usize>(r * nOut) << 2)
    for (let o = oStart; o < oEnd; o++) {
      let wp = w + (<usize>o * <usize>inPad << 1)
      let xp = xr
      let a = f32x4.splat(0), c = f32x4.splat(0)
      for (let i = 0; i < steps; i++) {
        const v0 = v128.load(wp), v1 = v128.load(wp, 16)
        a = f32x4.add(a, f32x4.mul(halfLo(v0), v128.load(xp)))
        c = f32x4.add(c, f32x4.mul(halfHi(v0), v128.load(xp, 16)))
        a = f32x4.add(a, f32x4.mul(halfLo(v1), v128.load(xp, 32)))
        c = f32x4.add(c, f32x4.mul(halfHi(v1), v128.load(xp, 48)))
        wp += 32
        xp += 64
      }
      store<f32>(yr + (<usize>o << 2), hsum(f32x4.add(a, c)) + biasAt(bias, o))
    }
  }
}
