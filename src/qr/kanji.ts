/**
 * Shift_JIS codes of the JIS X 0208 characters that kanji mode can carry (ISO/IEC
 * 18004:2015, 7.4.6: double-byte codes 0x8140-0x9FFC and 0xE040-0xEBBF).
 *
 * The table is derived once, lazily, from the WHATWG Shift_JIS decoder built into Node
 * (full ICU), so no mapping data ships with the package. That decoder follows Windows
 * code page 932, which adds characters to JIS X 0208 and maps seven of its codes to
 * different Unicode characters than JIS X 0208 itself does. Decoders disagree on those,
 * so they are left out, and such characters are encoded in byte mode instead:
 * - lead byte 0x87 (NEC special characters, row 13): not JIS X 0208;
 * - 0x815F 0x8160 0x8161 0x817C 0x8191 0x8192 0x81CA: ＼ ～ ∥ － ￠ ￡ ￢ in CP932, but
 *   \ 〜 ‖ − ¢ £ ¬ in JIS X 0208.
 */

const AMBIGUOUS_CODES = new Set([0x815f, 0x8160, 0x8161, 0x817c, 0x8191, 0x8192, 0x81ca]);

let sjisByCodeUnit: Uint16Array | undefined;

function buildTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  const codes: number[] = [];
  for (let lead = 0x81; lead <= 0xeb; lead++) {
    if ((lead > 0x9f && lead < 0xe0) || lead === 0x87) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      const code = (lead << 8) | trail;
      if (code > 0xebbf || AMBIGUOUS_CODES.has(code)) continue;
      codes.push(code);
    }
  }
  // One decode call for all codes: each pair is followed by a newline so the output splits
  // back into one entry per code (an unmapped pair yields U+FFFD, maybe plus its trail byte).
  const bytes = new Uint8Array(codes.length * 3);
  codes.forEach((code, i) => {
    bytes[i * 3] = code >> 8;
    bytes[i * 3 + 1] = code & 0xff;
    bytes[i * 3 + 2] = 0x0a;
  });
  const decoded = new TextDecoder('shift_jis').decode(bytes).split('\n');
  codes.forEach((code, i) => {
    const text = decoded[i]!;
    if (text.length !== 1 || text === '\ufffd') return;
    const unit = text.charCodeAt(0);
    if (table[unit] === 0) table[unit] = code;
  });
  return table;
}

/** The Shift_JIS code of a UTF-16 code unit when kanji mode can encode it, else 0. */
export function kanjiCode(codeUnit: number): number {
  // Every JIS X 0208 character lies above U+00A6; skipping ASCII keeps the table unbuilt for it.
  if (codeUnit < 0xa7) return 0;
  sjisByCodeUnit ??= buildTable();
  return sjisByCodeUnit[codeUnit]!;
}

/** The 13-bit kanji-mode value of a Shift_JIS code (7.4.6). */
export function kanjiValue(sjis: number): number {
  const offset = sjis - (sjis <= 0x9ffc ? 0x8140 : 0xc140);
  return (offset >> 8) * 0xc0 + (offset & 0xff);
}
