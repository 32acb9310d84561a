// Signatories: one per block of the signature area (reading/signature_blocks.h)
// that holds a person's name.
//
// Within a block the lines are labelled already, by the rules
// (signature_blocks.h) and by the signature labeller (signature_labeller.h):
// where the labeller is sure (its margin reaches the model's threshold) and
// its tag differs from the rules' reading, the line is read as it tags it
// (ApplyTags). The fields are read from the labels:
//   name          a "Name:" label, else "By: /s/ …", else the name line; a form
//                 of address above it gives its academic titles ("Herr Dr.");
//   title         a "Title:" / "Its:" / "Funktion:" label, else the value above
//                 a "(Title)" caption, else "Name, Title", else the first office
//                 after the name, else the last one above it (not the office
//                 the signer acts for: "Für den Ministerpräsidenten"), wrapped
//                 lines joined, the article dropped;
//   organization  the "Für …" / "For …" line (nominative, without article),
//                 else an organisation label or company line above the name,
//                 else the lines after the title ("des Landkreises X" gives the
//                 party it names); in a single column, a block without any
//                 takes the one above it;
//   place, date   the block's own place-and-date line or labels, else the
//                 closest shared one before it: a closing formula ("Geschehen
//                 zu Bonn am …"), a place-and-date line of no block's own, or
//                 one standing above the names of an earlier block of the
//                 area; failing those, the first shared one after it.
// A signatory enters the record once, by name.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/names.h"
#include "reading/signature_blocks.h"
#include "reading/signature_labeller.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

struct PlaceDate {
  std::string place, date;
  bool empty() const { return place.empty() && date.empty(); }
};

bool IsJoiningWord(const Reading& reading, const std::string& word) {
  return HasWord(reading.Words("signatures.joining_words"), word);
}

std::string LastWord(const std::string& text) {
  const size_t sp = text.find_last_of(' ');
  return sp == std::string::npos ? text : text.substr(sp + 1);
}

// `text` with the wrapped lines after block line `k` joined on: lines that
// continue it (it ends with a comma, a hyphen or a joining word such as
// "des" / "für" / "of"; or the next line starts in lower case or is a single
// word of no kind). Sets `*next` to the first line not taken.
std::string JoinContinuation(const Reading& reading, const SignatureBlock& b, size_t k, std::string text,
                             size_t* next = nullptr, bool genitive_is_org = false, bool single_word = true) {
  size_t j = k + 1;
  for (; j < b.lines.size(); ++j) {
    const SignatureLine& n = b.lines[j];
    if (n.duplicate) break;
    const bool lower_start = fields::StartsLower(n.text);
    const bool kind_ok = n.role == SignatureRole::kOther || n.role == SignatureRole::kCompany ||
                         (n.role == SignatureRole::kOffice && lower_start);
    if (!kind_ok || text.empty()) break;
    const char last = text.back();
    const bool single = single_word && n.text.find(' ') == std::string::npos;
    const bool wrapped = last == ',' || last == '-' || IsJoiningWord(reading, LastWord(text));
    // Under a name, "Kreisbeigeordnete" / "des Kreises Offenbach" is the office
    // and then the organisation, in the genitive (above a name, "Der
    // Ministerpräsident" / "des Freistaates Sachsen" is one office).
    const bool genitive_org = genitive_is_org && lower_start && n.role == SignatureRole::kCompany;
    if (!(wrapped || (lower_start && !genitive_org) || single)) break;
    text = fields::JoinLines(text, n.text);
  }
  if (next) *next = j;
  return text;
}

bool IsRoleWord(const Reading& reading, const std::string& word) {
  const std::string low = Lower(word);
  for (const auto& r : reading.Words("parties.roles")) {
    if (Lower(r) == low) return true;
  }
  return false;
}

// An organisation as printed, without the colon of "Für …:" or a trailing
// full stop (one that ends a legal form stays: "Ltd.", "e. V.").
std::string CleanOrganisation(const Reading& reading, std::string org) {
  org = Trim(org);
  if (org.size() > 2 && org.front() == '(' && org.back() == ')') org = Trim(org.substr(1, org.size() - 2));
  // ", a Delaware corporation", ", as Seller": a description, not the name.
  if (auto cut = FindPhrase(org, reading.Words("signatures.organisation_cuts")); cut && cut->begin > 0) {
    org = Trim(org.substr(0, cut->begin));
  }
  // A defined term after the name: ("Customer"), “Contractor”.
  for (int guard = 0; guard < 2; ++guard) {
    const std::string t = org;
    for (const char* close : {")", "\"", "\xe2\x80\x9d"}) {
      if (!fields::EndsWith(org, close)) continue;
      const std::string_view c(close);
      const std::string open = c == ")" ? "(" : c == "\"" ? "\"" : "\xe2\x80\x9c";
      const size_t at = org.rfind(open, org.size() - std::string_view(close).size() - 1);
      if (at == std::string::npos || at == 0) continue;
      const std::string inner = org.substr(at);
      if (std::string_view(close) == ")" && inner.find('"') == std::string::npos &&
          inner.find("\xe2\x80\x9c") == std::string::npos) {
        continue;  // "(formerly …)" stays
      }
      org = Trim(org.substr(0, at));
      while (!org.empty() && (org.back() == ',' || org.back() == '(')) org = Trim(org.substr(0, org.size() - 1));
    }
    if (org == t) break;
  }
  // A role before the name: "SHIPPER: ACME GAS COMPANY".
  if (const size_t colon = org.find(": "); colon != std::string::npos && org.find(' ') > colon) {
    const std::string head = org.substr(0, colon);
    if (fields::IsAllCaps(head) || IsRoleWord(reading, head)) org = Trim(org.substr(colon + 2));
  }
  // A label run on from the next line: "ACME, INC. By".
  if (const size_t sp = org.find_last_of(' '); sp != std::string::npos) {
    std::string last = Lower(org.substr(sp + 1));
    while (!last.empty() && last.back() == ':') last.pop_back();
    for (const auto& [key, field] : reading.TableOf("signatures.labels")) {
      if (field == "by" && Lower(key) == last) org = Trim(org.substr(0, sp));
    }
  }
  while (!org.empty() && (org.back() == ':' || org.back() == ',' || org.back() == ';')) {
    org = Trim(org.substr(0, org.size() - 1));
  }
  if (!org.empty() && org.back() == '.') {
    const auto hit = FindPhrase(org, reading.Words("parties.legal_forms"));
    bool legal_end = false;
    for (auto h = hit; h; h = FindPhrase(org, reading.Words("parties.legal_forms"), h->begin + 1)) {
      if (h->end == org.size()) legal_end = true;
    }
    if (!legal_end && LastWord(org).size() > 3) org.pop_back();
  }
  return Trim(org);
}

// Without quotes and brackets around: '"Company"' -> 'Company'.
std::string Bare(std::string t) {
  for (const char* q : {"\"", "\xe2\x80\x9c", "\xe2\x80\x9d", "(", ")", "'"}) {
    for (size_t at = t.find(q); at != std::string::npos; at = t.find(q)) t.erase(at, std::string_view(q).size());
  }
  return Trim(t);
}

bool IsRole(const Reading& reading, const std::string& org) {
  std::string low = Lower(org);
  if (const size_t space = low.find(' ');
      space != std::string::npos && HasWord(reading.Words("parties.articles"), std::string_view(low).substr(0, space))) {
    low = low.substr(space + 1);
  }
  for (const auto& r : reading.Words("parties.roles")) {
    if (Lower(r) == low) return true;
  }
  return false;
}

// "des Landkreises Hochtaunuskreis": the party it names, else its nominative.
std::string Nominative(const std::string& org, const Agreement& agreement) {
  const std::string nominative = fields::names::Nominative(org);
  // After an oblique article (grammar.oblique_articles): the party it names.
  static const std::vector<std::string>& oblique = LanguageData::Get().List("", "grammar.oblique_articles");
  const size_t space = org.find(' ');
  if (space != std::string::npos && HasWord(oblique, std::string_view(org).substr(0, space))) {
    for (const Party& p : agreement.parties) {
      if (fields::names::StemTail(p.name, 2) == fields::names::StemTail(nominative, 2)) return p.name;
    }
  }
  return nominative;
}

bool SameName(const std::string& a, const std::string& b) {
  return Lower(fields::CollapseSpaces(a)) == Lower(fields::CollapseSpaces(b));
}

struct BlockFields {
  std::optional<Signatory> signatory;
  PlaceDate own;            // the block's own place and date
  PlaceDate own_line;       // ... from a place-and-date line (not a "Date:" label)
  bool own_above = false;   // ... standing above the name
  bool has_organisation_line = false;
};

// A surname alone under the office of a block that names no one else
// ("Der Ministerpräsident" / "Mustermann"): a capitalised word of no other
// kind, not the wrapped end of the office.
void FindSurnameAlone(const Reading& reading, SignatureBlock* b) {
  auto& L = b->lines;
  const bool has_name = std::any_of(L.begin(), L.end(), [](const SignatureLine& l) {
    return !l.value.empty() && (l.role == SignatureRole::kName || (l.role == SignatureRole::kLabel &&
                                                                   (l.field == "name" || l.field == "by")));
  });
  if (has_name) return;
  for (size_t k = 1; k < L.size(); ++k) {
    SignatureLine& l = L[k];
    if (l.role != SignatureRole::kOther || l.text.find(' ') != std::string::npos) continue;
    size_t p = k;
    while (p > 0 && (L[p - 1].role == SignatureRole::kRule || L[p - 1].role == SignatureRole::kMark)) --p;
    if (p == 0) continue;
    const SignatureLine& above = L[p - 1];
    if (above.role != SignatureRole::kOffice && above.role != SignatureRole::kOnBehalf) continue;
    const char last = above.text.empty() ? ' ' : above.text.back();
    if (last == ',' || last == '-' || IsJoiningWord(reading, LastWord(above.text))) continue;
    if (auto name = SignaturePersonName(reading, l.text, /*single_ok=*/true); name && !fields::IsAllCaps(l.text)) {
      l.role = SignatureRole::kName;
      l.value = *name;
      return;
    }
  }
}

// The labeller's tag of a line replaces the rules' reading of it where the
// two differ and the model's margin reaches the model's threshold: the line
// becomes a name, an office, a company line, a place and date, or nothing of
// these, and the fields are read from the lines so labelled.
void ApplyTags(const Reading& reading, const std::vector<SignatureLineTag>& tags, double threshold,
               SignatureBlock* b) {
  const bool has_organisation = std::any_of(b->lines.begin(), b->lines.end(), [](const SignatureLine& l) {
    return RuleTag(l) == SignatureTag::kOrganisation;
  });
  for (size_t k = 0; k < b->lines.size() && k < tags.size(); ++k) {
    SignatureLine& l = b->lines[k];
    const SignatureLineTag& t = tags[k];
    if (t.margin < threshold || t.tag == RuleTag(l)) continue;
    const SignatureRole r = l.role;
    // The line above has the same tag (the model's, or the rules' where the
    // model is unsure): this line is its wrapped end.
    auto continues = [&](SignatureTag tag) {
      if (k == 0) return false;
      const SignatureLineTag& above = tags[k - 1];
      return (above.margin >= threshold ? above.tag : RuleTag(b->lines[k - 1])) == tag;
    };
    // A number, an amount or a code is no name, title or organisation.
    const size_t letters = static_cast<size_t>(std::count_if(l.text.begin(), l.text.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0xC3;
    }));
    const size_t digits = static_cast<size_t>(std::count_if(l.text.begin(), l.text.end(), [](char c) {
      return c >= '0' && c <= '9';
    }));
    const bool wordy = letters >= 3 && digits * 4 <= letters;
    const bool plain_role = r == SignatureRole::kOther || r == SignatureRole::kCompany ||
                            r == SignatureRole::kOffice || r == SignatureRole::kName;
    const bool plain = wordy && plain_role;
    switch (t.tag) {
      case SignatureTag::kName:
        if (!plain || l.duplicate) break;
        if (auto name = SignaturePersonName(reading, l.text, /*single_ok=*/true)) {
          l.role = SignatureRole::kName, l.value = *name, l.title.clear();
        }
        break;
      case SignatureTag::kTitle:
        // The wrapped part of the title above stays for the rules to join on.
        if (!plain || continues(SignatureTag::kTitle)) break;
        l.role = SignatureRole::kOffice, l.title.clear();
        if (auto office = FindOffice(reading, l.text)) l.value = Trim(l.text.substr(office->at));
        else l.value = Trim(l.text);
        break;
      case SignatureTag::kOrganisation:
        // One organisation per block: the model adds one where the block has none.
        if (!plain || continues(SignatureTag::kOrganisation) || has_organisation) break;
        l.role = SignatureRole::kCompany, l.value.clear(), l.title.clear();
        break;
      case SignatureTag::kPlaceDate:
        if (l.date.empty() && l.place.empty()) break;
        if (plain_role) l.role = SignatureRole::kPlaceDate;
        break;
      case SignatureTag::kOther:
        // Only a name is taken back (a heading read as one): an office may be
        // the one the signer acts for, a company line the party signing.
        if (r != SignatureRole::kName) break;
        l.role = SignatureRole::kOther, l.value.clear(), l.title.clear();
        break;
    }
  }
}

BlockFields ReadBlock(const Reading& reading, const SignatureBlock& block, const Agreement& agreement,
                      const std::vector<SignatureLineTag>& tags, double threshold) {
  BlockFields out;
  SignatureBlock b = block;
  ApplyTags(reading, tags, threshold, &b);
  FindSurnameAlone(reading, &b);
  const auto& L = b.lines;
  auto is_name = [](const SignatureLine& s) {
    return !s.duplicate && !s.value.empty() &&
           (s.role == SignatureRole::kName ||
            (s.role == SignatureRole::kLabel && (s.field == "name" || s.field == "by")));
  };
  // Place and date.
  std::optional<size_t> name_at;
  for (size_t k = 0; k < L.size() && !name_at; ++k) {
    if (is_name(L[k])) name_at = k;
  }
  for (size_t k = 0; k < L.size(); ++k) {
    const SignatureLine& s = L[k];
    const bool pd = s.role == SignatureRole::kPlaceDate ||
                    (s.role == SignatureRole::kLabel &&
                     (s.field == "date" || s.field == "place" || s.field == "place_date"));
    if (!pd) continue;
    if (out.own.place.empty() && !s.place.empty()) out.own.place = s.place;
    if (out.own.date.empty() && !s.date.empty()) out.own.date = s.date;
    if (s.role == SignatureRole::kPlaceDate && out.own_line.empty()) out.own_line = PlaceDate{s.place, s.date};
    if (s.role == SignatureRole::kPlaceDate && (!name_at || k < *name_at)) out.own_above = true;
  }
  for (const auto& s : L) {
    out.has_organisation_line = out.has_organisation_line || s.role == SignatureRole::kOpener ||
                                s.role == SignatureRole::kCompany ||
                                (s.role == SignatureRole::kLabel && s.field == "organization");
  }
  if (!name_at) return out;

  // A "Name:" label names the signer as printed; prefer it to the signature
  // ("By: /s/ JANE T. DOE" / "Name: Jane T. Doe").
  std::string printed;
  for (size_t k = 0; k < L.size(); ++k) {
    if (L[k].role == SignatureRole::kLabel && L[k].field == "name" && !L[k].value.empty()) {
      if (!L[k].duplicate) name_at = k;
      printed = L[k].value;
      break;
    }
  }
  const SignatureLine& name_line = L[*name_at];
  // A name line alone is a heading as often as a name: a block's name needs a
  // label, a rule, an office, an opener, a place and date or a form of address.
  if (name_line.role == SignatureRole::kName && name_line.title.empty()) {
    auto supports = [](const SignatureLine& l) {
      switch (l.role) {
        case SignatureRole::kRule: case SignatureRole::kOpener: case SignatureRole::kOnBehalf:
        case SignatureRole::kOffice: case SignatureRole::kLabel: case SignatureRole::kPlaceDate:
        case SignatureRole::kHonorific: case SignatureRole::kMark: case SignatureRole::kRoleLabel:
        case SignatureRole::kCaption:
          return true;
        default:
          return false;
      }
    };
    // ... on the line right above or below it.
    bool supported = false;
    for (size_t k = *name_at; k-- > 0;) {
      if (L[k].duplicate) continue;
      supported = supports(L[k]);
      break;
    }
    for (size_t k = *name_at + 1; k < L.size() && !supported; ++k) {
      if (L[k].duplicate) continue;
      supported = supports(L[k]);
      break;
    }
    // ... or anywhere in a block opened for an organisation, by a form of
    // address or under a place and date.
    supported = supported || std::any_of(L.begin(), L.end(), [](const SignatureLine& l) {
                  return l.role == SignatureRole::kOpener || l.role == SignatureRole::kOnBehalf ||
                         l.role == SignatureRole::kHonorific || l.role == SignatureRole::kPlaceDate;
                });
    const bool signed_mark = name_line.text != name_line.value;  // "/s/ Jane Doe", "gez. Max Muster"
    if (!supported && !signed_mark) return out;
  }
  Signatory s;
  s.name = printed.empty() ? name_line.value : printed;
  // "Herr Dr." on the line above: the academic title belongs to the name.
  for (size_t k = *name_at; k-- > 0;) {
    if (L[k].role == SignatureRole::kRule) continue;
    if (L[k].role == SignatureRole::kHonorific && !L[k].value.empty() && !fields::StartsWith(s.name, L[k].value)) {
      s.name = L[k].value + " " + s.name;
    }
    break;
  }
  s.evidence = fields::EvidenceOf(reading.line(name_line.line));
  s.evidence.bbox = name_line.box;
  s.evidence.confidence = std::min(name_line.confidence, name_line.role == SignatureRole::kLabel ? 0.9 : 0.8);

  // Title.
  std::optional<std::string> title;
  size_t title_end = *name_at + 1;  // the first line after the name not read as its title
  for (size_t k = 0; k < L.size() && !title; ++k) {
    const SignatureLine& l = L[k];
    if (l.role != SignatureRole::kLabel || l.field != "title" || l.value.empty()) continue;
    title = l.value;
    // "Title: Executive Vice" / "President", the second line under the value.
    if (k + 1 < L.size() && L[k + 1].box.y0 - l.box.y1 < 0.6 * l.box.height() &&
        (L[k + 1].role == SignatureRole::kOffice ||
         (L[k + 1].role == SignatureRole::kOther && L[k + 1].box.x0 > l.box.x0 + l.box.height()))) {
      title = fields::JoinLines(*title, L[k + 1].text);
      title_end = k + 2;
    }
  }
  if (!title) {
    for (size_t k = 1; k < L.size() && !title; ++k) {
      if (L[k].role != SignatureRole::kCaption || L[k].field != "title") continue;
      for (size_t j = k; j-- > 0;) {
        if (L[j].role == SignatureRole::kRule || L[j].role == SignatureRole::kCaption) continue;
        if (!is_name(L[j]) && !L[j].duplicate) title = Trim(L[j].value.empty() ? L[j].text : L[j].value);
        break;
      }
    }
  }
  if (!title && !name_line.title.empty()) title = name_line.title;
  if (!title) {
    // "By: /s/ Eddie Sample" and under it "Eddie Sample, President".
    for (const auto& l : L) {
      if (l.duplicate && l.role == SignatureRole::kName && !l.title.empty()) {
        title = l.title;
        break;
      }
    }
  }
  if (!title) {
    const bool has_opener = std::any_of(L.begin(), L.end(), [](const SignatureLine& l) {
      return l.role == SignatureRole::kOpener;
    });
    for (size_t k = *name_at + 1; k < L.size(); ++k) {
      if (L[k].role == SignatureRole::kOffice) {
        title = JoinContinuation(reading, b, k, L[k].value, &title_end, /*genitive_is_org=*/!has_opener,
                                 /*single_word=*/false);
        break;
      }
      if (L[k].role == SignatureRole::kOpener || L[k].role == SignatureRole::kPlaceDate || is_name(L[k])) break;
    }
  }
  if (!title) {
    for (size_t k = *name_at; k-- > 0;) {
      if (L[k].role == SignatureRole::kOffice) {
        // The office may be the wrapped end of a longer one: "vertreten durch das
        // für die Abfallwirtschaft" / "zuständige Senatsmitglied".
        while (k > 0 && fields::StartsLower(L[k].text) && !FindOffice(reading, L[k - 1].text) &&
               (L[k - 1].role == SignatureRole::kOffice || L[k - 1].role == SignatureRole::kOther)) {
          --k;
        }
        title = JoinContinuation(reading, b, k, L[k].value.empty() ? L[k].text : L[k].value, nullptr, false,
                                 /*single_word=*/false);
        break;
      }
      if (L[k].role == SignatureRole::kOpener && !L[k].title.empty()) {
        title = L[k].title;
        break;
      }
    }
  }
  if (!title) {
    // A short line right under the name: "Rector", "Head of Programmes".
    size_t k = *name_at + 1;
    while (k < L.size() && (L[k].duplicate || L[k].role == SignatureRole::kRule)) ++k;
    if (k < L.size() && L[k].role == SignatureRole::kOther && std::count(L[k].text.begin(), L[k].text.end(), ' ') < 6 &&
        L[k].text.back() != ':') {
      title = Trim(L[k].text);
      title_end = k + 1;
    }
  }
  // "Susan Sample, Town Clerk" under "By: /s/ Susan Sample": the title is what follows the name.
  auto without_name = [&](std::string v) {
    if (Lower(v).rfind(Lower(s.name), 0) == 0) {
      v = Trim(v.substr(s.name.size()));
      while (!v.empty() && (v.front() == ',' || v.front() == '-')) v = Trim(v.substr(1));
    }
    return v;
  };
  if (title) title = without_name(*title);
  // A defined term after the title: 'President "Consultant"'.
  if (title) {
    for (const char* open : {"\"", "\xe2\x80\x9c"}) {
      const size_t at = title->find(open);
      if (at != std::string::npos && at > 0) title = Trim(title->substr(0, at));
    }
  }
  if (title && !title->empty()) s.title = *title;

  // Organisation.
  std::optional<std::string> org;
  for (size_t k = 0; k < L.size() && !org; ++k) {
    if (L[k].role != SignatureRole::kOpener) continue;
    const std::string joined = CleanOrganisation(reading, JoinContinuation(reading, b, k, L[k].value));
    if (!joined.empty() && !IsRole(reading, joined)) org = fields::names::Nominative(joined);
  }
  for (size_t k = 0; k < L.size() && !org; ++k) {
    if (L[k].role == SignatureRole::kLabel && L[k].field == "organization" && !L[k].value.empty()) {
      org = CleanOrganisation(reading, L[k].value);
    }
  }
  for (size_t k = *name_at; k-- > 0 && !org;) {  // the company line closest above the name
    if (L[k].role != SignatureRole::kCompany) continue;
    // A company name wrapped over two lines: "B C Marketing Concepts Inc., dba Full Sail" / "Brewing Company".
    while (k > 0 && L[k - 1].role == SignatureRole::kCompany && L[k].box.y0 - L[k - 1].box.y1 < L[k].box.height()) --k;
    org = CleanOrganisation(reading, JoinContinuation(reading, b, k, L[k].text));
  }
  if (!org) {
    // The lines after the name and its title: "Hessisches Ministerium" / "für Arbeit, …".
    std::string joined;
    for (size_t k = std::max(title_end, *name_at + 1); k < L.size(); ++k) {
      const SignatureLine& l = L[k];
      if (l.duplicate || l.role == SignatureRole::kRule || l.role == SignatureRole::kCaption) continue;
      if (s.title && Lower(l.text).find(Lower(*s.title)) != std::string::npos) continue;  // the title's line
      if (l.role == SignatureRole::kOffice && s.title && Lower(l.value) != Lower(*s.title)) continue;
      if ((l.role != SignatureRole::kOther && l.role != SignatureRole::kCompany) ||
          std::any_of(l.text.begin(), l.text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          FindPhrase(l.text, reading.Words("document.designations"))) {
        if (!joined.empty()) break;  // an address, a telephone number, "[Signature page to the Agreement]"
        continue;
      }
      joined = joined.empty() ? l.text : fields::JoinLines(joined, l.text);
    }
    joined = CleanOrganisation(reading, joined);
    if (!joined.empty()) org = Nominative(joined, agreement);
  }
  // "JOHN SMITH" above "By: /s/ John Smith": an individual signs for no organisation.
  if (org) org = without_name(*org);
  if (org && IsRole(reading, Bare(*org))) org.reset();  // '"Company"' is a defined term
  if (org && !org->empty() && !SameName(*org, s.name)) s.organization = *org;
  out.signatory = std::move(s);
  return out;
}

}  // namespace

void ExtractSignatories(const Reading& reading, Agreement* out) {
  ExtractSignatoriesWith(reading, out, BuiltInSignatureModel());
}

void ExtractSignatoriesWith(const Reading& reading, Agreement* out, const SignatureModel* model) {
  const SignatureArea area = SignatureArea::Of(reading);
  const auto& blocks = area.blocks();
  // The labeller's tags, line by line in the blocks' order (none without a model).
  std::vector<SignatureLineTag> tags;
  if (model && !model->Covers(reading.language())) model = nullptr;
  if (model) tags = LabelSignatureLines(*model, SignatureFeatures(reading, blocks));
  size_t first_tag = 0;
  std::vector<BlockFields> fields(blocks.size());
  // Place and date shared by the blocks after them (or, failing those, before).
  std::vector<std::optional<PlaceDate>> shared(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    const SignatureBlock& b = blocks[i];
    std::vector<SignatureLineTag> block_tags;
    if (first_tag + b.lines.size() <= tags.size()) {
      block_tags.assign(tags.begin() + static_cast<std::ptrdiff_t>(first_tag),
                        tags.begin() + static_cast<std::ptrdiff_t>(first_tag + b.lines.size()));
    }
    first_tag += b.lines.size();
    fields[i] = ReadBlock(reading, b, *out, block_tags, model ? model->threshold : 0);
    if (b.column < 0) {
      const SignatureLine& l = b.lines.front();
      if (l.role == SignatureRole::kClosing && (!l.place.empty() || !l.date.empty())) {
        shared[i] = PlaceDate{l.place, l.date};
      }
      continue;
    }
    if (!fields[i].signatory && !fields[i].own.empty()) shared[i] = fields[i].own;
    else if (fields[i].signatory && fields[i].own_above && area.place_date_above()) shared[i] = fields[i].own;
  }
  std::optional<PlaceDate> carry;
  std::map<std::pair<int, int>, PlaceDate> column_carry;  // page, column: the last place/date above a name there
  std::optional<std::string> column_org;
  int column_page = -1, column_index = -2;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const SignatureBlock& b = blocks[i];
    BlockFields& f = fields[i];
    if (f.signatory) {
      Signatory s = *f.signatory;
      PlaceDate pd = f.own;
      if (pd.empty()) {
        // The one place-and-date line of the blocks beside it ("Bonn, den …"
        // under the left block of a row).
        std::optional<PlaceDate> row;
        int rows = 0;
        for (size_t j = 0; j < blocks.size(); ++j) {
          if (j == i || blocks[j].column < 0 || !blocks[j].SameRow(b) || fields[j].own_line.empty()) continue;
          row = fields[j].own_line;
          ++rows;
        }
        if (rows == 1) pd = *row;
      }
      if (pd.empty()) {
        if (auto it = column_carry.find({b.page, b.column}); it != column_carry.end()) {
          pd = it->second;
        } else if (carry) {
          pd = *carry;
        } else {
          for (size_t j = i + 1; j < blocks.size(); ++j) {
            if (shared[j] && !fields[j].signatory) {
              pd = *shared[j];
              break;
            }
          }
        }
      }
      if (!pd.place.empty()) s.place = pd.place;
      if (!pd.date.empty()) s.date = pd.date;
      // In one column, a block of no organisation of its own signs for the one above.
      if (!s.organization && !f.has_organisation_line && column_org && column_page == b.page &&
          column_index == b.column && area.columns(b.page) == 1) {
        s.organization = column_org;
      }
      if (s.organization) column_org = s.organization;
      column_page = b.page, column_index = b.column;
      const bool seen = std::any_of(out->signatories.begin(), out->signatories.end(),
                                    [&](const Signatory& have) { return SameName(have.name, s.name); });
      if (!seen) out->signatories.push_back(std::move(s));
    }
    if (shared[i]) carry = shared[i];
    if (shared[i] && f.signatory && b.column >= 0) column_carry[{b.page, b.column}] = *shared[i];
  }
}

std::vector<SigningOrganisation> SigningOrganisations(const Reading& reading) {
  std::vector<SigningOrganisation> out;
  const SignatureArea area = SignatureArea::Of(reading);
  const auto& openers = reading.Words("signatures.openers");
  for (const SignatureBlock& b : area.blocks()) {
    if (b.column < 0) continue;
    auto add = [&](size_t k, const std::string& text) {
      std::string org = CleanOrganisation(reading, JoinContinuation(reading, b, k, text));
      while (!org.empty() && (org.back() == ',' || org.back() == ':')) org.pop_back();
      // "Investment Manager of the Limited Partner": an office, not who signs
      // (unless it has a legal form: "Example Holdings Manager L.L.C.").
      if (org.empty() || IsRole(reading, Bare(org))) return;
      if (FindOffice(reading, org) && !HasWord(reading.Words("parties.legal_forms"), org.substr(org.rfind(' ') + 1))) return;
      out.push_back({fields::names::Nominative(org), b.lines[k].line});
    };
    // The block's first line after a date, a role ("SPONSOR:") or text that runs on from above it.
    size_t k = 0;
    while (k < b.lines.size() && (b.lines[k].role == SignatureRole::kPlaceDate ||
                                  b.lines[k].role == SignatureRole::kProse ||
                                  b.lines[k].role == SignatureRole::kRoleLabel ||
                                  b.lines[k].role == SignatureRole::kCaption ||
                                  (b.lines[k].role == SignatureRole::kLabel && b.lines[k].field == "date") ||
                                  (b.lines[k].role == SignatureRole::kOther && fields::StartsLower(b.lines[k].text)))) {
      ++k;
    }
    if (k < b.lines.size() && b.lines[k].role == SignatureRole::kCompany) add(k, b.lines[k].text);
    for (; k < b.lines.size(); ++k) {
      const SignatureLine& l = b.lines[k];
      if (l.role == SignatureRole::kOpener) {
        add(k, l.value);
        continue;
      }
      // A company line right after a signer's labels heads the next signer's
      // block, left in this one ("Title: …" / "EXAMPLE FUND II LP").
      if (l.role == SignatureRole::kCompany && k > 0 &&
          (b.lines[k - 1].role == SignatureRole::kLabel || b.lines[k - 1].role == SignatureRole::kCaption) &&
          b.lines[k - 1].field != "by") {
        add(k, l.text);
        continue;
      }
      // "For and on behalf of" on a line of its own: the organisation is the next line.
      std::string bare = Trim(l.text);
      while (!bare.empty() && bare.back() == ':') bare.pop_back();
      const auto hit = StartsWithPhrase(bare, openers);
      if (!hit || hit->end != bare.size() || k + 1 >= b.lines.size()) continue;
      const SignatureLine& next = b.lines[k + 1];
      if (next.role == SignatureRole::kCompany || next.role == SignatureRole::kName ||
          next.role == SignatureRole::kOther) {
        add(k + 1, next.text);
      }
    }
  }
  return out;
}

}  // namespace pactum::extract
