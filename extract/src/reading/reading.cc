// The reading: language, per-line features, zones.
//
// Zoning is a pass over the lines in reading order with a small state
// machine whose transitions are the features (reading.h): furniture is
// decided per line from its place on the page and repetition across pages;
// the other zones follow the order agreements are written in (title,
// parties, recitals, body, signature area, annexes), each entered on its
// cues and left on the next zone's. A trained zone model (zone_labeller.h),
// when built in, reads these rule zones among its features and decides.
#include "reading/reading.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "fields/common.h"
#include "fields/header.h"
#include "reading/signature_area.h"
#include "reading/zone_labeller.h"

namespace pactum::extract {
namespace {

// Lowercase text with every digit run as "#" and spaces collapsed: the
// running header "Page 3 of 12" and "Page 4 of 12" read the same.
std::string Shape(std::string_view text) {
  std::string out;
  const std::string lower = fields::Lower(text);
  for (size_t i = 0; i < lower.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(lower[i]);
    if (std::isdigit(c)) {
      if (out.empty() || out.back() != '#') out += '#';
    } else if (std::isspace(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int WordCount(std::string_view text) {
  int n = 0;
  bool in = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

bool StartsWithAny(const std::string& text, const std::vector<std::string>& phrases) {
  return StartsWithPhrase(text, phrases).has_value();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 1;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return std::max(1.0, v[v.size() / 2]);
}

}  // namespace

std::string_view ZoneName(Zone zone) {
  switch (zone) {
    case Zone::kFurniture: return "furniture";
    case Zone::kTitle: return "title";
    case Zone::kParties: return "parties";
    case Zone::kRecitals: return "recitals";
    case Zone::kBody: return "body";
    case Zone::kSignature: return "signature";
    case Zone::kAnnex: return "annex";
  }
  return "body";
}

std::string DetectLanguage(const DocumentText& text, const LanguageData& data) {
  std::map<std::string, int> counts;
  std::map<std::string, std::set<std::string, std::less<>>> words;
  for (const auto& lang : data.languages()) {
    const auto& list = data.List(lang, "document.function_words");
    words[lang] = std::set<std::string, std::less<>>(list.begin(), list.end());
  }
  int total = 0;
  for (const auto& line : text.lines) {
    const std::string lower = fields::Lower(line.text);
    size_t i = 0;
    while (i < lower.size()) {
      while (i < lower.size() && !std::isalpha(static_cast<unsigned char>(lower[i])) &&
             static_cast<unsigned char>(lower[i]) < 0x80) {
        ++i;
      }
      size_t j = i;
      while (j < lower.size() && (std::isalpha(static_cast<unsigned char>(lower[j])) ||
                                  static_cast<unsigned char>(lower[j]) >= 0x80)) {
        ++j;
      }
      if (j > i) {
        const std::string_view w(lower.data() + i, j - i);
        for (auto& [lang, set] : words) {
          if (set.count(w) != 0) ++counts[lang], ++total;
        }
      }
      i = j;
    }
    if (total > 4000) break;  // enough evidence
  }
  std::string best;
  int best_n = 0;
  for (const auto& [lang, n] : counts) {
    if (n > best_n) best = lang, best_n = n;
  }
  return best_n >= 5 ? best : std::string();
}

std::vector<size_t> Reading::LinesIn(Zone zone) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < zones_.size(); ++i) {
    if (zones_[i] == zone) out.push_back(i);
  }
  return out;
}

std::vector<PhraseHit> Reading::Designations(std::string_view text) const {
  std::vector<PhraseHit> hits = FindAllPhrases(text, Words("document.designations"));
  const std::string lower = fields::Lower(text);
  for (const auto& suffix : Words("document.designation_suffixes")) {
    for (size_t at = lower.find(suffix); at != std::string::npos; at = lower.find(suffix, at + 1)) {
      const size_t end = at + suffix.size();
      const bool word_end = end == lower.size() || !(std::isalnum(static_cast<unsigned char>(lower[end])) ||
                                                     static_cast<unsigned char>(lower[end]) >= 0x80);
      const bool compound = at > 0 && (std::isalpha(static_cast<unsigned char>(lower[at - 1])) ||
                                       static_cast<unsigned char>(lower[at - 1]) >= 0x80);
      if (!word_end || !compound) continue;
      size_t begin = at;
      while (begin > 0 && lower[begin - 1] != ' ' && lower[begin - 1] != '(' && lower[begin - 1] != '"') --begin;
      hits.push_back(PhraseHit{begin, end, suffix});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const PhraseHit& a, const PhraseHit& b) { return a.begin < b.begin; });
  return hits;
}

bool Reading::HasZone(Zone zone) const { return std::find(zones_.begin(), zones_.end(), zone) != zones_.end(); }

Reading Reading::Of(const DocumentText& text, const LanguageData& data, const ZoneModel* model) {
  Reading r;
  r.text_ = &text;
  r.data_ = &data;
  r.language_ = DetectLanguage(text, data);
  const auto& lines = text.lines;
  const size_t n = lines.size();
  r.features_.resize(n);
  r.zones_.assign(n, Zone::kBody);
  r.rule_zones_ = r.zones_;
  if (n == 0) return r;

  // Page extents: the text's own, as the page size is not kept per line.
  std::map<int, Box> extent;
  std::vector<double> heights;
  for (const auto& l : lines) {
    auto [it, fresh] = extent.try_emplace(l.page, l.box);
    if (!fresh) it->second = it->second.Union(l.box);
    heights.push_back(l.box.height());
    r.pages_ = std::max(r.pages_, l.page);
  }
  const double median_h = Median(heights);

  // Repetition: a line's shape on the edges (top or bottom 5 lines) of several pages.
  std::map<std::string, std::set<int>> edge_pages;
  std::vector<int> rank_on_page(n), lines_on_page_count(n);
  {
    std::map<int, int> count;
    for (const auto& l : lines) ++count[l.page];
    std::map<int, int> seen;
    for (size_t i = 0; i < n; ++i) {
      rank_on_page[i] = seen[lines[i].page]++;
      lines_on_page_count[i] = count[lines[i].page];
    }
  }
  // Edges by geometry, not reading order: the 4 topmost and 4 bottommost lines of a page.
  std::vector<bool> edge(n, false);
  {
    std::map<int, std::vector<size_t>> by_page;
    for (size_t i = 0; i < n; ++i) by_page[lines[i].page].push_back(i);
    for (auto& [page, idx] : by_page) {
      std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return lines[a].box.y0 < lines[b].box.y0; });
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k < 4 || k + 4 >= idx.size()) edge[idx[k]] = true;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (edge[i]) edge_pages[Shape(lines[i].text)].insert(lines[i].page);
  }

  const auto& furniture = r.Words("document.furniture");
  const auto& recitals = r.Words("document.recitals");
  const auto& operative = r.Words("document.operative");
  const auto& annexes = r.Words("document.annexes");
  const auto& intro = r.Words("parties.intro");
  const auto& closing = r.Words("signatures.closing");
  const auto& block_cues = r.Words("signatures.block");

  for (size_t i = 0; i < n; ++i) {
    const TextLine& l = lines[i];
    const Box& page = extent[l.page];
    LineFeatures& f = r.features_[i];
    const std::string trimmed = fields::Trim(l.text);
    const double ph = std::max(1.0, page.y1), pw = std::max(1.0, page.x1);
    f.top = l.box.y0 / ph;
    f.bottom = l.box.y1 / ph;
    f.left = l.box.x0 / pw;
    f.right = l.box.x1 / pw;
    f.height = l.box.height() / median_h;
    if (rank_on_page[i] > 0 && lines[i - 1].page == l.page) {
      f.gap_above = std::max(0.0, l.box.y0 - lines[i - 1].box.y1) / median_h;
    }
    const double mid = (l.box.x0 + l.box.x1) / 2, page_mid = (page.x0 + page.x1) / 2;
    f.centred = std::abs(mid - page_mid) < 0.06 * (page.x1 - page.x0) && l.box.width() < 0.8 * (page.x1 - page.x0);
    f.all_caps = fields::IsAllCaps(trimmed);
    f.words = WordCount(trimmed);
    f.first_on_page = rank_on_page[i] == 0;
    f.last_on_page = rank_on_page[i] + 1 == lines_on_page_count[i];
    const std::string shape = Shape(trimmed);
    f.repeated = edge[i] && r.pages_ >= 3 && edge_pages[shape].size() >= 3 &&
                 edge_pages[shape].size() * 3 >= static_cast<size_t>(r.pages_) && f.words <= 16;
    f.page_number = edge[i] && fields::IsPageNumberLine(trimmed);
    f.stamp = f.words <= 10 && StartsWithAny(trimmed, furniture);
    f.designation = f.words <= 16 && !r.Designations(trimmed).empty();
    f.party_cue = FindPhrase(trimmed, intro).has_value();
    f.recital_cue = StartsWithAny(trimmed, recitals);
    f.operative_cue = StartsWithAny(trimmed, operative);
    f.signature_cue = StartsWithAny(trimmed, closing) || (f.words <= 10 && StartsWithAny(trimmed, block_cues));
    f.annex_cue = f.words <= 10 && StartsWithAny(trimmed, annexes);
    f.numbered_heading = fields::IsSectionHeading(trimmed) || fields::IsNumberedClauseHeading(trimmed);
    const char last = trimmed.empty() ? ' ' : trimmed.back();
    f.ends_sentence = last == '.' || last == ';' || last == ':';
  }

  r.signature_cues_.resize(n);
  for (size_t i = 0; i < n; ++i) r.signature_cues_[i] = static_cast<std::uint8_t>(ComputeSignatureCue(r, i));

  // Where the final run of signature cues begins: a first estimate, enough to
  // tell an annex heading after the signatures from a filing stamp.
  size_t signature_cues_start = n;
  for (size_t i = n; i-- > 0;) {
    if (r.features_[i].repeated || r.features_[i].page_number) continue;
    if (r.features_[i].signature_cue) signature_cues_start = i;
    else if (signature_cues_start != n && i + 40 < signature_cues_start) break;
  }

  // Furniture: decided by place, not by order. A stamp-like line after the
  // signature area ("EXHIBIT A") heads an annex.
  std::vector<bool> furn(n, false);
  for (size_t i = 0; i < n; ++i) {
    const LineFeatures& f = r.features_[i];
    const bool at_edge = f.top < 0.12 || f.bottom > 0.9;
    const bool stamp = f.stamp && !(f.annex_cue && i > signature_cues_start) &&
                       (at_edge || (lines[i].page == 1 && rank_on_page[i] < 6));
    furn[i] = f.repeated || f.page_number || stamp;
  }

  // The title block: heading-like lines near the start, around the first line
  // that names a kind of agreement, before the first sentence of text.
  size_t first = 0;
  while (first < n && furn[first]) ++first;
  size_t k = first;
  std::vector<size_t> title;
  const int title_pages = std::min(r.pages_, 2);
  for (; k < n && lines[k].page <= title_pages && k < first + 30; ++k) {
    if (furn[k]) continue;
    const LineFeatures& f = r.features_[k];
    const bool heading_like = f.words <= 16 && (f.all_caps || f.centred || f.height > 1.15) && !f.ends_sentence;
    if (title.empty()) {
      if (f.designation && heading_like && !f.party_cue) title.push_back(k);
      else if (f.words > 20 || f.party_cue || f.numbered_heading) break;  // body text before any title
      continue;
    }
    // Continue the block: heading-like lines close below.
    // A number of its own ("2026", "No. 17") continues the title; other short lines below it are
    // an address, a place or a date ("Berlin", "May 1, 2020"), and a rule is a rule.
    const std::string& line_text = lines[k].text;
    const bool digits = std::any_of(line_text.begin(), line_text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool number_line = f.words <= 2 && !f.ends_sentence && digits;
    if ((heading_like || number_line) && !f.party_cue && !f.recital_cue && f.gap_above < 3.0 && title.size() < 4 &&
        !IsSignatureRule(line_text)) {
      title.push_back(k);
      continue;
    }
    break;
  }
  // A title line may be preceded by heading lines that belong to it ("STAATSVERTRAG" above
  // "über …" reads top down; "AMENDED AND RESTATED" above "LICENSE AGREEMENT").
  if (!title.empty()) {
    size_t b = title.front();
    while (b > first) {
      const size_t p = b - 1;
      const LineFeatures& f = r.features_[p];
      if (furn[p] || f.words > 8 || !(f.all_caps || f.centred) || r.features_[b].gap_above > 3.0 || f.stamp) break;
      title.insert(title.begin(), p);
      b = p;
    }
  }

  // Sequential zones after the title.
  Zone state = Zone::kBody;
  size_t start = first;
  if (!title.empty()) {
    for (size_t t : title) r.zones_[t] = Zone::kTitle;
    // What stands above the title on its page is letterhead or filing matter.
    for (size_t i = first; i < title.front(); ++i) r.zones_[i] = Zone::kFurniture;
    start = title.back() + 1;
    state = Zone::kParties;
  } else {
    state = Zone::kParties;
  }
  size_t parties_lines = 0;
  bool seen_party_cue = false;
  // The signature area (signature_area.h); annexes follow it.
  const size_t signature_start = FindSignatureStart(r, furn, start);
  for (size_t i = start; i < n; ++i) {
    if (furn[i]) {
      r.zones_[i] = Zone::kFurniture;
      continue;
    }
    const LineFeatures& f = r.features_[i];
    if (i >= signature_start && state != Zone::kAnnex) {
      if (state == Zone::kSignature && f.annex_cue && (f.all_caps || f.centred || f.gap_above > 1.5)) state = Zone::kAnnex;
      else state = Zone::kSignature;
    }
    switch (state) {
      case Zone::kParties:
        seen_party_cue = seen_party_cue || f.party_cue;
        ++parties_lines;
        if (f.recital_cue) state = Zone::kRecitals;
        else if (f.operative_cue || (f.numbered_heading && seen_party_cue) || parties_lines > 60) state = Zone::kBody;
        break;
      case Zone::kRecitals:
        if (f.operative_cue || f.numbered_heading) state = Zone::kBody;
        break;
      default:
        break;
    }
    r.zones_[i] = state;
    // The operative formula ends the recitals; its own line is still a recital.
  }
  for (size_t i = 0; i < first; ++i) r.zones_[i] = Zone::kFurniture;
  for (size_t i = first; i < n; ++i) {
    if (furn[i]) r.zones_[i] = Zone::kFurniture;
  }
  r.rule_zones_ = r.zones_;
  if (model != nullptr) r.zones_ = model->Label(ZoneFeatures(r));
  return r;
}

}  // namespace pactum::extract
