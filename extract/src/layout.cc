// Lines, blocks and reading order from words with boxes; what a page's text
// layer is worth (at the end of the file).
//
// 1. Rows: words whose vertical centres lie within half a word height of a
//    row's centre belong to that row.
// 2. Fragments: a row is cut where the horizontal gap between two words is
//    much wider than any inter-word space (side-by-side columns, such as two
//    signature blocks with a place/date line each).
// 3. Blocks: a fragment continues the block directly above it when the
//    vertical gap is at most about one line and their x-ranges overlap.
// 4. Reading order: blocks are grouped into bands of vertically overlapping
//    blocks; bands run top to bottom, blocks within a band left to right.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "pactum/extract/page_image.h"
#include "pactum/extract/page_text.h"
#include "utf8.h"

namespace pactum::extract {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct Fragment {
  std::vector<int> words;
  Box box;
};

bool XOverlap(const Box& a, const Box& b) { return a.x0 < b.x1 && b.x0 < a.x1; }

double YOverlap(const Box& a, const Box& b) { return std::min(a.y1, b.y1) - std::max(a.y0, b.y0); }

}  // namespace

void BuildLayout(PageText* page) {
  page->lines.clear();
  page->blocks.clear();
  const auto& words = page->words;
  if (words.empty()) return;
  // Line::words and Block::lines hold int indices. Fragments, blocks and
  // lines are never more than the words, so this one bound keeps every index
  // below in range of an int (no page comes near it: the words alone would
  // take hundreds of gigabytes).
  if (words.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return;
  // Word indices are the page model's ints, 0 <= i < words.size().
  auto word = [&](int i) -> const Word& { return words[static_cast<size_t>(i)]; };

  std::vector<double> heights;
  for (const auto& w : words) heights.push_back(w.box.height());
  const double h = std::max(1.0, Median(heights));

  // 1. Rows.
  std::vector<int> order(words.size());
  std::iota(order.begin(), order.end(), 0);
  auto cy = [&](int i) { return (word(i).box.y0 + word(i).box.y1) / 2; };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cy(a) < cy(b); });
  std::vector<std::vector<int>> rows;
  std::vector<double> row_cy;
  for (int i : order) {
    if (!rows.empty() && std::abs(cy(i) - row_cy.back()) <= 0.5 * std::max(h, word(i).box.height() * 0.8)) {
      rows.back().push_back(i);
      const double n = static_cast<double>(rows.back().size());
      row_cy.back() += (cy(i) - row_cy.back()) / n;
    } else {
      rows.push_back({i});
      row_cy.push_back(cy(i));
    }
  }

  // 2. Fragments. A gap cuts a row when it is wide in absolute terms and an
  // outlier among the row's gaps (a justified line spreads its spaces evenly,
  // two columns leave one gap far wider than the rest), or when it is wider
  // than any space of running text.
  std::vector<Fragment> frags;
  const double gap_floor = std::max(3.0 * h, 28.0);
  for (auto& row : rows) {
    std::sort(row.begin(), row.end(), [&](int a, int b) { return word(a).box.x0 < word(b).box.x0; });
    std::vector<double> gaps;
    for (size_t k = 1; k < row.size(); ++k) gaps.push_back(word(row[k]).box.x0 - word(row[k - 1]).box.x1);
    // The median of the row's other gaps, for each gap, from one sorted copy:
    // removing an element below the middle shifts the median up by one place.
    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    auto median_of_others = [&](double g) {
      const size_t n = sorted.size() - 1;  // size without g
      const size_t mid = n / 2;
      const size_t pos = static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), g) - sorted.begin());
      return pos > mid ? sorted[mid] : sorted[mid + 1];
    };
    Fragment cur;
    for (size_t k = 0; k < row.size(); ++k) {
      const int i = row[k];
      if (k > 0) {
        const double g = gaps[k - 1];
        const bool outlier = sorted.size() < 2 || g > 2.5 * std::max(median_of_others(g), 0.3 * h);
        // Far wider than any justified space: three or more columns whose
        // gaps are all alike ("Oberbürgermeisterin  Landrat  Präsident").
        const bool column_gap = g > std::max(6.0 * h, 60.0);
        if ((g > gap_floor && outlier) || column_gap) {
          frags.push_back(std::move(cur));
          cur = {};
        }
      }
      cur.box = cur.words.empty() ? word(i).box : cur.box.Union(word(i).box);
      cur.words.push_back(i);
    }
    if (!cur.words.empty()) frags.push_back(std::move(cur));
  }

  // 3. Blocks: fragments are in top-to-bottom order; attach each to the
  // nearest open block above it in the same column.
  struct OpenBlock {
    std::vector<size_t> frags;
    Box box;
    Box last;  // box of its last fragment
  };
  std::vector<OpenBlock> blocks;
  std::vector<size_t> open;  // blocks whose last line may still be continued
  for (size_t f = 0; f < frags.size(); ++f) {
    const Box& fb = frags[f].box;
    // Blocks that ended more than a line above can take no more lines: drop
    // them, so that each fragment looks at a handful of columns only.
    std::erase_if(open, [&](size_t b) { return fb.y0 - blocks[b].last.y1 > 1.1 * h; });
    std::optional<size_t> best;
    double best_gap = 1e9;
    for (size_t b : open) {
      const Box& last = blocks[b].last;
      const double gap = fb.y0 - last.y1;
      if (gap < -0.5 * h || gap > 1.1 * h) continue;
      if (!XOverlap(fb, last) && !XOverlap(fb, blocks[b].box)) continue;
      // A fragment beside another fragment of the same row is a new column.
      if (YOverlap(fb, last) > 0.3 * h) continue;
      if (gap < best_gap) {
        best_gap = gap;
        best = b;
      }
    }
    if (!best) {
      open.push_back(blocks.size());
      blocks.push_back({{f}, fb, fb});
    } else {
      OpenBlock& into = blocks[*best];
      into.frags.push_back(f);
      into.box = into.box.Union(fb);
      into.last = fb;
    }
  }

  // 4. Bands of vertically overlapping blocks, then left to right.
  std::vector<size_t> border(blocks.size());
  std::iota(border.begin(), border.end(), size_t{0});
  std::sort(border.begin(), border.end(), [&](size_t a, size_t b) { return blocks[a].box.y0 < blocks[b].box.y0; });
  std::vector<std::vector<size_t>> bands;
  double band_bottom = -1e9;
  for (size_t b : border) {
    if (bands.empty() || blocks[b].box.y0 >= band_bottom - 0.25 * h) {
      bands.push_back({b});
      band_bottom = blocks[b].box.y1;
    } else {
      bands.back().push_back(b);
      band_bottom = std::max(band_bottom, blocks[b].box.y1);
    }
  }
  for (auto& band : bands) {
    std::stable_sort(band.begin(), band.end(), [&](size_t a, size_t b) {
      if (XOverlap(blocks[a].box, blocks[b].box)) return blocks[a].box.y0 < blocks[b].box.y0;
      return blocks[a].box.x0 < blocks[b].box.x0;
    });
    for (size_t b : band) {
      Block block;
      block.box = blocks[b].box;
      for (size_t f : blocks[b].frags) {
        Line line;
        line.words = frags[f].words;
        line.box = frags[f].box;
        for (size_t k = 0; k < line.words.size(); ++k) {
          const Word& w = word(line.words[k]);
          if (k > 0) {
            const Word& prev = word(line.words[k - 1]);
            const bool glued = !prev.space_after && w.box.x0 - prev.box.x1 < 0.15 * h;
            if (!glued) line.text += ' ';
          }
          line.text += w.text;
        }
        block.lines.push_back(static_cast<int>(page->lines.size()));  // < words.size(): bounded above
        page->lines.push_back(std::move(line));
      }
      page->blocks.push_back(std::move(block));
    }
  }
}

// ---- What a page's text layer is worth ---------------------------------------
//
// Judged from the characters alone, by Unicode general category (utf8proc),
// never by what the text says:
//  * characters that stand for no known glyph: private use (a font whose
//    codes map nowhere, or a symbol font), U+FFFD, unassigned code points,
//    controls;
//  * letter statistics: vowels are a steady share of the letters of running
//    text in any Latin-script language, and letters come in words;
//  * glyph soup: words that mix scripts, flip case again and again or carry
//    symbols inside; punctuation of many kinds inside words.
// Punctuation and symbols alone are neither text nor garbage: rules to fill in
// ("_____"), dot leaders, table rules ("|", "----", "===="), bullets and
// redaction marks ("[***]") are what the page shows, and OCR would read the
// same marks again. Digits are text: a table of amounts is a real text layer.

namespace {

// Thresholds. The letter statistics are the only language data: they hold for
// the Latin-script languages pactum reads (English, German) and their
// neighbours, and count only long words, as tables are full of short codes and
// abbreviations ("PWM-5700-SH", "0.2MW", "TBD") and long words are where a
// font's wrong letters show.
constexpr size_t kMinUnknown = 3;            // unknown characters before their share counts
constexpr double kMaxUnknownShare = 0.2;     // of letters, digits and unknown characters
constexpr size_t kLongWord = 5;              // Latin letters in a long word
constexpr size_t kMinLettersForStats = 150;  // letters of long words before the vowel share counts
// Vowels (a e i o u y, accented or not, æ œ ø) are 35-45 % of the letters of
// long words in English or German running text, and 31-48 % on every page of
// English and German contracts, tables and lists included. Letters drawn at
// random give about 23 %, a font whose codes are shifted by a few places
// 18-24 %; one that maps most glyphs to vowels gives far more than 60 %.
constexpr double kMinVowelShare = 0.27;
constexpr double kMaxVowelShare = 0.6;
// A long word without a vowel is rare in those languages (at most 6 % of the
// long words of a page: acronyms), common in letters that are not the page's
// (from 15 % in shifted letters to all of them in consonant strings).
constexpr double kMaxVowellessShare = 0.15;
constexpr size_t kMinWordsForShape = 20;  // words, or long words, before their shape counts
// Odd words (see AddWord) are at most 8 % of a real page's words (Latin text
// glued to Chinese in one word); in glyph soup most words are.
constexpr double kMaxOddWordShare = 0.2;
// Punctuation and symbols inside words, half as many as the letters and
// digits and of this many kinds: a font mapped onto ASCII punctuation and
// digits ('!"#$%&...'), 18 kinds and more. Real pages heavy with punctuation
// (amounts, dot leaders, references, "(a)(i)") use at most 10 kinds.
constexpr size_t kSoupSymbols = 14;
// Below this many letters and digits a real text layer may still not be all
// the page shows (a scanned page with a typed footer): the page is kSparse,
// and the caller looks at the rendered page (CountUnreadGlyphs).
constexpr size_t kSparseGlyphs = 200;

enum class CharClass { kLetter, kMark, kDigit, kPunct, kSymbol, kSpace, kIgnorable, kUnknown };

CharClass Classify(utf8proc_int32_t c) {
  // U+FFFD is a symbol to Unicode, but it stands for a code no one could map;
  // noncharacters are never text.
  if (c == 0xFFFD || (c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF)) return CharClass::kUnknown;
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return CharClass::kLetter;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return CharClass::kMark;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return CharClass::kDigit;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: return CharClass::kPunct;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO: return CharClass::kSymbol;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return CharClass::kSpace;
    case UTF8PROC_CATEGORY_CF: return CharClass::kIgnorable;  // bidi marks, word joiners
    case UTF8PROC_CATEGORY_CN:  // unassigned
    case UTF8PROC_CATEGORY_CC:  // control
    case UTF8PROC_CATEGORY_CS:  // surrogate
    case UTF8PROC_CATEGORY_CO:  // private use
      return CharClass::kUnknown;
  }
  return CharClass::kUnknown;
}

// Scripts a word's letters may come from; a real word keeps to one.
enum Script : unsigned { kLatin = 1, kGreek = 2, kCyrillic = 4, kCjk = 8, kOtherScript = 16 };

unsigned ScriptOf(utf8proc_int32_t c) {
  if (c < 0x250 || (c >= 0x1E00 && c < 0x1F00) || (c >= 0xFF21 && c <= 0xFF5A)) return kLatin;
  if ((c >= 0x370 && c < 0x400) || (c >= 0x1F00 && c < 0x2000)) return kGreek;
  if (c >= 0x400 && c < 0x530) return kCyrillic;
  if ((c >= 0x2E80 && c < 0xA000) || (c >= 0xAC00 && c < 0xD7B0) || (c >= 0xF900 && c < 0xFB00)) return kCjk;
  return kOtherScript;
}

// A Latin letter whose base letter (accents removed) is a vowel.
bool IsLatinVowel(utf8proc_int32_t c) {
  utf8proc_int32_t parts[4];
  const utf8proc_ssize_t n = utf8proc_decompose_char(c, parts, 4, UTF8PROC_DECOMPOSE, nullptr);
  const utf8proc_int32_t base = utf8proc_tolower(n >= 1 && n <= 4 ? parts[0] : c);
  switch (base) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0xE6:   // æ
    case 0xF8:   // ø
    case 0x153:  // œ
      return true;
    default: return false;
  }
}

struct LayerStats {
  size_t letters = 0;  // letters and combining marks
  size_t digits = 0;
  size_t marks = 0;    // punctuation and symbols
  size_t unknown = 0;  // characters that map to no known glyph
  size_t words = 0;      // words with a letter or digit
  size_t odd_words = 0;  // ... whose shape no real word has (see AddWord)
  // Punctuation and symbols in words with a letter or digit, and how many
  // different ones.
  size_t attached_marks = 0;
  std::vector<utf8proc_int32_t> attached_set;
  // Long words: kLongWord or more Latin letters and no digit; their letters,
  // vowels, and those without a vowel.
  size_t long_words = 0, long_word_letters = 0, long_word_vowels = 0, vowelless_long_words = 0;
  size_t invisible_words = 0;
};

// What AddWord asks of a character, looked up in a table made once from the
// same functions for ASCII (nearly all text), asked of utf8proc otherwise.
struct CharFacts {
  CharClass cls = CharClass::kUnknown;
  bool vowel = false, upper = false, lower = false, currency = false;
};

CharFacts FactsOf(utf8proc_int32_t c) {
  CharFacts f;
  f.cls = Classify(c);
  f.vowel = IsLatinVowel(c);
  f.upper = utf8proc_isupper(c);
  f.lower = utf8proc_islower(c);
  f.currency = utf8proc_category(c) == UTF8PROC_CATEGORY_SC;
  return f;
}

const CharFacts& AsciiFacts(utf8proc_int32_t c) {
  static const std::array<CharFacts, 128> kTable = [] {
    std::array<CharFacts, 128> t;
    for (utf8proc_int32_t k = 0; k < 128; ++k) t[static_cast<size_t>(k)] = FactsOf(k);
    return t;
  }();
  return kTable[static_cast<size_t>(c)];
}

bool IsAscii(utf8proc_int32_t c) { return c >= 0 && c < 128; }
CharClass ClassOf(utf8proc_int32_t c) { return IsAscii(c) ? AsciiFacts(c).cls : Classify(c); }
bool VowelOf(utf8proc_int32_t c) { return IsAscii(c) ? AsciiFacts(c).vowel : IsLatinVowel(c); }
bool UpperOf(utf8proc_int32_t c) { return IsAscii(c) ? AsciiFacts(c).upper : utf8proc_isupper(c); }
bool LowerOf(utf8proc_int32_t c) { return IsAscii(c) ? AsciiFacts(c).lower : utf8proc_islower(c); }
bool CurrencyOf(utf8proc_int32_t c) {
  return IsAscii(c) ? AsciiFacts(c).currency : utf8proc_category(c) == UTF8PROC_CATEGORY_SC;
}

// Adds one word to `s`. A word is odd when its core (from its first to its
// last letter or digit) holds an unknown character, mixes letters of two
// scripts, turns from lower to upper case twice ("McDonald", "iPhone" and
// "GmbH" turn once), alternates letters and digits five times or more (part
// numbers such as "AB12CD34" alternate four times), or carries a maths,
// modifier or other symbol inside (currency signs, dashes, slashes, dots,
// brackets and quotes are ordinary inside words: "US$5", "d/b/a", "2(b)").
// `cps` and `cls` are scratch space, reused from word to word.
void AddWord(const std::string& text, LayerStats* s, std::vector<utf8proc_int32_t>& cps, std::vector<CharClass>& cls) {
  cps.clear();
  cls.clear();
  size_t first = std::string::npos, last = 0;
  for (size_t i = 0; i < text.size();) {
    const utf8proc_int32_t c = utf8::Next(text, &i);
    const CharClass k = ClassOf(c);
    switch (k) {
      case CharClass::kLetter:
      case CharClass::kMark: ++s->letters; break;
      case CharClass::kDigit: ++s->digits; break;
      case CharClass::kPunct:
      case CharClass::kSymbol: ++s->marks; break;
      case CharClass::kUnknown: ++s->unknown; break;
      case CharClass::kSpace:
      case CharClass::kIgnorable: break;
    }
    if (k == CharClass::kLetter || k == CharClass::kDigit || k == CharClass::kUnknown) {
      if (first == std::string::npos) first = cps.size();
      last = cps.size();
    }
    cps.push_back(c);
    cls.push_back(k);
  }
  if (first == std::string::npos) return;  // punctuation and symbols only: rules, leaders, redactions
  ++s->words;
  for (size_t k = 0; k < cps.size(); ++k) {
    if (cls[k] == CharClass::kPunct || cls[k] == CharClass::kSymbol) {
      ++s->attached_marks;
      s->attached_set.push_back(cps[k]);
    }
  }
  unsigned scripts = 0;
  int case_turns = 0, runs = 0;
  size_t latin = 0, vowels = 0;
  bool odd = false, prev_lower = false, has_digit = false;
  CharClass prev_run = CharClass::kSpace;
  for (size_t k = first; k <= last; ++k) {
    const utf8proc_int32_t c = cps[k];
    switch (cls[k]) {
      case CharClass::kLetter:
        scripts |= ScriptOf(c);
        if (ScriptOf(c) == kLatin) {
          ++latin;
          vowels += VowelOf(c);
        }
        if (prev_lower && UpperOf(c)) ++case_turns;
        prev_lower = LowerOf(c);
        break;
      case CharClass::kDigit: has_digit = true; break;
      case CharClass::kSymbol: odd |= !CurrencyOf(c); break;
      case CharClass::kUnknown: odd = true; break;
      default: break;
    }
    if ((cls[k] == CharClass::kLetter || cls[k] == CharClass::kDigit) && cls[k] != prev_run) {
      ++runs;
      prev_run = cls[k];
    }
  }
  odd |= (scripts & (scripts - 1)) != 0 || case_turns >= 2 || runs >= 5;
  s->odd_words += odd;
  if (!odd && !has_digit && latin >= kLongWord) {
    ++s->long_words;
    s->long_word_letters += latin;
    s->long_word_vowels += vowels;
    s->vowelless_long_words += vowels == 0;
  }
}

LayerStats Measure(const PageText& page) {
  LayerStats s;
  std::vector<utf8proc_int32_t> cps;
  std::vector<CharClass> cls;
  for (const Word& w : page.words) {
    s.invisible_words += w.invisible;
    AddWord(w.text, &s, cps, cls);
  }
  std::sort(s.attached_set.begin(), s.attached_set.end());
  s.attached_set.erase(std::unique(s.attached_set.begin(), s.attached_set.end()), s.attached_set.end());
  return s;
}

std::string Percent(double share) { return std::to_string(std::lround(100 * share)) + " %"; }

}  // namespace

TextLayerQuality JudgeTextLayer(const PageText& page, std::string* reason) {
  auto verdict = [&](TextLayerQuality q, std::string why) {
    if (reason) *reason = std::move(why);
    return q;
  };
  const LayerStats s = Measure(page);
  const size_t glyphs = s.letters + s.digits + s.unknown;
  if (glyphs + s.marks == 0) return verdict(TextLayerQuality::kNone, "no-text-layer");
  if (static_cast<double>(s.invisible_words) > 0.9 * static_cast<double>(page.words.size())) {
    return verdict(TextLayerQuality::kInvisible, "invisible-text-layer");
  }
  auto share = [](size_t part, size_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  };
  if (s.unknown >= kMinUnknown && share(s.unknown, glyphs) >= kMaxUnknownShare) {
    return verdict(TextLayerQuality::kGarbage, "garbage-text-layer: " + Percent(share(s.unknown, glyphs)) +
                                                   " of the characters map to no letter (private use, U+FFFD)");
  }
  if (s.long_word_letters >= kMinLettersForStats) {
    const double vowels = share(s.long_word_vowels, s.long_word_letters);
    if (vowels < kMinVowelShare || vowels > kMaxVowelShare) {
      return verdict(TextLayerQuality::kGarbage,
                     "garbage-text-layer: implausible letters (" + Percent(vowels) + " vowels)");
    }
  }
  if (s.long_words >= kMinWordsForShape && share(s.vowelless_long_words, s.long_words) > kMaxVowellessShare) {
    return verdict(TextLayerQuality::kGarbage, "garbage-text-layer: " +
                                                   Percent(share(s.vowelless_long_words, s.long_words)) +
                                                   " of the words have no vowel");
  }
  if (s.words >= kMinWordsForShape && share(s.odd_words, s.words) > kMaxOddWordShare) {
    return verdict(TextLayerQuality::kGarbage,
                   "garbage-text-layer: glyph soup (" + Percent(share(s.odd_words, s.words)) + " of the words)");
  }
  if (s.attached_set.size() >= kSoupSymbols && s.attached_marks * 2 >= s.letters + s.digits) {
    return verdict(TextLayerQuality::kGarbage, "garbage-text-layer: symbol soup (" +
                                                   std::to_string(s.attached_set.size()) +
                                                   " different symbols among the letters)");
  }
  if (s.letters + s.digits < kSparseGlyphs) return verdict(TextLayerQuality::kSparse, "sparse-text-layer");
  return verdict(TextLayerQuality::kText, "text-layer");
}

bool HasUsableTextLayer(const PageText& page, std::string* reason) {
  const TextLayerQuality q = JudgeTextLayer(page, reason);
  return q == TextLayerQuality::kText || q == TextLayerQuality::kSparse;
}

// ---- Marks on the rendered page that the text layer does not hold ------------
//
// Ink outside every word box, cut into 8-connected marks; a mark of the size
// of a letter or a word counts. Rules, borders and table grids are marks far
// wider or taller than that and do not count, nor do pictures (one large
// mark) or dust. What a born-digital page leaves is a drawn signature, a
// logo, a stamp: a handful of marks. A scanned page, or a table or signature
// block pasted as a picture, leaves a hundred and more.

namespace {

constexpr int kInkLevel = 160;                 // grey levels below are ink
constexpr double kMinMarkInches = 0.04;        // lower marks are dots and dust
constexpr double kMaxMarkHeightInches = 0.35;  // a capital of 25-point type
constexpr double kMaxMarkWidthInches = 2.0;    // a long word

}  // namespace

int CountUnreadGlyphs(const PageText& page, const PageImage& image) { return FindUnreadMarks(page, image).count; }

UnreadMarks FindUnreadMarks(const PageText& page, const PageImage& image) {
  UnreadMarks out;
  if (image.width <= 0 || image.height <= 0 || image.dpi_x <= 0 || image.dpi_y <= 0) return out;
  const size_t w = static_cast<size_t>(image.width), h = static_cast<size_t>(image.height);
  if (image.gray.size() < w * h) return out;
  std::vector<std::uint8_t> ink(w * h);
  for (size_t i = 0; i < w * h; ++i) ink[i] = image.gray[i] < kInkLevel ? 1 : 0;

  // 1. What the text layer holds: every word's box, with a pixel to spare.
  const double dpi_x = image.dpi_x, dpi_y = image.dpi_y;
  const double sx = dpi_x / 72.0, sy = dpi_y / 72.0;
  auto to_px = [](double v, size_t limit) {
    return static_cast<size_t>(std::clamp(v, 0.0, static_cast<double>(limit)));
  };
  for (const Word& word : page.words) {
    const size_t x0 = to_px(std::floor(word.box.x0 * sx) - 1, w), x1 = to_px(std::ceil(word.box.x1 * sx) + 1, w);
    const size_t y0 = to_px(std::floor(word.box.y0 * sy) - 1, h), y1 = to_px(std::ceil(word.box.y1 * sy) + 1, h);
    if (x1 <= x0 || y1 <= y0) continue;
    for (size_t y = y0; y < y1; ++y) std::fill(ink.begin() + static_cast<long>(y * w + x0),
                                               ink.begin() + static_cast<long>(y * w + x1), std::uint8_t{0});
  }

  // 2. Marks of a glyph's or a word's size.
  const double min_h = kMinMarkInches * dpi_y, max_h = kMaxMarkHeightInches * dpi_y;
  const double max_w = kMaxMarkWidthInches * dpi_x;
  size_t box_x0 = w, box_x1 = 0, box_y0 = h, box_y1 = 0;
  std::vector<size_t> stack;
  const std::uint8_t* const data = ink.data();
  for (size_t start = 0; start < w * h; ++start) {
    // To the next ink pixel (most of a glanced page is paper).
    const void* next = std::memchr(data + start, 1, w * h - start);
    if (next == nullptr) break;
    start = static_cast<size_t>(static_cast<const std::uint8_t*>(next) - data);
    ink[start] = 0;
    stack.assign(1, start);
    size_t x_lo = w, x_hi = 0, y_lo = h, y_hi = 0;
    while (!stack.empty()) {
      const size_t i = stack.back();
      stack.pop_back();
      const size_t x = i % w, y = i / w;
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
      for (size_t ny = y > 0 ? y - 1 : 0; ny <= std::min(y + 1, h - 1); ++ny) {
        for (size_t nx = x > 0 ? x - 1 : 0; nx <= std::min(x + 1, w - 1); ++nx) {
          const size_t j = ny * w + nx;
          if (ink[j]) {
            ink[j] = 0;
            stack.push_back(j);
          }
        }
      }
    }
    const auto mark_h = static_cast<double>(y_hi - y_lo + 1), mark_w = static_cast<double>(x_hi - x_lo + 1);
    if (mark_h >= min_h && mark_h <= max_h && mark_w <= max_w) {
      ++out.count;
      box_x0 = std::min(box_x0, x_lo), box_x1 = std::max(box_x1, x_hi + 1);
      box_y0 = std::min(box_y0, y_lo), box_y1 = std::max(box_y1, y_hi + 1);
    }
  }
  if (out.count > 0) {
    out.box = Box{static_cast<double>(box_x0) / sx, static_cast<double>(box_y0) / sy,
                  static_cast<double>(box_x1) / sx, static_cast<double>(box_y1) / sy};
  }
  return out;
}

}  // namespace pactum::extract
