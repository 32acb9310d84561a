// Language data: the words and phrases the extractors look for (legal forms,
// months, currencies, cue phrases, offices, ...), per language, as data.
//
// Source: extract/data/<lang>/<topic>.json, built into the binary and parsed
// once, on first use (well under a millisecond). Each file is a JSON object;
// a member is a list of strings or an object of string -> string (a table).
// A key names "topic.member", e.g. "parties.legal_forms". Every language
// defines the same keys (a test checks it): a new language is a new folder
// of data files plus its tests, no code.
//
// Thread-safe: the data is immutable once built.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/models/status.h"
#include "reading/embedded_files.h"

namespace pactum::extract {

using Table = std::vector<std::pair<std::string, std::string>>;

class LanguageData {
 public:
  // The data built into the binary. Aborts with a message if it does not
  // parse (a build defect, caught by the tests).
  static const LanguageData& Get();
  // Parses data files named "data/<lang>/<topic>.json" (others are ignored).
  static Result<LanguageData> Parse(const std::vector<EmbeddedFile>& files);

  // Languages with data ("de", "en"), sorted.
  std::vector<std::string> languages() const;
  // The keys one language defines, sorted.
  std::vector<std::string> keys(std::string_view lang) const;

  // The list `key` of one language; empty when it has none. With lang ""
  // (or unknown), the lists of all languages, joined in language order
  // without repeats.
  const std::vector<std::string>& List(std::string_view lang, std::string_view key) const;
  // A table `key` of one language (or "" for all), in key order (JSON objects
  // are read into sorted maps; for all languages, language by language).
  const Table& TableOf(std::string_view lang, std::string_view key) const;

 private:
  struct Entry {
    std::vector<std::string> list;
    Table table;
  };
  const Entry& Find(std::string_view lang, std::string_view key) const;

  std::map<std::string, std::map<std::string, Entry, std::less<>>, std::less<>> by_lang_;
  std::map<std::string, Entry, std::less<>> all_;  // the union, for lang ""
};

// A phrase found in a text: byte span [begin, end) and which phrase.
struct PhraseHit {
  size_t begin = 0, end = 0;
  std::string_view phrase;
};

// A list of phrases prepared for matching: lowered once, with one automaton
// (Aho-Corasick) that finds every phrase of the list in a single pass over a
// text, and a hash set of the phrases for whole-word lookups. The functions
// below give the same results for a PhraseSet as for the list it was made
// from; the built-in language data has one for every list, used whenever one
// of its lists is passed. Immutable once made; copies share the tables.
class PhraseSet {
 public:
  explicit PhraseSet(std::vector<std::string> phrases);
  const std::vector<std::string>& phrases() const;

  struct Tables;  // defined in language_data.cc
  const Tables& tables() const { return *tables_; }

 private:
  std::shared_ptr<const Tables> tables_;
};

// The leftmost (then longest) phrase of `phrases` that occurs in `text` at
// word boundaries (the characters around it are not letters, digits or
// combining marks of any script: spaces, punctuation, quotes such as
// “ ” ‘ ’ „ « », dashes and symbols are boundaries), comparing
// case-insensitively (ASCII and German letters). nullopt if none.
std::optional<PhraseHit> FindPhrase(std::string_view text, const std::vector<std::string>& phrases,
                                    size_t from = 0);
std::optional<PhraseHit> FindPhrase(std::string_view text, const PhraseSet& phrases, size_t from = 0);
// Every phrase of `phrases` in `text`, left to right, not overlapping (at
// each place the longest), matched as FindPhrase does.
std::vector<PhraseHit> FindAllPhrases(std::string_view text, const std::vector<std::string>& phrases);
std::vector<PhraseHit> FindAllPhrases(std::string_view text, const PhraseSet& phrases);
// True when `word` is one of `list`, compared case-insensitively (ASCII and
// German letters) as a whole.
bool HasWord(const std::vector<std::string>& list, std::string_view word);
bool HasWord(const PhraseSet& list, std::string_view word);
// True when one of `phrases` occurs anywhere in `text`, compared
// case-insensitively (ASCII and German letters), word boundaries or not: a
// quick test before slower matching (a superset of exact-case occurrence).
bool ContainsPhrase(std::string_view text, const PhraseSet& phrases);
// True if `text` starts with one of `phrases` (case-insensitive, word boundary after).
std::optional<PhraseHit> StartsWithPhrase(std::string_view text, const std::vector<std::string>& phrases);
std::optional<PhraseHit> StartsWithPhrase(std::string_view text, const PhraseSet& phrases);

}  // namespace pactum::extract
