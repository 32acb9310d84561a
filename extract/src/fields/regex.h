// A small UTF-8 regular expression type over PCRE2 (Perl syntax, Unicode
// character classes, heap-based matching: no recursion depth tied to the
// input's length). Compiled patterns may be shared by threads; each thread
// reuses its own match data from call to call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::extract::fields {

class Match {
 public:
  bool matched(int group) const;
  std::string str(int group) const;          // "" when the group did not take part
  size_t position(int group) const;          // byte offset in the subject
  size_t length(int group) const;
  size_t end(int group) const { return position(group) + length(group); }
  std::string prefix() const;                // subject before the whole match
  std::string suffix() const;                // subject after the whole match

 private:
  friend class Regex;
  std::string_view subject_;
  std::vector<size_t> offsets_;              // pairs (begin, end); SIZE_MAX when unset
};

class Regex {
 public:
  enum Flags { kNone = 0, kIgnoreCase = 1 };
  // REQUIRES: `pattern` is a valid PCRE2 pattern (a programming error
  // otherwise: throws std::logic_error with PCRE2's message).
  explicit Regex(const std::string& pattern, int flags = kNone);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // First match at or after byte `start`.
  bool Search(std::string_view text, Match* m = nullptr, size_t start = 0) const;
  // The whole of `text` matches.
  bool FullMatch(std::string_view text, Match* m = nullptr) const;
  // Every non-overlapping match, left to right.
  std::vector<Match> FindAll(std::string_view text) const;

 private:
  bool Run(const void* code, std::string_view text, size_t start, unsigned options, Match* m) const;
  // The pattern compiled anchored at both ends, for FullMatch: PCRE2's JIT
  // takes no anchoring options at match time (it would run the interpreter),
  // only at compile time. Made on the first FullMatch.
  const void* Anchored() const;

  std::string pattern_;
  uint32_t options_ = 0;
  void* code_;                                  // pcre2_code_8
  mutable std::atomic<void*> anchored_{nullptr};  // pcre2_code_8, or null until made
  mutable std::mutex anchored_mu_;
  size_t pairs_ = 1;                            // capture groups + 1
};

// Pattern text that matches `s` literally.
std::string RegexEscape(std::string_view s);
// An alternation of `words` (language data: months, currencies, cues),
// longest first so that the longest matches, each escaped; a space in a word
// matches `space`. Empty when there are no words.
std::string RegexAlternation(std::vector<std::string> words, std::string_view space = "\\s+");

}  // namespace pactum::extract::fields
