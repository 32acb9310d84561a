// One reading, then every extractor over it, then what needs several of
// their results (the year the agreement was concluded).
#include <algorithm>
#include <cctype>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/names.h"
#include "reading/tokens.h"
#include "reading/language_data.h"
#include "pactum/extract/fields.h"

namespace pactum::extract {
namespace {

std::optional<int> YearOf(const std::string& iso) {
  if (iso.size() < 4) return std::nullopt;
  return std::stoi(iso.substr(0, 4));
}

// The year of a date printed with its day or month left blank, to be
// filled in at signing ("as of [ ], 2019", "this ___ day of ____, 2009",
// "made this day of , 2009", "June , 2010"): a year after a comma that
// follows a blank (brackets, underscores), a month (dates.months) or the
// end of "day of" (dates.day_of).
std::optional<int> BlankDateYear(const Reading& reading, std::string_view text) {
  auto digit = [&](size_t i) { return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  for (size_t i = 0; i + 4 <= text.size(); ++i) {
    if ((i > 0 && digit(i - 1)) || !digit(i) || !digit(i + 1) || !digit(i + 2) || !digit(i + 3) || digit(i + 4)) continue;
    const int year = std::stoi(std::string(text.substr(i, 4)));
    if (year < 1900 || year > 2100) continue;
    size_t p = i;
    while (p > 0 && text[p - 1] == ' ') --p;
    if (p == 0 || text[p - 1] != ',') continue;
    --p;
    while (p > 0 && text[p - 1] == ' ') --p;
    if (p == 0) continue;
    if (text[p - 1] == ']' || text[p - 1] == '_') return year;
    size_t q = p;
    while (q > 0 && std::isalpha(static_cast<unsigned char>(text[q - 1])) != 0) --q;
    const std::string word = fields::Lower(text.substr(q, p - q));
    if (word.empty()) continue;
    for (const auto& [month, number] : reading.TableOf("dates.months")) {
      if (month == word) return year;
    }
    for (const auto& day_of : reading.Words("dates.day_of")) {
      const size_t space = day_of.find_last_of(' ');
      if (fields::Lower(space == std::string::npos ? day_of : day_of.substr(space + 1)) == word) return year;
    }
  }
  return std::nullopt;
}

// The first date printed in the lines of `zone`, at most `limit` lines in,
// whole or with its day or month left blank.
std::optional<int> FirstDateYear(const Reading& reading, Zone zone, size_t limit) {
  const auto lines = reading.LinesIn(zone);
  for (size_t k = 0; k < lines.size() && k < limit; ++k) {
    const std::string& text = reading.line(lines[k]).text;
    const auto dates = FindDates(text);
    if (!dates.empty()) return YearOf(dates.front().iso);
    if (auto year = BlankDateYear(reading, text)) return year;
  }
  return std::nullopt;
}

// A year of its own in the title ("Zielvereinbarung 2025").
std::optional<int> TitleYear(const std::string& title) {
  for (size_t i = 0; i + 4 <= title.size(); ++i) {
    // Standing alone: not part of a reference ("HSF-2026-017") or a date.
    auto apart = [](char c) { return c == ' ' || c == '(' || c == ')' || c == ','; };
    const bool boundary_before = i == 0 || apart(title[i - 1]);
    const bool boundary_after = i + 4 == title.size() || apart(title[i + 4]);
    if (!boundary_before || !boundary_after) continue;
    if (!std::all_of(title.begin() + static_cast<long>(i), title.begin() + static_cast<long>(i) + 4,
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
      continue;
    }
    const int y = std::stoi(title.substr(i, 4));
    if (y >= 1900 && y <= 2200) return y;
  }
  return std::nullopt;
}

// The year the agreement was concluded: a date in the title block ("Vom 3.
// Oktober 1990") or a year of its own there ("Zielvereinbarung 2025"), else
// the agreement's own date in the preamble ("made as of March 20, 2020"),
// else the last signature date, else the year it takes effect.
std::optional<int> ConcludedYear(const Reading& reading, const Agreement& a) {
  if (auto y = FirstDateYear(reading, Zone::kTitle, 8)) return y;
  if (a.title) {
    if (auto y = TitleYear(*a.title)) return y;
  }
  if (auto y = FirstDateYear(reading, Zone::kParties, 12)) return y;
  std::optional<int> last_signature;
  for (const auto& d : a.dates) {
    if (d.kind == DateKind::kSignature) last_signature = std::max(last_signature.value_or(0), YearOf(d.date).value_or(0));
  }
  for (const auto& s : a.signatories) {
    if (s.date) last_signature = std::max(last_signature.value_or(0), YearOf(*s.date).value_or(0));
  }
  if (last_signature && *last_signature > 0) return last_signature;
  for (const auto& d : a.dates) {
    if (d.kind == DateKind::kEffective) return YearOf(d.date);
  }
  return std::nullopt;
}

// An organisation's name compared across its spellings: lowered words of
// letters and digits, without a leading article ("The") and, with `bare`,
// cut before its last legal form ("Clickstream Corp." and "CLICKSTREAM
// CORPORATION"). Unlike the key that merges parties (parties.cc), it drops
// what a signature block prints after the legal form ("MERCK KGAA,
// DARMSTADT, GERMANY", "… AG by its authorized signatory") and keeps words
// unstemmed.
std::string OrganisationKey(const Reading& reading, std::string_view name, bool bare) {
  std::string text(name);
  if (bare) {
    const auto forms = FindAllPhrases(text, reading.Words("parties.legal_forms"));
    if (!forms.empty() && forms.back().begin > 0) text = text.substr(0, forms.back().begin);
  }
  std::string key;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!(key.empty() && HasWord(reading.Words("parties.articles"), word))) key += (key.empty() ? "" : " ") + word;
    word.clear();
  };
  for (const char c : fields::Lower(text)) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || (static_cast<unsigned char>(c) & 0x80) != 0) {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return key;
}

// Signatories linked to the party they sign for: a block that names a party
// as the preamble does, in other capitals or punctuation ("NUANCE
// COMMUNICATIONS, INC."), with another spelling of its legal form
// ("Clickstream Corp."), or by its short name ("LICENSEE"), signs for that
// party, and its organisation is the party's name. A block naming someone
// else (an office, an agent, a department) keeps the organisation it prints;
// so does one that could be either of two parties.
void LinkSignatoriesToParties(const Reading& reading, Agreement* a) {
  struct Keys {
    std::string whole, bare, short_name;
  };
  std::vector<Keys> parties;
  for (const Party& p : a->parties) {
    parties.push_back({OrganisationKey(reading, p.name, false), OrganisationKey(reading, p.name, true),
                       p.short_name ? OrganisationKey(reading, *p.short_name, false) : std::string()});
  }
  for (Signatory& s : a->signatories) {
    if (!s.organization) continue;
    const std::string whole = OrganisationKey(reading, *s.organization, false);
    const std::string bare = OrganisationKey(reading, *s.organization, true);
    if (whole.empty()) continue;
    size_t match = 0;
    int matches = 0;
    for (size_t k = 0; k < parties.size(); ++k) {
      const Keys& p = parties[k];
      if (p.whole == whole || (!bare.empty() && p.bare == bare) || p.short_name == whole) {
        match = k;
        ++matches;
      }
    }
    if (matches == 1) s.organization = a->parties[match].name;
  }
}

// Short names given where a party is named again after the preamble ("...
// will das Hessische Ministerium für Soziales und Integration (HMSI) ..."):
// the party's words, in any case ending (names::StemTail), right before an
// acronym in parentheses, quoted or not, in the preamble, the recitals or
// the clauses of the first pages. A party keeps a short name its preamble
// gave it.
void ShortNamesGivenLater(const Reading& reading, Agreement* a) {
  constexpr size_t kLines = 400;
  const bool wanted = std::any_of(a->parties.begin(), a->parties.end(), [](const Party& p) { return !p.short_name; });
  if (!wanted) return;
  std::string text;
  for (size_t i = 0, n = 0; i < reading.size() && n < kLines; ++i) {
    const Zone z = reading.zone(i);
    if (z != Zone::kParties && z != Zone::kRecitals && z != Zone::kBody) continue;
    // Joined as JoinLines joins two lines (a hyphen at a line end repaired),
    // from the last word on.
    const size_t cut = text.find_last_of(' ') == std::string::npos ? 0 : text.find_last_of(' ') + 1;
    std::string tail = fields::JoinLines(std::string_view(text).substr(cut), reading.line(i).text);
    text.resize(cut);
    text += tail;
    ++n;
  }
  for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
    const size_t close = text.find(')', open);
    if (close == std::string::npos) break;
    // Quoted or not: ("AFSL"), (HMSI).
    std::vector<std::string> inside;
    for (const auto& t : TokenizeText(text.substr(open + 1, close - open - 1), {}).tokens) {
      if (!IsQuoteMark(t.text)) inside.push_back(t.text);
    }
    if (inside.size() != 1) continue;
    const std::string& term = inside.front();
    const bool acronym = term.size() >= 2 && term.size() <= 12 && fields::IsAllCaps(term);
    if (!acronym) continue;
    const size_t from = open > 400 ? open - 400 : 0;  // a name of at most 8 words
    const std::string before = text.substr(from, open - from);
    const bool taken = std::any_of(a->parties.begin(), a->parties.end(),
                                   [&](const Party& p) { return p.short_name && *p.short_name == term; });
    if (taken) continue;
    for (Party& p : a->parties) {
      if (p.short_name) continue;
      const int n = static_cast<int>(std::count(p.name.begin(), p.name.end(), ' ')) + 1;
      if (n > 8) continue;
      if (fields::names::StemTail(before, n) == fields::names::StemTail(p.name, n)) {
        p.short_name = term;
        break;
      }
    }
  }
}

}  // namespace

std::string ExtractFields(const DocumentText& doc, Agreement* out) {
  const Reading reading = Reading::Of(doc);
  for (auto* extractor : {&ExtractTitle, &ExtractParties, &ExtractAmounts, &ExtractDates, &ExtractProjects,
                          &ExtractSignatories, &ExtractGoverningLaw, &ExtractTerm}) {
    extractor(reading, out);
  }
  ShortNamesGivenLater(reading, out);
  LinkSignatoriesToParties(reading, out);
  out->year = ConcludedYear(reading, *out);
  return reading.language();
}

}  // namespace pactum::extract
