/**
 * Characters that look like Latin letters or digits, mapped to the Latin letter they imitate (a subset of the
 * Unicode confusables data: Cyrillic, Greek, Armenian and a few symbols that phishers use). Fullwidth and
 * mathematical letters are folded by NFKC before this map is used; accents by NFD.
 */
export const CONFUSABLES: Record<string, string> = {
  // Cyrillic lower
  'а': 'a', 'в': 'b', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'ӏ': 'l',
  'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'г': 'r', 'ѕ': 's', 'т': 't', 'ц': 'u', 'ѵ': 'v', 'ԝ': 'w',
  'х': 'x', 'у': 'y', 'ү': 'y', 'ɡ': 'g', 'ԍ': 'g', 'ь': 'b', 'п': 'n', 'ѡ': 'w', 'ꙇ': 'i', 'ᴦ': 'r',
  // Cyrillic upper
  'А': 'a', 'В': 'b', 'С': 'c', 'Е': 'e', 'Ё': 'e', 'Н': 'h', 'І': 'i', 'Ї': 'i', 'Ј': 'j', 'К': 'k', 'М': 'm',
  'О': 'o', 'Р': 'p', 'Ѕ': 's', 'Т': 't', 'Х': 'x', 'У': 'y', 'Ү': 'y', 'Ԁ': 'd', 'Ԍ': 'g', 'Ԛ': 'q', 'Ԝ': 'w',
  'Ӏ': 'l', 'Ь': 'b',
  // Greek
  'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
  'χ': 'x', 'γ': 'y', 'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
  'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'Ρ': 'p',
  'Τ': 't', 'Υ': 'y', 'Χ': 'x', 'Ϲ': 'c',
  // Armenian and others
  'օ': 'o', 'ս': 'u', 'ց': 'g', 'հ': 'h', 'ո': 'n', 'զ': 'q', 'ա': 'w', 'ɑ': 'a', 'ɩ': 'i', 'ı': 'i', 'ȷ': 'j',
  'ʟ': 'l', 'ɴ': 'n', 'ʀ': 'r', 'ꜱ': 's', 'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ɢ': 'g', 'ʜ': 'h',
  'ᴊ': 'j', 'ᴋ': 'k', 'ᴍ': 'm', 'ᴏ': 'o', 'ᴘ': 'p', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
  'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŀ': 'l', 'ƅ': 'b', 'ɗ': 'd', 'ƙ': 'k', 'ʋ': 'v',
};

/** Look-alike sequences inside ASCII labels (homoglyph swaps), applied to build a "skeleton". */
export const ASCII_HOMOGLYPHS: Array<[string, string]> = [
  ['rn', 'm'], ['vv', 'w'], ['cl', 'd'], ['0', 'o'], ['1', 'l'], ['3', 'e'], ['5', 's'], ['4', 'a'], ['7', 't'],
  ['8', 'b'], ['9', 'g'], ['!', 'i'], ['|', 'l'], ['i', 'l'],
];

/** QWERTY/AZERTY neighbours: a one-letter substitution by a neighbouring key is a typo-squat. */
export const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'];
