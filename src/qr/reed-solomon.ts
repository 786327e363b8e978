/**
 * Reed-Solomon error correction over GF(2^8) with the QR primitive polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (ISO/IEC 18004:2015, 7.5.2).
 */

/** α^i for i in 0..509, doubled so that EXP[LOG[a] + LOG[b]] needs no modulo. */
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    EXP[i + 255] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
}

export function gfMultiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/**
 * Coefficients of the generator polynomial (x - α^0)(x - α^1)...(x - α^(degree-1)),
 * highest power first, without the leading 1.
 */
export function generatorPolynomial(degree: number): Uint8Array {
  let poly = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const next = new Uint8Array(poly.length + 1);
    const root = EXP[i]!;
    for (let j = 0; j < poly.length; j++) {
      next[j] = next[j]! ^ poly[j]!;
      next[j + 1] = next[j + 1]! ^ gfMultiply(poly[j]!, root);
    }
    poly = next;
  }
  return poly.subarray(1);
}

/**
 * For each generator degree used by a QR version, the products of every byte value with
 * the generator coefficients, packed big-endian four to a 32-bit word (zero-padded):
 * words [factor * W, factor * W + W) hold factor * g[0..degree-1], W = ceil(degree / 4).
 * The division loop then shifts and XORs the remainder a word, not a byte, at a time.
 */
const productTables = new Map<number, Int32Array>();

function productTable(degree: number): Int32Array {
  let table = productTables.get(degree);
  if (!table) {
    const generator = generatorPolynomial(degree);
    const words = (degree + 3) >> 2;
    table = new Int32Array(256 * words);
    for (let factor = 1; factor < 256; factor++) {
      for (let j = 0; j < degree; j++) {
        table[factor * words + (j >> 2)]! |=
          gfMultiply(factor, generator[j]!) << (24 - 8 * (j & 3));
      }
    }
    productTables.set(degree, table);
  }
  return table;
}

/** The division remainder, big-endian in words like the product tables (8 words: degree <= 32). */
const remainder = new Int32Array(8);

/**
 * Writes the `degree` error-correction codewords of data[start, end) to out[outStart...]:
 * the remainder of data(x) * x^degree divided by the generator polynomial (7.5.2).
 */
export function writeEccCodewords(
  data: Uint8Array,
  start: number,
  end: number,
  degree: number,
  out: Uint8Array,
  outStart: number,
): void {
  const table = productTable(degree);
  const words = (degree + 3) >> 2;
  const rem = remainder;
  rem.fill(0);
  for (let i = start; i < end; i++) {
    const row = ((data[i]! ^ (rem[0]! >>> 24)) & 0xff) * words;
    // Multiply the remainder by x (shift one byte towards the front) and add factor * g.
    for (let w = 0; w < words - 1; w++)
      rem[w] = ((rem[w]! << 8) | (rem[w + 1]! >>> 24)) ^ table[row + w]!;
    rem[words - 1] = (rem[words - 1]! << 8) ^ table[row + words - 1]!;
  }
  for (let j = 0; j < degree; j++) out[outStart + j] = rem[j >> 2]! >>> (24 - 8 * (j & 3));
}
