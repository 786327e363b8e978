import { kanjiCode } from '../../src/qr/kanji.js';
import { optimalSegments } from '../../src/qr/segmentation.js';
import { profileText, versionRange } from '../../src/qr/segments.js';
import { DATA_BITS, ECC_LEVELS, ECC_ORDINAL, type EccLevel } from '../../src/qr/tables.js';
import { seededRandom } from '../helpers/random.js';

export type PayloadKind = 'numeric' | 'alphanumeric' | 'ascii' | 'utf8' | 'kanji' | 'mixed';
export const PAYLOAD_KINDS: readonly PayloadKind[] = [
  'numeric',
  'alphanumeric',
  'ascii',
  'utf8',
  'kanji',
  'mixed',
];

export interface Payload {
  id: number;
  kind: PayloadKind;
  text: string;
  ecc: EccLevel;
  eci: boolean;
}

const DIGITS = [...'0123456789'];
const ALPHANUMERIC = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'];
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
const ASCII = [...PRINTABLE, '\n', '\t', '\r'];
/** ASCII that reads the same as Shift_JIS (no \ or ~), the company kanji mode keeps. */
const SJIS_SAFE_ASCII = PRINTABLE.filter((c) => c !== '\\' && c !== '~');
/** Beyond ASCII: Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, CJK, Hangul, emoji. */
const UNICODE = [
  ...'éèêëàâäôöûüçñßøåæœÉÀÇÑØÅ€£¥©®°±§¶µ¿¡«»–—“”‘’…•',
  ...'ΑΒΓΔΩαβγδλπσω',
  ...'АБВГДЖЗИКЛМНОПабвгджзиклмнопрстуфхцчшщъыьэюя',
  ...'אבגדהוזחטיכלמנסעפצקרשת',
  ...'ابتثجحخدذرزسشصضطظعغفقكلمنهوي',
  ...'अआइईउऊकखगघचछजझ',
  ...'กขฃคฅฆงจฉชซฌญ',
  ...'中文字汉语测试数据编码器简体繁體臺灣香港',
  ...'한국어글자테스트',
  '😀',
  '🎉',
  '👍🏽',
  '🇯🇵',
  '🚀',
  '𝄞',
  '𠀋',
  'e\u0301',
  '\u00a0',
  '\u200b',
];
/** Japanese that kanji mode can carry: kana, kanji and full-width punctuation of JIS X 0208. */
const JAPANESE = [
  ...'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん',
  ...'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンー',
  ...'日本語漢字東京大阪京都北海道沖縄東西南北春夏秋冬山川海空月火水木金土曜電話番号住所氏名会社',
  ...'、。「」『』・！？（）＃＆＠％＋＝：；',
].filter((c) => kanjiCode(c.charCodeAt(0)) !== 0);

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random list of characters (code points) of one kind, at least `length` long. */
function randomCharacters(kind: PayloadKind, random: () => number, length: number): string[] {
  const out: string[] = [];
  while (out.length < length) {
    switch (kind) {
      case 'numeric':
        out.push(pick(random, DIGITS));
        break;
      case 'alphanumeric':
        out.push(pick(random, ALPHANUMERIC));
        break;
      case 'ascii':
        out.push(pick(random, random() < 0.97 ? PRINTABLE : ASCII));
        break;
      case 'utf8':
        out.push(random() < 0.5 ? pick(random, PRINTABLE) : pick(random, UNICODE));
        break;
      case 'kanji':
        out.push(random() < 0.8 ? pick(random, JAPANESE) : pick(random, SJIS_SAFE_ASCII));
        break;
      case 'mixed': {
        // Runs of different kinds, as in URLs and labels: an upper-case prefix, digits, a lower-case tail.
        const runKind = pick(random, [
          'numeric',
          'alphanumeric',
          'ascii',
          'utf8',
          'kanji',
        ] as const);
        out.push(...randomCharacters(runKind, random, 1 + Math.floor(random() * 24)));
        break;
      }
    }
  }
  return out;
}

/** Whether the text fits `version` (or a smaller one) at the level, boostEcc aside. */
export function fitsVersion(text: string, version: number, ecc: EccLevel, eci: boolean): boolean {
  const plan = optimalSegments(profileText(text, eci), versionRange(version), eci);
  return plan.bits <= DATA_BITS[version * 4 + ECC_ORDINAL[ecc]]!;
}

/** The longest prefix (in characters) of `chars` that fits the version. */
function longestFittingPrefix(
  chars: string[],
  version: number,
  ecc: EccLevel,
  eci: boolean,
): number {
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (fitsVersion(chars.slice(0, mid).join(''), version, ecc, eci)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Payloads per version: many small symbols (what people scan), fewer large ones (slow to decode). */
export function payloadsForVersion(version: number): number {
  return version <= 10 ? 150 : version <= 20 ? 38 : version <= 30 ? 10 : 6;
}

/**
 * The round-trip corpus: for every version 1-40, payloads of each kind and ECC level,
 * sized to need about that version (a third of them fill it to the last character that
 * fits, the capacity edge).
 */
export function roundTripCorpus(seed = 18004): Payload[] {
  const random = seededRandom(seed);
  const payloads: Payload[] = [];
  for (let version = 1; version <= 40; version++) {
    for (let n = 0; n < payloadsForVersion(version); n++) {
      const kind = PAYLOAD_KINDS[(n + version) % PAYLOAD_KINDS.length]!;
      const ecc = ECC_LEVELS[n % 4]!;
      const eci = (kind === 'utf8' || kind === 'mixed') && random() < 0.35;
      // 3.3 bits per character is the densest any mode gets (numeric), so this is enough.
      const chars = randomCharacters(kind, random, Math.ceil(DATA_BITS[version * 4]! / 3.3) + 8);
      const longest = longestFittingPrefix(chars, version, ecc, eci);
      const previous = version === 1 ? 0 : longestFittingPrefix(chars, version - 1, ecc, eci);
      const length =
        random() < 0.33
          ? longest
          : previous + 1 + Math.floor(random() * Math.max(1, longest - previous));
      payloads.push({
        id: payloads.length,
        kind,
        text: chars.slice(0, Math.max(1, length)).join(''),
        ecc,
        eci,
      });
    }
  }
  return payloads;
}
