// The signature area as blocks: line labels, columns, blocks.
#include "reading/signature_blocks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "fields/common.h"
#include "fields/regex.h"
#include "reading/reading.h"
#include "reading/signature_area.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

constexpr int kProseWords = 13;      // a longer line in a signature area is running text
constexpr double kMinConfidence = 0.45;  // OCR of a handwritten signature reads as symbols

std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A token without the punctuation around it: "(Dresden)," -> "Dresden".
std::string Bare(std::string_view token) {
  size_t b = 0, e = token.size();
  auto punct = [](unsigned char c) {
    return c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '"' || c == '[' || c == ']' || c == '/';
  };
  while (b < e && punct(static_cast<unsigned char>(token[b]))) ++b;
  while (e > b && punct(static_cast<unsigned char>(token[e - 1]))) --e;
  std::string out(token.substr(b, e - b));
  // Quotes as UTF-8: „ “ ” ‚ ‘ ’.
  for (const char* q : {"\xe2\x80\x9e", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x9a", "\xe2\x80\x98"}) {
    const std::string qs(q);
    while (fields::StartsWith(out, qs)) out.erase(0, qs.size());
    while (fields::EndsWith(out, qs)) out.erase(out.size() - qs.size());
  }
  return out;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// The reading's articles ("der", "the", ...) at the start of `text`, removed.
std::string WithoutArticle(const Reading& reading, std::string_view text) {
  std::string t = Trim(text);
  const auto words = Tokens(t);
  if (words.size() > 1 && HasWord(reading.Words("parties.articles"), words[0])) {
    t = Trim(t.substr(words[0].size()));
  }
  return t;
}

// `word` (lowered) is an organisation word of the data (signatures.organisation_words,
// lower case): a long one also ends a compound ("Landesamt"), in any case or
// number (grammar.noun_endings); a short one stands alone, singular or plural.
bool IsOrganisationWord(const Reading& reading, std::string_view word) {
  const auto& long_endings = reading.Words("grammar.noun_endings");
  const auto& short_endings = reading.Words("grammar.plural_endings");
  for (const std::string& w : reading.Words("signatures.organisation_words")) {
    if (w.size() >= 6) {
      if (fields::EndsWith(word, w)) return true;
      for (const std::string& e : long_endings) {
        if (fields::EndsWith(word, e) && fields::EndsWith(word.substr(0, word.size() - e.size()), w)) return true;
      }
    } else {
      if (word == w) return true;
      for (const std::string& e : short_endings) {
        if (word.size() == w.size() + e.size() && fields::StartsWith(word, w) && fields::EndsWith(word, e)) return true;
      }
    }
  }
  return false;
}

bool IsOrganisationText(const Reading& reading, std::string_view text) {
  if (FindPhrase(text, reading.Words("parties.legal_forms"))) return true;
  // Whole words and phrases ("Rotes Kreuz") as printed, then words of compounds.
  if (FindPhrase(text, reading.Words("signatures.organisation_words"))) return true;
  for (const auto& tok : Tokens(text)) {
    if (IsOrganisationWord(reading, Lower(Bare(tok)))) return true;
  }
  return false;
}

// "J.", "R.C.", "M.-L.": initials.
bool IsInitials(std::string_view t) {
  if (t.size() < 2 || t.back() != '.') return false;
  bool letter = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (std::isupper(c) != 0) {
      if (letter) return false;  // two capitals in a row: not initials
      letter = true;
    } else if (c == '.' || c == '-') {
      letter = false;
    } else {
      return false;
    }
  }
  return true;
}

// A capitalised name word: "Biedenkopf", "Kramp-Karrenbauer", "O'Connor", "Müller".
bool IsNameWord(std::string_view t, bool caps_ok) {
  if (t.empty() || !fields::StartsUpper(t)) return false;
  size_t letters = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (std::isalpha(c) != 0 || c >= 0x80) {
      ++letters;
      continue;
    }
    if (c == '-' || c == '\'') continue;
    return false;
  }
  if (letters < 2) return false;
  if (!caps_ok && fields::IsAllCaps(t) && CodePoints(t) > 3) return false;
  return true;
}

// Leading phrases of `list` removed from `t` one after another; the removed
// text is appended to `kept` when given.
std::string StripLeading(std::string t, const std::vector<std::string>& list, std::vector<std::string>* kept,
                         bool* any) {
  for (int guard = 0; guard < 8; ++guard) {
    t = Trim(t);
    auto hit = StartsWithPhrase(t, list);
    if (!hit) break;
    if (kept) kept->push_back(t.substr(hit->begin, hit->end - hit->begin));
    if (any) *any = true;
    t = t.substr(hit->end);
  }
  return Trim(t);
}

std::optional<std::pair<std::string, std::string>> ClosingPlaceDate(const Reading& reading, const std::string& text) {
  std::string place, date;
  if (auto hit = StartsWithPhrase(text, reading.Words("signatures.closing_place"))) {
    const std::string rest = text.substr(hit->end);
    const auto dates = FindDates(rest);
    if (dates.empty()) return std::nullopt;
    date = dates[0].iso;
    std::string head = Trim(rest.substr(0, dates[0].begin));
    while (!head.empty() && (head.back() == ',' || head.back() == ' ')) head.pop_back();
    for (int guard = 0; guard < 3; ++guard) {
      const auto words = Tokens(head);
      if (words.empty() || !HasWord(reading.Words("signatures.date_links"), Lower(words.back()))) break;
      head = Trim(head.substr(0, head.size() - words.back().size()));
      while (!head.empty() && head.back() == ',') head.pop_back();
    }
    const auto words = Tokens(head);
    if (!words.empty() && words.size() <= 4 && fields::StartsUpper(head) && !HasDigit(head)) place = head;
    return std::pair{place, date};
  }
  const auto dates = FindDates(text);
  if (dates.size() == 1) return std::pair{std::string(), dates[0].iso};
  return std::nullopt;
}

std::string Caption(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '(' || c == ')' || c == '[' || c == ']') continue;
    out += c;
  }
  return Lower(fields::CollapseSpaces(Trim(out)));
}

std::optional<std::string> CaptionField(const Reading& reading, std::string_view text) {
  const std::string cap = Caption(text);
  if (cap.empty()) return std::nullopt;
  std::string word;
  bool any = false;
  for (size_t i = 0; i <= cap.size(); ++i) {
    const char c = i < cap.size() ? cap[i] : ' ';
    if (c == ' ' || c == ',' || c == '/' || c == '&' || c == ':' || c == '.') {
      if (!word.empty()) {
        if (!HasWord(reading.Words("signatures.captions"), word)) return std::nullopt;
        any = true;
      }
      word.clear();
    } else {
      word += c;
    }
  }
  if (!any) return std::nullopt;
  std::string field;
  for (const auto& [key, f] : reading.TableOf("signatures.labels")) {
    if (Lower(key) == cap) return f;
  }
  for (const auto& [key, f] : reading.TableOf("signatures.labels")) {
    if (f != "name" && f != "title") continue;
    if (FindPhrase(cap, std::vector<std::string>{key})) field = f;
  }
  return field;
}

void SetLabelValues(SignatureLine* s) {
  if (s->field == "date" || s->field == "place_date") {
    if (auto pd = fields::ParsePlaceDateLine(s->value)) {
      s->date = pd->date.iso;
      if (s->field == "place_date") s->place = pd->place;
    } else {
      const auto dates = FindDates(s->value);
      if (!dates.empty()) s->date = dates[0].iso;
    }
  } else if (s->field == "place") {
    std::string v = s->value;
    while (!v.empty() && (v.back() == ',' || v.back() == '.')) v.pop_back();
    if (!HasDigit(v)) s->place = Trim(v);
  }
}

double Median(std::vector<double> v, double fallback) {
  if (v.empty()) return fallback;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::string_view SignatureRoleName(SignatureRole role) {
  switch (role) {
    case SignatureRole::kOther: return "other";
    case SignatureRole::kProse: return "prose";
    case SignatureRole::kClosing: return "closing";
    case SignatureRole::kRule: return "rule";
    case SignatureRole::kCaption: return "caption";
    case SignatureRole::kPlaceDate: return "place-date";
    case SignatureRole::kOpener: return "opener";
    case SignatureRole::kOnBehalf: return "on-behalf";
    case SignatureRole::kMark: return "mark";
    case SignatureRole::kHonorific: return "honorific";
    case SignatureRole::kName: return "name";
    case SignatureRole::kOffice: return "office";
    case SignatureRole::kLabel: return "label";
    case SignatureRole::kCompany: return "company";
    case SignatureRole::kRoleLabel: return "role";
  }
  return "other";
}

std::optional<OfficeHit> FindOffice(const Reading& reading, std::string_view text) {
  std::optional<OfficeHit> best;
  if (auto hit = FindPhrase(text, reading.Words("signatures.offices"))) best = OfficeHit{hit->begin, false};
  // German compounds: "Umweltminister", "Ministerpräsidentin", "Generalsekretär";
  // inflected: "des Ministerpräsidenten", "des Ministers".
  // The stem, its female forms (grammar.person_noun_endings) and its oblique
  // cases (grammar.oblique_endings: the office the signer acts for).
  const auto& stems = reading.Words("signatures.office_stems");
  if (stems.empty()) return best;
  const auto& oblique_endings = reading.Words("grammar.oblique_endings");
  std::vector<std::string_view> endings{""};
  for (const char* key : {"grammar.person_noun_endings", "grammar.oblique_endings"}) {
    for (const std::string& e : reading.Words(key)) endings.push_back(e);
  }
  // The stems lowered once per call, not once per word.
  std::vector<std::string> bases;
  bases.reserve(stems.size());
  for (const auto& stem : stems) bases.push_back(Lower(stem));
  // `low` ends with `base` followed by `ending`.
  auto ends_with = [](std::string_view low, std::string_view base, std::string_view ending) {
    return low.size() >= base.size() + ending.size() && low.substr(low.size() - ending.size()) == ending &&
           low.substr(low.size() - ending.size() - base.size(), base.size()) == base;
  };
  size_t pos = 0;
  while (pos < text.size() && (!best || pos < best->at)) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ') ++end;
    const std::string_view raw = text.substr(pos, end - pos);
    const std::string bare = Bare(raw);
    if (!bare.empty() && fields::StartsUpper(bare)) {
      const std::string low = Lower(bare);
      for (const std::string& base : bases) {
        for (const std::string_view e : endings) {
          if (!ends_with(low, base, e)) continue;
          const bool oblique = std::find(oblique_endings.begin(), oblique_endings.end(), e) != oblique_endings.end();
          return OfficeHit{pos + raw.find(bare), oblique};
        }
      }
    }
    pos = end;
  }
  return best;
}

std::optional<std::string> SignaturePersonName(const Reading& reading, std::string_view text_in, bool single_ok) {
  std::string t = Trim(text_in);
  bool marked = false;  // "/s/ GORDON J. ROY": a conformed signature may be in capitals
  t = StripLeading(t, reading.Words("signatures.marks"), nullptr, &marked);
  single_ok = single_ok || marked;
  while (!t.empty() && (t.back() == ',' || t.back() == ';' || t.back() == ':')) t.pop_back();
  t = Trim(t);
  if (t.empty() || HasDigit(t) || t.size() > 80) return std::nullopt;
  // Forms of address go, academic titles stay: "Herr Prof. Dr. Kurt Biedenkopf".
  std::vector<std::string> kept;
  bool academic = false;
  for (int guard = 0; guard < 8; ++guard) {
    const std::string before = t;
    t = StripLeading(t, reading.Words("signatures.honorifics"), nullptr, nullptr);
    t = StripLeading(t, reading.Words("signatures.academic"), &kept, &academic);
    if (t == before) break;
  }
  std::vector<std::string> words = Tokens(t);
  // Trailing degrees: "John Smith, Ph.D.", "James Brown Jr."
  std::vector<std::string> tail;
  while (words.size() > 1 && HasWord(reading.Words("signatures.academic"), Lower(Bare(words.back())))) {
    tail.insert(tail.begin(), words.back());
    words.pop_back();
  }
  if (words.empty() || words.size() > 6) return std::nullopt;
  int name_words = 0, initials = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    if (i + 1 == words.size() && !w.empty() && w.back() == ',') w.pop_back();
    const std::string low = Lower(w);
    if (i > 0 && i + 1 < words.size() && HasWord(reading.Words("signatures.name_particles"), low)) continue;
    if (IsInitials(w)) {
      ++initials;
      continue;
    }
    if (!IsNameWord(w, /*caps_ok=*/single_ok)) return std::nullopt;
    if (HasWord(reading.Words("signatures.joining_words"), low) || HasWord(reading.Words("parties.articles"), low)) {
      return std::nullopt;
    }
    ++name_words;
  }
  if (name_words == 0) return std::nullopt;
  if (name_words + initials < 2 && !academic && !single_ok) return std::nullopt;
  // In capitals, a name shows an initial or a conformed signature ("/S/ BRIAN T.
  // SMITH"); "SOUTH COAST FOOTBALL" is a company.
  if (fields::IsAllCaps(t) && initials == 0 && !marked && !academic) return std::nullopt;
  if (FindOffice(reading, t) || IsOrganisationText(reading, t)) return std::nullopt;
  std::string out;
  for (const auto& k : kept) out += Trim(k) + " ";
  for (const auto& w : words) out += w + " ";
  for (const auto& w : tail) out += w + " ";
  out = Trim(out);
  while (!out.empty() && out.back() == ',') out.pop_back();
  return out;
}

SignatureLine ClassifySignatureLine(const Reading& reading, std::string_view text_in) {
  SignatureLine s;
  s.text = Trim(text_in);
  const std::string& t = s.text;
  if (t.empty()) return s;
  const auto words = Tokens(t);
  const int n_words = static_cast<int>(words.size());
  auto role = [&](SignatureRole r) {
    s.role = r;
    return s;
  };
  // "Signed in Brussels on 14 January 2026" is a block's place and date,
  // "Geschehen zu Bonn am 18. Mai 1990 in zwei Urschriften …" a closing.
  const bool closing = StartsWithPhrase(t, reading.Words("signatures.closing")).has_value();
  if (closing && n_words <= 12) {
    if (auto pd = fields::ParsePlaceDateLine(t); pd && !pd->place.empty()) {
      s.place = pd->place;
      s.date = pd->date.iso;
      return role(SignatureRole::kPlaceDate);
    }
  }
  if (closing) {
    if (auto pd = ClosingPlaceDate(reading, t)) s.place = pd->first, s.date = pd->second;
    return role(SignatureRole::kClosing);
  }
  if (IsSignatureRule(t)) return role(SignatureRole::kRule);
  if (auto label = SignatureLabelOf(t, reading.TableOf("signatures.labels"))) {
    s.field = label->field;
    s.value = label->value;
    if (s.field == "name" || s.field == "by") {
      // "By: /s/ Jane Doe", "Name: JOHN SMITH": the name, or no value.
      auto name = SignaturePersonName(reading, s.value, /*single_ok=*/true);
      s.value = name ? *name : std::string();
    }
    if (s.field == "organization" && s.value.empty()) return role(SignatureRole::kRoleLabel);
    SetLabelValues(&s);
    return role(SignatureRole::kLabel);
  }
  if (n_words <= 12) {
    if (auto pd = fields::ParsePlaceDateLine(t)) {
      if (!pd->place.empty() || n_words <= 6) {
        s.place = pd->place;
        s.date = pd->date.iso;
        return role(SignatureRole::kPlaceDate);
      }
    }
    if (auto place = SignatureBlankDatePlace(t)) {
      s.place = *place;
      return role(SignatureRole::kPlaceDate);
    }
  }
  if (auto field = CaptionField(reading, t)) {
    s.field = *field;
    return role(SignatureRole::kCaption);
  }
  // "vertreten durch den Minister für …": the signer's own office.
  if (auto hit = StartsWithPhrase(t, reading.Words("signatures.represented_by"))) {
    const std::string rest = Trim(t.substr(hit->end));
    if (rest.empty()) return role(SignatureRole::kMark);
    if (auto name = SignaturePersonName(reading, rest)) {
      s.value = *name;
      return role(SignatureRole::kName);
    }
    s.value = WithoutArticle(reading, rest);
    return role(SignatureRole::kOffice);
  }
  // "In Vertretung des Ministerpräsidenten" (for whom) or "in Vertretung der
  // Minister für Umwelt" (who signs); alone, a mark.
  if (auto hit = StartsWithPhrase(t, reading.Words("signatures.delegation"))) {
    const std::string rest = Trim(t.substr(hit->end));
    if (rest.empty()) return role(SignatureRole::kMark);
    const auto rest_words = Tokens(rest);
    const std::string article = Lower(rest_words[0]);
    const std::string object = WithoutArticle(reading, rest);
    if (auto office = FindOffice(reading, object); office && office->at == 0) {
      if (office->oblique || article == "des") return role(SignatureRole::kOnBehalf);
      s.value = object;
      return role(SignatureRole::kOffice);
    }
  }
  // "Für den Freistaat Sachsen", "FOR AND ON BEHALF OF ACME LTD:".
  if (fields::StartsUpper(t) && n_words <= 14) {
    if (auto hit = StartsWithPhrase(t, reading.Words("signatures.openers"))) {
      std::string object = Trim(t.substr(hit->end));
      while (!object.empty() && object.front() == ':') object = Trim(object.substr(1));
      if (!object.empty()) {
        const std::string bare = WithoutArticle(reading, object);
        const auto office = FindOffice(reading, bare);
        if (office && office->at == 0) return role(SignatureRole::kOnBehalf);
        s.value = object;
        // "Für den Senat Präses der Umweltbehörde": the body, then the office.
        if (office) {
          const size_t at = object.size() - bare.size() + office->at;
          const std::string before = Trim(object.substr(0, at));
          const auto bw = Tokens(before);
          if (!bw.empty() && fields::StartsUpper(Bare(bw.back())) &&
              !HasWord(reading.Words("signatures.joining_words"), Lower(bw.back()))) {
            s.value = before;
            s.title = Trim(object.substr(at));
          }
        }
        return role(SignatureRole::kOpener);
      }
    }
  }
  {
    // "Frau", "Herr Dr.": a form of address above the name.
    std::vector<std::string> kept;
    bool any = false;
    std::string rest = t;
    for (int guard = 0; guard < 6; ++guard) {
      const std::string before = rest;
      rest = StripLeading(rest, reading.Words("signatures.honorifics"), nullptr, &any);
      rest = StripLeading(rest, reading.Words("signatures.academic"), &kept, &any);
      if (rest == before) break;
    }
    if (any && rest.empty()) {
      for (const auto& k : kept) s.value += (s.value.empty() ? "" : " ") + Trim(k);
      return role(SignatureRole::kHonorific);
    }
  }
  {
    // "LICENSEE:", "the Company", "Kubient Signature:": whose block, not who signs.
    std::string bare = Lower(t);
    while (!bare.empty() && bare.back() == ':') bare.pop_back();
    bare = Trim(bare);
    bare = WithoutArticle(reading, bare);
    bool signature_caption = false;
    if (t.back() == ':' && n_words <= 3) {
      for (const auto& [key, field] : reading.TableOf("signatures.labels")) {
        if (field == "signature" && fields::EndsWith(bare, Lower(key))) signature_caption = true;
      }
    }
    if (HasWord(reading.Words("parties.roles"), bare) || signature_caption ||
        (n_words == 1 && t.back() == ':' && fields::IsAllCaps(t))) {
      return role(SignatureRole::kRoleLabel);
    }
  }
  if (auto name = SignaturePersonName(reading, t)) {
    s.value = *name;
    return role(SignatureRole::kName);
  }
  // "Jan Müller, Geschäftsführer" (but "Charity Tunes, Inc." is a company).
  if (const size_t comma = t.find(", "); comma != std::string::npos && !IsOrganisationText(reading, t)) {
    if (auto name = SignaturePersonName(reading, t.substr(0, comma))) {
      const std::string after = Trim(t.substr(comma + 2));
      if (!HasDigit(after) && (FindOffice(reading, after) || fields::StartsLower(after))) {
        s.value = *name;
        if (FindOffice(reading, after)) s.title = WithoutArticle(reading, after);
        return role(SignatureRole::kName);
      }
    }
  }
  if (FindPhrase(t, reading.Words("parties.legal_forms"))) return role(SignatureRole::kCompany);
  if (n_words <= 12) {
    if (auto office = FindOffice(reading, t)) {
      s.value = WithoutArticle(reading, t);
      return role(SignatureRole::kOffice);
    }
  }
  if (n_words < kProseWords &&
      (IsOrganisationText(reading, t) || (n_words >= 2 && fields::IsAllCaps(t) && !HasDigit(t)))) {
    return role(SignatureRole::kCompany);
  }
  if (n_words >= kProseWords) return role(SignatureRole::kProse);
  return role(SignatureRole::kOther);
}

int SignatureArea::columns(int page) const {
  for (const auto& [p, c] : columns_) {
    if (p == page) return c;
  }
  return 1;
}

namespace {

// A line spanning two columns, cut where its second half starts like its
// first ("Für die Gemeinde A Für die Gemeinde B", "Der Minister Der
// Finanzminister") near the right column's left edge.
std::optional<size_t> SplitPoint(const Reading& reading, const SignatureLine& s, double column_x) {
  const std::string& t = s.text;
  const auto words = Tokens(t);
  if (words.size() < 2) return std::nullopt;
  const double width = s.box.x1 - s.box.x0;
  const double total = static_cast<double>(CodePoints(t));
  std::optional<size_t> best;
  double best_d = 0;
  size_t pos = 0;
  for (size_t w = 0; w < words.size(); ++w) {
    pos = t.find(words[w], pos);
    if (w > 0 && words[w] == words[0]) {
      const double x = s.box.x0 + width * static_cast<double>(CodePoints(t.substr(0, pos))) / total;
      const double d = std::abs(x - column_x);
      if (d < 0.2 * width + 12 && (!best || d < best_d)) best = pos, best_d = d;
    }
    pos += words[w].size();
  }
  if (best) return best;
  // Two of a kind side by side: "David A. Siekman Barry N. Shamas", "President
  // Executive Vice President", "May 17, 2006 May 18, 2006".
  pos = 0;
  for (size_t w = 0; w < words.size(); ++w) {
    pos = t.find(words[w], pos);
    if (w > 0) {
      const double x = s.box.x0 + width * static_cast<double>(CodePoints(t.substr(0, pos))) / total;
      const double d = std::abs(x - column_x);
      if (d < 0.2 * width + 12 && (!best || d < best_d)) {
        const SignatureLine left = ClassifySignatureLine(reading, t.substr(0, pos));
        const SignatureLine right = ClassifySignatureLine(reading, t.substr(pos));
        const SignatureRole r = left.role;
        if (r == right.role && (r == SignatureRole::kName || r == SignatureRole::kOffice ||
                                r == SignatureRole::kPlaceDate || r == SignatureRole::kOpener ||
                                r == SignatureRole::kRule)) {
          best = pos, best_d = d;
        }
      }
    }
    pos += words[w].size();
  }
  return best;
}

struct Column {
  double x0, x1;
};

// Columns of one page's lines: the x ranges between empty vertical stripes
// (stripes crossed by a few lines only also count where the page has many:
// a centred caption or a long organisation name overflows its column). A
// column must hold at least two lines' left edges; a thinner one joins the
// neighbour it is closer to.
std::vector<Column> FindColumns(const std::vector<const SignatureLine*>& lines) {
  if (lines.empty()) return {};
  double lo = 1e9, hi = -1e9;
  for (const auto* s : lines) lo = std::min(lo, s->box.x0), hi = std::max(hi, s->box.x1);
  const double step = 2;
  const size_t bins = static_cast<size_t>(std::max(1.0, std::ceil((hi - lo) / step))) + 1;
  if (bins > 5000) return {{lo, hi}};
  std::vector<int> count(bins, 0);
  for (const auto* s : lines) {
    const size_t a = static_cast<size_t>(std::max(0.0, (s->box.x0 - lo) / step));
    const size_t b = std::min(bins - 1, static_cast<size_t>(std::max(0.0, (s->box.x1 - lo) / step)));
    for (size_t k = a; k <= b; ++k) ++count[k];
  }
  auto starts_in = [&](double a, double b) {
    int n = 0;
    for (const auto* s : lines) n += s->box.x0 >= a && s->box.x0 < b ? 1 : 0;
    return n;
  };
  struct Gap {
    double x0, x1;
  };
  std::vector<Gap> gaps;
  const int many = std::max(1, static_cast<int>(lines.size() / 10));
  for (int threshold : {0, many}) {
    if (threshold > 0 && lines.size() < 6) break;
    gaps.clear();
    size_t k = 0;
    while (k < bins) {
      if (count[k] > threshold) {
        ++k;
        continue;
      }
      size_t e = k;
      while (e < bins && count[e] <= threshold) ++e;
      const double g0 = lo + static_cast<double>(k) * step, g1 = lo + static_cast<double>(e) * step;
      if (g1 - g0 >= (threshold == 0 ? 12 : 30) && starts_in(lo - 1, g0) >= 2 && starts_in(g1 - 4, hi + 1) >= 2) {
        gaps.push_back({g0, g1});
      }
      k = e;
    }
    if (!gaps.empty()) break;
  }
  // Columns with fewer than two left edges join their closer neighbour.
  for (bool merged = true; merged && !gaps.empty();) {
    merged = false;
    for (size_t c = 0; c <= gaps.size(); ++c) {
      const double a = c == 0 ? lo - 1 : gaps[c - 1].x1 - 4, b = c == gaps.size() ? hi + 1 : gaps[c].x0;
      if (starts_in(a, b) >= 2) continue;
      size_t drop = c == 0 ? 0 : c - 1;
      if (c > 0 && c < gaps.size() && gaps[c].x1 - gaps[c].x0 < gaps[c - 1].x1 - gaps[c - 1].x0) drop = c;
      gaps.erase(gaps.begin() + static_cast<long>(drop));
      merged = true;
      break;
    }
  }
  std::vector<Column> cols;
  double start = lo;
  for (const Gap& g : gaps) {
    cols.push_back({start, g.x0});
    start = g.x1;
  }
  cols.push_back({start, hi});
  return cols;
}

int ColumnOf(const std::vector<Column>& cols, double x0) {
  int c = 0;
  for (size_t k = 1; k < cols.size(); ++k) {
    if (x0 >= cols[k].x0 - 4) c = static_cast<int>(k);
  }
  return c;
}

bool IsNameLine(const SignatureLine& s) {
  return s.role == SignatureRole::kName || (s.role == SignatureRole::kLabel && (s.field == "name" || s.field == "by") &&
                                            !s.value.empty());
}

// The surname-ish key of a name, for "the same name again".
std::string NameKey(const std::string& name) {
  const auto words = Tokens(name);
  return words.empty() ? std::string() : Lower(Bare(words.back()));
}

// Two keys of one name, allowing a typing error in a long one
// ("Braeglemann" / "Braegelmann").
bool SameKey(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.size() < 6 || b.size() < 6) return false;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()] <= 2;
}

}  // namespace

SignatureArea SignatureArea::Of(const Reading& reading) {
  SignatureArea area;
  const std::vector<size_t> zone = reading.LinesIn(Zone::kSignature);
  if (zone.empty()) return area;
  std::vector<double> heights;
  for (size_t i : zone) heights.push_back(reading.line(i).box.height());
  const double h = std::max(4.0, Median(heights, 10));

  // The area ends with its run of cues (signature_area.h) and the lines of
  // the last block after it; schedules and forms further on are not read.
  std::vector<size_t> indices;
  {
    size_t last_cue = zone.front();
    int prose = 0;
    for (size_t i : zone) {
      if (SignatureCueOf(reading, i) != SignatureCue::kNone) {
        if (prose > 10) break;
        last_cue = i;
        prose = 0;
      } else if (reading.features(i).words >= 8) {
        ++prose;
      }
    }
    size_t tail = 0;
    for (size_t i : zone) {
      if (i <= last_cue) {
        indices.push_back(i);
        continue;
      }
      const TextLine& l = reading.line(i);
      const TextLine& prev = reading.line(indices.back());
      if (l.page != reading.line(last_cue).page || reading.features(i).words >= 8 || ++tail > 15) break;
      if (l.box.y0 - prev.box.y1 > 6 * h) break;  // far below the blocks: a footer or a heading
      indices.push_back(i);
    }
  }
  // Lines taken for page furniture that stand right under a line of the
  // area (an office repeated on several pages) are read with it.
  {
    std::vector<size_t> zone_lines = indices;
    std::set<size_t> in(zone_lines.begin(), zone_lines.end());
    for (size_t i = zone_lines.front(); i <= zone_lines.back() + 3 && i < reading.size(); ++i) {
      if (in.count(i) != 0 || reading.zone(i) != Zone::kFurniture) continue;
      const LineFeatures& f = reading.features(i);
      if (f.page_number || f.stamp) continue;
      const TextLine& l = reading.line(i);
      bool under = false;
      for (size_t j : zone_lines) {
        const TextLine& a = reading.line(j);
        if (a.page == l.page && l.box.y0 >= a.box.y1 - 1 && l.box.y0 <= a.box.y1 + 1.5 * h &&
            std::abs(a.box.x0 - l.box.x0) < 3 * h) {
          under = true;
        }
      }
      if (under) indices.push_back(i);
    }
    std::sort(indices.begin(), indices.end());
  }

  std::vector<SignatureLine> lines;
  for (size_t i : indices) {
    const TextLine& l = reading.line(i);
    SignatureLine s = ClassifySignatureLine(reading, l.text);
    if (l.confidence < kMinConfidence && s.role != SignatureRole::kRule) s.role = SignatureRole::kOther;
    s.line = i;
    s.box = l.box;
    s.page = l.page;
    s.confidence = l.confidence;
    if (s.text.empty()) continue;
    // A closing formula with the lines of its sentence.
    if (!lines.empty() && lines.back().role == SignatureRole::kClosing && lines.back().page == s.page &&
        (s.role == SignatureRole::kProse || s.role == SignatureRole::kOther || s.role == SignatureRole::kCompany) &&
        lines.back().line + 1 == i && s.box.x0 <= lines.back().box.x0 + h &&
        !fields::EndsWith(lines.back().text, ".") && s.box.y0 - lines.back().box.y1 < h) {
      SignatureLine& c = lines.back();
      c.text = fields::JoinLines(c.text, s.text);
      c.box = c.box.Union(s.box);
      const SignatureLine again = ClassifySignatureLine(reading, c.text);
      c.place = again.place, c.date = again.date;
      continue;
    }
    lines.push_back(std::move(s));
  }

  // Columns, per page; lines across two columns are cut.
  std::map<int, std::vector<Column>> page_cols;
  {
    // Columns are found from the lines that make blocks (names, labels,
    // rules, offices, ...): company names and headings may be centred
    // across the columns.
    std::map<int, std::vector<const SignatureLine*>> by_page, typical;
    for (const auto& s : lines) {
      if (s.role == SignatureRole::kClosing || s.role == SignatureRole::kProse) continue;
      by_page[s.page].push_back(&s);
      if (s.role != SignatureRole::kCompany && s.role != SignatureRole::kOther) typical[s.page].push_back(&s);
    }
    for (auto& [page, v] : by_page) {
      const auto& t = typical[page];
      page_cols[page] = FindColumns(t.size() >= 4 ? t : v);
    }
    std::vector<SignatureLine> cut;
    for (auto& s : lines) {
      const auto& cols = page_cols[s.page];
      bool done = false;
      if (s.role != SignatureRole::kClosing && s.role != SignatureRole::kProse && cols.size() > 1) {
        for (size_t k = 1; k < cols.size() && !done; ++k) {
          if (s.box.x0 >= cols[k].x0 - 4 || s.box.x1 <= cols[k].x0 + 4) continue;
          auto at = SplitPoint(reading, s, cols[k].x0);
          if (!at) continue;
          const double width = s.box.x1 - s.box.x0;
          const double total = static_cast<double>(CodePoints(s.text));
          const double x = s.box.x0 + width * static_cast<double>(CodePoints(s.text.substr(0, *at))) / total;
          SignatureLine left = ClassifySignatureLine(reading, s.text.substr(0, *at));
          SignatureLine right = ClassifySignatureLine(reading, s.text.substr(*at));
          for (SignatureLine* part : {&left, &right}) {
            part->line = s.line, part->page = s.page, part->confidence = s.confidence, part->box = s.box;
          }
          left.box.x1 = x - 4;
          right.box.x0 = std::max(x, cols[k].x0);
          cut.push_back(std::move(left));
          cut.push_back(std::move(right));
          done = true;
        }
      }
      if (!done) cut.push_back(std::move(s));
    }
    lines = std::move(cut);
  }
  for (const auto& [page, cols] : page_cols) area.columns_.emplace_back(page, static_cast<int>(cols.size()));

  // A single word under a rule or a form of address is a name ("Schäuble").
  auto relabel_single_names = [&](std::vector<SignatureLine*>& col) {
    for (size_t k = 1; k < col.size(); ++k) {
      SignatureLine& s = *col[k];
      const SignatureLine& prev = *col[k - 1];
      if (s.role != SignatureRole::kOther && s.role != SignatureRole::kCompany) continue;
      if (prev.role != SignatureRole::kRule && prev.role != SignatureRole::kHonorific) continue;
      if (s.page != prev.page || s.box.y0 - prev.box.y1 > 1.5 * h) continue;
      if (fields::IsAllCaps(s.text)) continue;  // a table heading under a table rule
      auto name = SignaturePersonName(reading, s.text, /*single_ok=*/true);
      if (name && !IsOrganisationText(reading, s.text)) {
        s.role = SignatureRole::kName;
        s.value = *name;
      }
    }
  };

  // Columns as sequences, top to bottom; spanning lines apart.
  struct ColKey {
    int page, column;
    bool operator<(const ColKey& o) const { return page != o.page ? page < o.page : column < o.column; }
  };
  std::map<ColKey, std::vector<SignatureLine*>> cols;
  std::vector<SignatureLine*> spanning;
  for (auto& s : lines) {
    if (s.role == SignatureRole::kClosing || s.role == SignatureRole::kProse) {
      spanning.push_back(&s);
      continue;
    }
    cols[{s.page, ColumnOf(page_cols[s.page], s.box.x0)}].push_back(&s);
  }
  for (auto& [key, col] : cols) {
    std::stable_sort(col.begin(), col.end(),
                     [](const SignatureLine* a, const SignatureLine* b) { return a->box.y0 < b->box.y0 - 1; });
    relabel_single_names(col);
    // A name right above "By:" is the party signing, not its signatory:
    // "Rubio's Fresh Mexican Grill" / "By: /s/ …".
    for (size_t k = 0; k + 1 < col.size(); ++k) {
      SignatureLine& s = *col[k];
      const SignatureLine& n = *col[k + 1];
      if (s.role == SignatureRole::kName && s.text == s.value && n.role == SignatureRole::kLabel &&
          (n.field == "by" || n.field == "signature") && n.page == s.page && n.box.y0 - s.box.y1 < 3 * h) {
        s.role = SignatureRole::kCompany;
        s.value.clear();
      }
    }
  }

  // Whether place and date stand above the names: the vote of the columns.
  int above = 0, below = 0;
  for (auto& [key, col] : cols) {
    std::optional<size_t> pd, name;
    for (size_t k = 0; k < col.size(); ++k) {
      if (!pd && col[k]->role == SignatureRole::kPlaceDate) pd = k;
      if (!name && IsNameLine(*col[k])) name = k;
    }
    if (pd && name) (*pd < *name ? above : below) += 1;
  }
  area.place_date_above_ = above >= below;

  // Blocks, walking down each column.
  std::vector<SignatureBlock> blocks;
  for (auto& entry : cols) {
    const auto& key = entry.first;  // a plain reference: clang 14 cannot capture structured bindings
    auto& col = entry.second;
    SignatureBlock cur;
    std::string name_key;
    bool has_name = false, has_opener = false, has_rule = false, has_office = false, has_by = false, has_pd = false,
         title_after_name = false;
    auto flush = [&] {
      if (!cur.lines.empty()) {
        cur.page = key.page;
        cur.column = key.column;
        blocks.push_back(std::move(cur));
      }
      cur = SignatureBlock();
      name_key.clear();
      has_name = has_opener = has_rule = has_office = has_by = has_pd = title_after_name = false;
    };
    for (size_t k = 0; k < col.size(); ++k) {
      SignatureLine& s = *col[k];
      const SignatureLine* prev = cur.lines.empty() ? nullptr : &cur.lines.back();
      const double gap = prev ? s.box.y0 - prev->box.y1 : 0;
      bool split = false;
      if (prev) {
        // Running text or a closing formula between the two lines.
        for (const SignatureLine* sp : spanning) {
          if (sp->page == s.page && sp->box.y0 >= prev->box.y1 - 1 && sp->box.y1 <= s.box.y0 + 1) split = true;
        }
      }
      const SignatureRole r = s.role;
      const bool by = r == SignatureRole::kLabel && s.field == "by";
      const bool signature_label = r == SignatureRole::kLabel && s.field == "signature";
      if (!split && has_name) {
        if (r == SignatureRole::kOpener || r == SignatureRole::kHonorific || r == SignatureRole::kRoleLabel ||
            signature_label) {
          split = true;
        } else if (by && (!IsNameLine(s) || !SameKey(NameKey(s.value), name_key) || has_by)) {
          split = true;
        } else if (r == SignatureRole::kCompany &&
                   !(prev->role == SignatureRole::kCompany && gap < prev->box.height())) {
          // A company line opens the next block when a signature follows it
          // (a company name wrapped over two lines opens it once).
          for (size_t j = k + 1; j < col.size(); ++j) {
            const SignatureLine& n = *col[j];
            const SignatureLine& upper = *col[j - 1];
            if (n.role == SignatureRole::kCompany && upper.role == SignatureRole::kCompany &&
                n.box.y0 - upper.box.y1 < upper.box.height()) {
              continue;  // the company name's second line
            }
            if (n.role == SignatureRole::kCompany || n.role == SignatureRole::kOpener ||
                n.role == SignatureRole::kPlaceDate || (n.role == SignatureRole::kLabel && !n.date.empty())) {
              break;
            }
            if (IsNameLine(n) || (n.role == SignatureRole::kLabel && n.field == "by") ||
                n.role == SignatureRole::kRule) {
              split = true;
              break;
            }
          }
        } else if (r == SignatureRole::kRule) {
          split = gap > 0.8 * h;
        } else if (IsNameLine(s)) {
          // "By: /s/ …" and then "Name: …" under it name one signer.
          if (SameKey(NameKey(s.value), name_key) || (s.field == "name" && has_by && !title_after_name)) {
            s.duplicate = true;
          } else if (title_after_name || gap > 1.6 * h || prev->role == SignatureRole::kRule ||
                     r == SignatureRole::kName || s.field == "name") {
            split = true;
          }
        } else if (r == SignatureRole::kPlaceDate) {
          split = area.place_date_above_;
        }
      } else if (!split) {
        if (r == SignatureRole::kOpener && has_opener && (has_rule || has_office || gap > 1.6 * h)) split = true;
        if (r == SignatureRole::kPlaceDate && has_pd) split = true;
        if (by && has_by) split = true;
        if (r == SignatureRole::kCompany && has_by) split = true;
      }
      if (prev && prev->page != s.page) split = true;
      if (split) flush();
      cur.lines.push_back(s);
      if (s.duplicate) continue;
      if (IsNameLine(s) && !has_name) {
        has_name = true;
        name_key = NameKey(s.value);
        if (r == SignatureRole::kName && !s.title.empty()) title_after_name = true;
      } else if (has_name && (r == SignatureRole::kOffice || (r == SignatureRole::kLabel && s.field == "title"))) {
        title_after_name = true;
      }
      has_opener = has_opener || r == SignatureRole::kOpener;
      has_rule = has_rule || r == SignatureRole::kRule;
      has_office = has_office || r == SignatureRole::kOffice;
      has_by = has_by || by;
      has_pd = has_pd || r == SignatureRole::kPlaceDate;
    }
    flush();
  }
  for (SignatureLine* sp : spanning) {
    SignatureBlock b;
    b.page = sp->page;
    b.column = -1;
    b.lines.push_back(*sp);
    blocks.push_back(std::move(b));
  }
  for (auto& b : blocks) {
    b.box = b.lines.front().box;
    for (const auto& s : b.lines) b.box = b.box.Union(s.box);
  }
  // Row by row: blocks whose tops are within two line heights form a row.
  std::sort(blocks.begin(), blocks.end(), [](const SignatureBlock& a, const SignatureBlock& b) {
    return a.page != b.page ? a.page < b.page : a.box.y0 < b.box.y0;
  });
  for (size_t i = 0; i < blocks.size();) {
    size_t j = i + 1;
    while (j < blocks.size() && blocks[j].page == blocks[i].page && blocks[j].box.y0 - blocks[i].box.y0 < 2 * h) ++j;
    std::stable_sort(blocks.begin() + static_cast<long>(i), blocks.begin() + static_cast<long>(j),
                     [](const SignatureBlock& a, const SignatureBlock& b) { return a.box.x0 < b.box.x0; });
    i = j;
  }
  area.blocks_ = std::move(blocks);
  return area;
}

std::string SignatureArea::Describe() const {
  std::string out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "place/date %s the names\n", place_date_above_ ? "above" : "below");
  out += buf;
  for (const auto& [page, n] : columns_) {
    std::snprintf(buf, sizeof buf, "page %d: %d column(s)\n", page, n);
    out += buf;
  }
  for (const auto& b : blocks_) {
    std::snprintf(buf, sizeof buf, "block p%d col %d [%.0f %.0f %.0f %.0f]\n", b.page, b.column, b.box.x0, b.box.y0,
                  b.box.x1, b.box.y1);
    out += buf;
    for (const auto& s : b.lines) {
      out += "  " + std::string(SignatureRoleName(s.role));
      if (!s.field.empty()) out += "(" + s.field + ")";
      out += " | " + s.text;
      if (!s.value.empty()) out += " => " + s.value;
      if (!s.title.empty()) out += " / title " + s.title;
      if (!s.place.empty() || !s.date.empty()) out += " @ " + s.place + " " + s.date;
      if (s.duplicate) out += " (again)";
      out += "\n";
    }
  }
  return out;
}

}  // namespace pactum::extract
