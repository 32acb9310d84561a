#include "reading/language_data.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "fields/common.h"
#include "utf8.h"

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

// Whether the character that starts at byte `at` of `s` is part of a word.
// Broken UTF-8 counts as a word character.
bool WordStartsAt(std::string_view s, size_t at) {
  const unsigned char c = static_cast<unsigned char>(s[at]);
  if (c < 0x80) return std::isalnum(c) != 0;
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + at),
                                              static_cast<utf8proc_ssize_t>(s.size() - at), &cp);
  return n <= 0 || utf8::IsWordCodePoint(cp);
}

// Whether the character that ends just before byte `end` of `s` is part of a
// word. Broken UTF-8 counts as a word character.
bool WordEndsAt(std::string_view s, size_t end) {
  const unsigned char c = static_cast<unsigned char>(s[end - 1]);
  if (c < 0x80) return std::isalnum(c) != 0;
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + start),
                                              static_cast<utf8proc_ssize_t>(end - start), &cp);
  return n != static_cast<utf8proc_ssize_t>(end - start) || utf8::IsWordCodePoint(cp);
}

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

// The prepared phrase sets of the built-in data's lists, by the address of
// the list: the phrase matchers use them whenever a built-in list is passed.
// The map is made once with the data (which lives as long as the process);
// each set is built on its first use (a command reads one document and
// needs few of the lists: building them all cost 36 M instructions), once,
// whichever thread asks first. Lists of other origin are not in it.
struct LazySet {
  explicit LazySet(const std::vector<std::string>* list_in) : list(list_in) {}
  const std::vector<std::string>* list;
  mutable std::once_flag once;
  mutable std::optional<PhraseSet> set;
};
using BuiltInSets = std::unordered_map<const std::vector<std::string>*, LazySet>;
std::atomic<const BuiltInSets*> g_built_in_sets{nullptr};

// The prepared set of `phrases` when it is a built-in list, else nullptr.
const PhraseSet* BuiltInSetOf(const std::vector<std::string>& phrases) {
  const BuiltInSets* sets = g_built_in_sets.load(std::memory_order_acquire);
  if (sets == nullptr) return nullptr;
  auto it = sets->find(&phrases);
  if (it == sets->end()) return nullptr;
  const LazySet& lazy = it->second;
  std::call_once(lazy.once, [&lazy] { lazy.set.emplace(*lazy.list); });
  return &*lazy.set;
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
  static const BuiltInSets sets = [] {
    BuiltInSets out;
    for (const auto& [lang, entries] : data.by_lang_) {
      for (const auto& [key, entry] : entries) out.try_emplace(&entry.list, &entry.list);
    }
    for (const auto& [key, entry] : data.all_) out.try_emplace(&entry.list, &entry.list);
    return out;
  }();
  g_built_in_sets.store(&sets, std::memory_order_release);
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

// ---- Phrase sets -------------------------------------------------------------
//
// The automaton runs over the lowered text byte by byte. Node 0 is the root,
// with a full table of 256 transitions; every other node keeps its few
// transitions in a sorted run of `edges`. `fail` is the longest proper suffix
// of the node's path that is also a path from the root; `dict` the nearest
// node on the fail chain where a phrase ends (-1: none). A node's phrases
// (`out_begin`..`out_end` in `outs`) are the indices into the list of every
// phrase that ends there, in list order (equal lowered phrases share a node).

struct PhraseSet::Tables {
  struct Node {
    int32_t fail = 0, dict = -1;
    uint32_t depth = 0;
    uint32_t edge_begin = 0, edge_end = 0;
    uint32_t out_begin = 0, out_end = 0;
  };
  struct Edge {
    unsigned char byte;
    int32_t to;
  };
  std::vector<std::string> phrases, lowered;
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  std::vector<uint32_t> outs;
  std::array<int32_t, 256> root{};
  std::unordered_set<std::string_view> words;  // the non-empty lowered phrases
  size_t longest = 0;                          // of the phrases, in bytes

  // The child of `node` over `c`, or -1.
  int32_t Child(int32_t node, unsigned char c) const {
    if (node == 0) return root[c] > 0 ? root[c] : -1;
    const Node& n = nodes[static_cast<size_t>(node)];
    for (uint32_t e = n.edge_begin; e < n.edge_end; ++e) {
      if (edges[e].byte == c) return edges[e].to;
      if (edges[e].byte > c) break;
    }
    return -1;
  }
  // The state after reading `c` in `state`.
  int32_t Step(int32_t state, unsigned char c) const {
    for (;;) {
      const int32_t next = Child(state, c);
      if (next >= 0) return next;
      if (state == 0) return 0;
      state = nodes[static_cast<size_t>(state)].fail;
    }
  }
  // Calls f(phrase index, begin) for every phrase that ends at `end` in
  // `state`.
  template <typename F>
  void Outputs(int32_t state, size_t end, F f) const {
    const Node* n = &nodes[static_cast<size_t>(state)];
    int32_t at = n->out_end > n->out_begin ? state : n->dict;
    while (at >= 0) {
      n = &nodes[static_cast<size_t>(at)];
      for (uint32_t o = n->out_begin; o < n->out_end; ++o) f(outs[o], end - n->depth);
      at = n->dict;
    }
  }
};

PhraseSet::PhraseSet(std::vector<std::string> phrases) {
  auto t = std::make_shared<Tables>();
  t->phrases = std::move(phrases);
  // 1. The trie of the lowered phrases (transitions in maps while building).
  std::vector<std::map<unsigned char, int32_t>> next(1);
  std::vector<std::vector<uint32_t>> ends(1);
  std::vector<uint32_t> depth(1, 0);
  for (size_t k = 0; k < t->phrases.size(); ++k) {
    t->lowered.push_back(fields::Lower(t->phrases[k]));
    t->longest = std::max(t->longest, t->phrases[k].size());
    const std::string& p = t->lowered.back();
    if (p.empty()) continue;
    size_t node = 0;
    for (char ch : p) {
      const unsigned char c = static_cast<unsigned char>(ch);
      auto it = next[node].find(c);
      if (it == next[node].end()) {
        const auto child = static_cast<int32_t>(next.size());
        next[node].emplace(c, child);
        next.emplace_back();
        ends.emplace_back();
        depth.push_back(depth[node] + 1);
        node = static_cast<size_t>(child);
      } else {
        node = static_cast<size_t>(it->second);
      }
    }
    ends[node].push_back(static_cast<uint32_t>(k));
  }
  for (const auto& p : t->lowered) {
    if (!p.empty()) t->words.insert(p);  // views into `lowered`, complete now
  }
  // 2. Flat tables.
  t->nodes.resize(next.size());
  for (size_t i = 0; i < next.size(); ++i) {
    auto& n = t->nodes[i];
    n.depth = depth[i];
    n.edge_begin = static_cast<uint32_t>(t->edges.size());
    if (i == 0) {
      for (const auto& [c, to] : next[i]) t->root[c] = to;
    } else {
      for (const auto& [c, to] : next[i]) t->edges.push_back({c, to});
    }
    n.edge_end = static_cast<uint32_t>(t->edges.size());
    n.out_begin = static_cast<uint32_t>(t->outs.size());
    t->outs.insert(t->outs.end(), ends[i].begin(), ends[i].end());
    n.out_end = static_cast<uint32_t>(t->outs.size());
  }
  // 3. Fail and dictionary links, breadth first.
  std::vector<int32_t> queue;
  for (const auto& [c, to] : next[0]) queue.push_back(to);
  for (size_t q = 0; q < queue.size(); ++q) {
    const int32_t node = queue[q];
    for (const auto& [c, child] : next[static_cast<size_t>(node)]) {
      int32_t f = t->nodes[static_cast<size_t>(node)].fail;
      int32_t target = t->Child(f, c);
      while (target < 0 && f != 0) {
        f = t->nodes[static_cast<size_t>(f)].fail;
        target = t->Child(f, c);
      }
      auto& cn = t->nodes[static_cast<size_t>(child)];
      cn.fail = target < 0 ? 0 : target;
      const auto& fn = t->nodes[static_cast<size_t>(cn.fail)];
      cn.dict = fn.out_end > fn.out_begin ? cn.fail : fn.dict;
      queue.push_back(child);
    }
  }
  tables_ = std::move(t);
}

const std::vector<std::string>& PhraseSet::phrases() const { return tables_->phrases; }

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

// Calls visit(phrase, lowered phrase) for every non-empty phrase of `phrases`.
template <typename Visit>
void ForEachLowered(const std::vector<std::string>& phrases, Visit visit) {
  std::string scratch;
  for (const auto& phrase : phrases) {
    const std::string_view p = Lowered(phrase, &scratch);
    if (!p.empty()) visit(phrase, p);
  }
}

// True when `p` found at `at` in `lower` stands at word boundaries (checked
// only where the phrase itself starts / ends with a word character).
bool WholeWordAt(std::string_view lower, size_t at, std::string_view p) {
  const size_t end = at + p.size();
  const bool left_ok = at == 0 || !WordStartsAt(p, 0) || !WordEndsAt(lower, at);
  const bool right_ok = end == lower.size() || !WordEndsAt(p, p.size()) || !WordStartsAt(lower, end);
  return left_ok && right_ok;
}

// Leftmost first, longest first at one place; then drops overlaps. `hits`
// come phrase by phrase in list order, each phrase's left to right.
std::vector<PhraseHit> LeftmostLongest(std::vector<PhraseHit> hits) {
  std::sort(hits.begin(), hits.end(), [](const PhraseHit& a, const PhraseHit& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<PhraseHit> out;
  for (const auto& h : hits) {
    if (out.empty() || h.begin >= out.back().end) out.push_back(h);
  }
  return out;
}

}  // namespace

std::optional<PhraseHit> FindPhrase(std::string_view text, const PhraseSet& phrases, size_t from) {
  const PhraseSet::Tables& t = phrases.tables();
  const std::string lower = fields::Lower(text);
  // The first phrase to start, then the longest, then the first in the list.
  bool found = false;
  size_t best_begin = 0, best_end = 0;
  uint32_t best_k = 0;
  int32_t state = 0;
  for (size_t i = from; i < lower.size(); ++i) {
    // No phrase ending from here on can start at or before the best one.
    if (found && i >= best_begin + t.longest) break;
    state = t.Step(state, static_cast<unsigned char>(lower[i]));
    t.Outputs(state, i + 1, [&](uint32_t k, size_t begin) {
      if (!WholeWordAt(lower, begin, t.lowered[k])) return;
      const size_t end = i + 1;
      if (!found || begin < best_begin || (begin == best_begin && (end > best_end || (end == best_end && k < best_k)))) {
        found = true;
        best_begin = begin;
        best_end = end;
        best_k = k;
      }
    });
  }
  if (!found) return std::nullopt;
  return PhraseHit{best_begin, best_end, t.phrases[best_k]};
}

std::optional<PhraseHit> FindPhrase(std::string_view text, const std::vector<std::string>& phrases, size_t from) {
  if (const PhraseSet* set = BuiltInSetOf(phrases)) return FindPhrase(text, *set, from);
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

std::vector<PhraseHit> FindAllPhrases(std::string_view text, const PhraseSet& phrases) {
  const PhraseSet::Tables& t = phrases.tables();
  const std::string lower = fields::Lower(text);
  std::vector<std::pair<uint32_t, size_t>> found;  // (phrase, begin)
  int32_t state = 0;
  for (size_t i = 0; i < lower.size(); ++i) {
    state = t.Step(state, static_cast<unsigned char>(lower[i]));
    t.Outputs(state, i + 1, [&](uint32_t k, size_t begin) {
      if (WholeWordAt(lower, begin, t.lowered[k])) found.emplace_back(k, begin);
    });
  }
  // In the order a walk over the list finds them, for the same choice among
  // equal phrases.
  std::sort(found.begin(), found.end());
  std::vector<PhraseHit> hits;
  hits.reserve(found.size());
  for (const auto& [k, begin] : found) hits.push_back(PhraseHit{begin, begin + t.lowered[k].size(), t.phrases[k]});
  return LeftmostLongest(std::move(hits));
}

std::vector<PhraseHit> FindAllPhrases(std::string_view text, const std::vector<std::string>& phrases) {
  if (const PhraseSet* set = BuiltInSetOf(phrases)) return FindAllPhrases(text, *set);
  const std::string lower = fields::Lower(text);
  std::vector<PhraseHit> hits;
  ForEachLowered(phrases, [&](const std::string& phrase, std::string_view p) {
    for (size_t at = lower.find(p); at != std::string::npos; at = lower.find(p, at + 1)) {
      if (WholeWordAt(lower, at, p)) hits.push_back(PhraseHit{at, at + p.size(), phrase});
    }
  });
  return LeftmostLongest(std::move(hits));
}

bool ContainsPhrase(std::string_view text, const PhraseSet& phrases) {
  const PhraseSet::Tables& t = phrases.tables();
  const std::string lower = fields::Lower(text);
  int32_t state = 0;
  for (size_t i = 0; i < lower.size(); ++i) {
    state = t.Step(state, static_cast<unsigned char>(lower[i]));
    const auto& n = t.nodes[static_cast<size_t>(state)];
    if (n.out_end > n.out_begin || n.dict >= 0) return true;
  }
  return false;
}

bool HasWord(const PhraseSet& list, std::string_view word) {
  return list.tables().words.count(fields::Lower(word)) > 0;
}

bool HasWord(const std::vector<std::string>& list, std::string_view word) {
  if (const PhraseSet* set = BuiltInSetOf(list)) return HasWord(*set, word);
  const std::string lower = fields::Lower(word);
  bool found = false;
  ForEachLowered(list, [&](const std::string&, std::string_view p) { found = found || p == lower; });
  return found;
}

std::optional<PhraseHit> StartsWithPhrase(std::string_view text, const PhraseSet& phrases) {
  const PhraseSet::Tables& t = phrases.tables();
  size_t lead = 0;
  while (lead < text.size() && text[lead] == ' ') ++lead;
  // The line's first bytes: room for the longest phrase and the character after it.
  const std::string lower = fields::Lower(text.substr(lead, std::min(text.size() - lead, t.longest + 4)));
  // Down the trie from the root: the deepest phrase node with a boundary after it.
  std::optional<PhraseHit> best;
  int32_t node = 0;
  for (size_t i = 0; i < lower.size(); ++i) {
    node = t.Child(node, static_cast<unsigned char>(lower[i]));
    if (node < 0) break;
    const auto& n = t.nodes[static_cast<size_t>(node)];
    if (n.out_end == n.out_begin) continue;
    const uint32_t k = t.outs[n.out_begin];  // the first in the list
    if (WholeWordAt(lower, 0, t.lowered[k])) best = PhraseHit{lead, lead + i + 1, t.phrases[k]};
  }
  return best;
}

std::optional<PhraseHit> StartsWithPhrase(std::string_view text, const std::vector<std::string>& phrases) {
  if (const PhraseSet* set = BuiltInSetOf(phrases)) return StartsWithPhrase(text, *set);
  size_t lead = 0;
  while (lead < text.size() && text[lead] == ' ') ++lead;
  // Only the line's start is compared: its first bytes (the longest phrase
  // and the character after it), lowered once, against each phrase in place.
  size_t longest = 0;
  for (const auto& phrase : phrases) longest = std::max(longest, phrase.size());
  const std::string lower = fields::Lower(text.substr(lead, std::min(text.size() - lead, longest + 4)));
  std::optional<PhraseHit> best;
  ForEachLowered(phrases, [&](const std::string& phrase, std::string_view p) {
    if (p.size() > lower.size() || lower.compare(0, p.size(), p) != 0 || !WholeWordAt(lower, 0, p)) return;
    if (!best || best->end - best->begin < p.size()) best = PhraseHit{lead, lead + p.size(), phrase};
  });
  return best;
}

}  // namespace pactum::extract
