#define PCRE2_CODE_UNIT_WIDTH 8
#include "fields/regex.h"

#include <algorithm>

#include <pcre2.h>
#include <spdlog/spdlog.h>

#include <limits>
#include <stdexcept>

namespace pactum::extract::fields {
namespace {

constexpr size_t kUnset = std::numeric_limits<size_t>::max();

pcre2_code* Code(void* p) { return static_cast<pcre2_code*>(p); }

}  // namespace

bool Match::matched(int g) const {
  const size_t i = static_cast<size_t>(g) * 2;
  return i + 1 < offsets_.size() && offsets_[i] != kUnset;
}
std::string Match::str(int g) const {
  return matched(g) ? std::string(subject_.substr(position(g), length(g))) : std::string();
}
size_t Match::position(int g) const { return matched(g) ? offsets_[static_cast<size_t>(g) * 2] : 0; }
size_t Match::length(int g) const {
  return matched(g) ? offsets_[static_cast<size_t>(g) * 2 + 1] - offsets_[static_cast<size_t>(g) * 2] : 0;
}
std::string Match::prefix() const { return std::string(subject_.substr(0, position(0))); }
std::string Match::suffix() const { return std::string(subject_.substr(end(0))); }

namespace {

// pcre2_compile with the options, JIT-compiled where the platform has it
// (pcre2_match falls back to the interpreter by itself when JIT compilation
// is unavailable). REQUIRES: a valid pattern (else std::logic_error).
pcre2_code* Compile(const std::string& pattern, uint32_t options) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &err, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw std::logic_error("bad pattern at " + std::to_string(offset) + ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return code;
}

// Match data of this thread, reused from call to call (creating it cost a
// heap allocation per match); grown when a pattern has more groups.
pcre2_match_data* ThreadMatchData(size_t pairs) {
  struct Holder {
    pcre2_match_data* md = nullptr;
    size_t pairs = 0;
    ~Holder() { pcre2_match_data_free(md); }
  };
  thread_local Holder holder;
  if (holder.pairs < pairs) {
    pcre2_match_data_free(holder.md);
    holder.pairs = std::max<size_t>(pairs, 16);
    holder.md = pcre2_match_data_create(static_cast<uint32_t>(holder.pairs), nullptr);
    if (!holder.md) holder.pairs = 0;
  }
  return holder.md;
}

}  // namespace

Regex::Regex(const std::string& pattern, int flags) : pattern_(pattern) {
  // UCP: \d, \w, \s and [[:alpha:]] follow Unicode. MATCH_INVALID_UTF: text
  // with broken UTF-8 (from a damaged text layer) is matched, not refused.
  options_ = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (flags & kIgnoreCase) options_ |= PCRE2_CASELESS;
  code_ = Compile(pattern_, options_);
  uint32_t groups = 0;
  pcre2_pattern_info(Code(code_), PCRE2_INFO_CAPTURECOUNT, &groups);
  pairs_ = size_t{groups} + 1;
}

Regex::~Regex() {
  pcre2_code_free(Code(code_));
  pcre2_code_free(Code(anchored_.load()));
}

const void* Regex::Anchored() const {
  if (void* code = anchored_.load(std::memory_order_acquire)) return code;
  std::lock_guard<std::mutex> lock(anchored_mu_);
  if (void* code = anchored_.load(std::memory_order_relaxed)) return code;
  void* code = Compile(pattern_, options_ | PCRE2_ANCHORED | PCRE2_ENDANCHORED);
  anchored_.store(code, std::memory_order_release);
  return code;
}

bool Regex::Run(const void* code_in, std::string_view text, size_t start, unsigned options, Match* m) const {
  const pcre2_code* code = static_cast<const pcre2_code*>(code_in);
  pcre2_match_data* md = ThreadMatchData(pairs_);
  if (!md) return false;
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, options, md, nullptr);
  // A resource limit of the JIT (its stack, on very long lines) is not "no
  // match": run the interpreter, which keeps its backtracking on the heap.
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
    rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, options | PCRE2_NO_JIT, md,
                     nullptr);
  }
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    spdlog::warn("pattern match failed on a {}-byte text: {}", text.size(), reinterpret_cast<char*>(msg));
  }
  if (rc > 0 && m) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    m->subject_ = text;
    m->offsets_.assign(ov, ov + 2 * pairs_);
    for (auto& o : m->offsets_) {
      if (o == PCRE2_UNSET) o = kUnset;
    }
  }
  return rc > 0;
}

bool Regex::Search(std::string_view text, Match* m, size_t start) const { return Run(code_, text, start, 0, m); }

bool Regex::FullMatch(std::string_view text, Match* m) const { return Run(Anchored(), text, 0, 0, m); }

std::vector<Match> Regex::FindAll(std::string_view text) const {
  std::vector<Match> out;
  size_t start = 0;
  Match m;
  while (start <= text.size() && Run(code_, text, start, 0, &m)) {
    const size_t next = m.end(0) > m.position(0) ? m.end(0) : m.end(0) + 1;
    out.push_back(m);
    start = next;
  }
  return out;
}

std::string RegexEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}-/#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string RegexAlternation(std::vector<std::string> words, std::string_view space) {
  std::sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::string out;
  for (const auto& w : words) {
    if (w.empty()) continue;
    if (!out.empty()) out += '|';
    std::string e = RegexEscape(w);
    for (size_t p = e.find(' '); p != std::string::npos; p = e.find(' ', p + space.size())) e.replace(p, 1, space);
    out += e;
  }
  return out;
}

}  // namespace pactum::extract::fields
