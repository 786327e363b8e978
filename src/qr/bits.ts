/** Appends big-endian bit fields to a byte buffer (codewords are filled MSB first, 7.4.1). */
export class BitWriter {
  /** Bits written so far. */
  length = 0;
  private pending = 0;
  private pendingBits = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** Appends the low `count` bits of `value`, most significant first; count <= 24. */
  write(value: number, count: number): void {
    this.pending = (this.pending << count) | (value & ((1 << count) - 1));
    this.pendingBits += count;
    this.length += count;
    while (this.pendingBits >= 8) {
      this.pendingBits -= 8;
      this.bytes[(this.length - this.pendingBits - 8) >> 3] = this.pending >>> this.pendingBits;
    }
    this.pending &= (1 << this.pendingBits) - 1;
  }

  /** Writes any partial byte, padded with zero bits, and returns the bytes used. */
  flush(): number {
    if (this.pendingBits > 0) {
      this.bytes[this.length >> 3] = this.pending << (8 - this.pendingBits);
      this.length += 8 - this.pendingBits;
      this.pending = 0;
      this.pendingBits = 0;
    }
    return this.length >> 3;
  }
}
