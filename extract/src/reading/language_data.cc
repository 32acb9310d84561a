#include "reading/language_data.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <unordered_map>
#include <cstdio>
#include <cstdlib>

#include "fields/common.h"

namespace pactum::extract {
namespace {

// "data/en/parties.json" -> {"en", "parties"}; nullopt for other names.
std::optional<std::pair<std::string, std::string>> LangAndTopic(std::string_view name) {
  constexpr std::string_view kPrefix = "data/", kSuffix = ".json";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() <= kPrefix.size() + kSuffix.size() ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  name = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos || slash == 0 || name.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{std::string(name.substr(0, slash)), std::string(name.substr(slash + 1))};
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

}  // namespace

Result<LanguageData> LanguageData::Parse(const std::vector<EmbeddedFile>& files) {
  LanguageData data;
  for (const auto& file : files) {
    const auto lt = LangAndTopic(file.name);
    if (!lt) continue;
    const auto& [lang, topic] = *lt;
    const nlohmann::json doc = nlohmann::json::parse(file.bytes, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return Error::Internal(std::string(file.name) + ": not a JSON object");
    for (const auto& [member, value] : doc.items()) {
      if (member.rfind("_", 0) == 0) continue;  // "_comment"
      Entry entry;
      if (value.is_array()) {
        for (const auto& v : value) {
          if (!v.is_string()) return Error::Internal(std::string(file.name) + ": " + member + ": lists hold strings");
          entry.list.push_back(v.get<std::string>());
        }
      } else if (value.is_object()) {
        for (const auto& [k, v] : value.items()) {
          if (v.is_string()) entry.table.emplace_back(k, v.get<std::string>());
          else if (v.is_number_integer()) entry.table.emplace_back(k, std::to_string(v.get<long long>()));
          else return Error::Internal(std::string(file.name) + ": " + member + ": tables map to strings or integers");
        }
      } else {
        return Error::Internal(std::string(file.name) + ": " + member + ": a list or a table");
      }
      const std::string key = topic + "." + member;
      Entry& all = data.all_[key];
      for (const auto& w : entry.list) {
        if (std::find(all.list.begin(), all.list.end(), w) == all.list.end()) all.list.push_back(w);
      }
      all.table.insert(all.table.end(), entry.table.begin(), entry.table.end());
      data.by_lang_[lang][key] = std::move(entry);
    }
  }
  if (data.by_lang_.empty()) return Error::Internal("no language data files");
  return data;
}

namespace {

// Lowered copies of the built-in data's lists, by the address of the list:
// the phrase matchers use them instead of lowering every phrase on every
// call. Built once with the data (which lives as long as the process) and
// only read afterwards; lists of other origin are not in it.
using LoweredLists = std::unordered_map<const std::vector<std::string>*, std::vector<std::string>>;
std::atomic<const LoweredLists*> g_built_in_lowered{nullptr};

// The lowered phrases of `phrases` when it is a built-in list, else nullptr.
const std::vector<std::string>* LoweredOf(const std::vector<std::string>& phrases) {
  const LoweredLists* lists = g_built_in_lowered.load(std::memory_order_acquire);
  if (lists == nullptr) return nullptr;
  auto it = lists->find(&phrases);
  return it == lists->end() ? nullptr : &it->second;
}

}  // namespace

const LanguageData& LanguageData::Get() {
  static const LanguageData data = [] {
    auto parsed = Parse(EmbeddedFiles());
    if (!parsed.ok()) {
      std::fprintf(stderr, "pactum: built-in language data is broken: %s\n", parsed.error().message.c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  static const LoweredLists lowered = [] {
    LoweredLists out;
    auto add = [&](const std::vector<std::string>& list) {
      auto& copy = out[&list];
      for (const auto& w : list) copy.push_back(fields::Lower(w));
    };
    for (const auto& [lang, entries] : data.by_lang_) {
      for (const auto& [key, entry] : entries) add(entry.list);
    }
    for (const auto& [key, entry] : data.all_) add(entry.list);
    return out;
  }();
  g_built_in_lowered.store(&lowered, std::memory_order_release);
  return data;
}

std::vector<std::string> LanguageData::languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, entries] : by_lang_) out.push_back(lang);
  return out;
}

std::vector<std::string> LanguageData::keys(std::string_view lang) const {
  std::vector<std::string> out;
  if (auto it = by_lang_.find(lang); it != by_lang_.end()) {
    for (const auto& [key, entry] : it->second) out.push_back(key);
  }
  return out;
}

const LanguageData::Entry& LanguageData::Find(std::string_view lang, std::string_view key) const {
  static const Entry kEmpty;
  if (auto l = by_lang_.find(lang); l != by_lang_.end()) {
    auto it = l->second.find(key);
    return it == l->second.end() ? kEmpty : it->second;
  }
  auto it = all_.find(key);
  return it == all_.end() ? kEmpty : it->second;
}

const std::vector<std::string>& LanguageData::List(std::string_view lang, std::string_view key) const {
  return Find(lang, key).list;
}

const Table& LanguageData::TableOf(std::string_view lang, std::string_view key) const { return Find(lang, key).table; }

namespace {

// `phrase` in lower case: itself when it has no capital (most data is
// written in lower case), else a lowered copy kept in `scratch`.
std::string_view Lowered(const std::string& phrase, std::string* scratch) {
  for (size_t i = 0; i < phrase.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(phrase[i]);
    const bool umlaut = c == 0xC3 && i + 1 < phrase.size() &&
                        (phrase[i + 1] == '\x84' || phrase[i + 1] == '\x96' || phrase[i + 1] == '\x9C');
    if ((c >= 'A' && c <= 'Z') || umlaut) {
      *scratch = fields::Lower(phrase);
      return *scratch;
    }
  }
  return phrase;
}

// Calls visit(phrase, lowered phrase) for every non-empty phrase of `phrases`,
// taking the built-in lowered copy where there is one.
template <typename Visit>
void ForEachLowered(const std::vector<std::string>& phrases, Visit visit) {
  std::string scratch;
  const std::vector<std::string>* lowered = LoweredOf(phrases);
  for (size_t k = 0; k < phrases.size(); ++k) {
    const std::string_view p = lowered ? std::string_view((*lowered)[k]) : Lowered(phrases[k], &scratch);
    if (!p.empty()) visit(phrases[k], p);
  }
}

// True when `p` found at `at` in `lower` stands at word boundaries (checked
// only where the phrase itself starts / ends with a word character).
bool WholeWordAt(std::string_view lower, size_t at, std::string_view p) {
  const size_t end = at + p.size();
  const bool left_ok = at == 0 || !IsWordByte(static_cast<unsigned char>(p.front())) ||
                       !IsWordByte(static_cast<unsigned char>(lower[at - 1]));
  const bool right_ok = end == lower.size() || !IsWordByte(static_cast<unsigned char>(p.back())) ||
                        !IsWordByte(static_cast<unsigned char>(lower[end]));
  return left_ok && right_ok;
}

}  // namespace

std::optional<PhraseHit> FindPhrase(std::string_view text, const std::vector<std::string>& phrases, size_t from) {
  const std::string lower = fields::Lower(text);
  std::optional<PhraseHit> best;
  ForEachLowered(phrases, [&](const std::string& phrase, std::string_view p) {
    for (size_t at = lower.find(p, from); at != std::string::npos; at = lower.find(p, at + 1)) {
      if (!WholeWordAt(lower, at, p)) continue;
      const size_t end = at + p.size();
      if (!best || at < best->begin || (at == best->begin && end > best->end)) best = PhraseHit{at, end, phrase};
      break;
    }
  });
  return best;
}

std::vector<PhraseHit> FindAllPhrases(std::string_view text, const std::vector<std::string>& phrases) {
  const std::string lower = fields::Lower(text);
  std::vector<PhraseHit> hits;
  ForEachLowered(phrases, [&](const std::string& phrase, std::string_view p) {
    for (size_t at = lower.find(p); at != std::string::npos; at = lower.find(p, at + 1)) {
      if (WholeWordAt(lower, at, p)) hits.push_back(PhraseHit{at, at + p.size(), phrase});
    }
  });
  // Leftmost first, longest first at one place; then drop overlaps.
  std::sort(hits.begin(), hits.end(), [](const PhraseHit& a, const PhraseHit& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<PhraseHit> out;
  for (const auto& h : hits) {
    if (out.empty() || h.begin >= out.back().end) out.push_back(h);
  }
  return out;
}

bool HasWord(const std::vector<std::string>& list, std::string_view word) {
  const std::string lower = fields::Lower(word);
  bool found = false;
  ForEachLowered(list, [&](const std::string&, std::string_view p) { found = found || p == lower; });
  return found;
}

std::optional<PhraseHit> StartsWithPhrase(std::string_view text, const std::vector<std::string>& phrases) {
  size_t lead = 0;
  while (lead < text.size() && text[lead] == ' ') ++lead;
  // Only the line's start is compared: its first (longest phrase + 1) bytes,
  // lowered once, against each phrase in place.
  size_t longest = 0;
  for (const auto& phrase : phrases) longest = std::max(longest, phrase.size());
  const std::string lower = fields::Lower(text.substr(lead, std::min(text.size() - lead, longest + 1)));
  std::optional<PhraseHit> best;
  ForEachLowered(phrases, [&](const std::string& phrase, std::string_view p) {
    if (p.size() > lower.size() || lower.compare(0, p.size(), p) != 0 || !WholeWordAt(lower, 0, p)) return;
    if (!best || best->end - best->begin < p.size()) best = PhraseHit{lead, lead + p.size(), phrase};
  });
  return best;
}

}  // namespace pactum::extract
