// Repairs OCR confusions inside numbers and words (internal).
#pragma once

#include <string>

namespace pactum::extract::ocr {

// In a word that is a number (amount, date, percentage, ...), with letters
// the engine confuses with digits, replaces them: O/o -> 0, l/I/| -> 1 and
// S -> 5 (S only after a digit, never at the start: "§1" is often read "S1").
// A word counts as a number when, outside leading/trailing punctuation and
// currency signs, it holds only digits, separators (. , / - :) and such
// letters, at least one digit, and at least as many digits as letters unless
// a separator shows it is a number ("1O.OOO"). Returns true when it changed
// `word`.
bool RepairNumericWord(std::string* word);

// Repairs the engine's reading of "ü" as "ii" before "r" ("fiir" -> "für",
// "natiirlich" -> "natürlich"): the sequence "iir" occurs in no German or English
// word, so "iir" between letters becomes "ür". Returns true when it changed
// `word`.
bool RepairUmlautWord(std::string* word);

}  // namespace pactum::extract::ocr
