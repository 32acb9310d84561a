// Signatories: the signature blocks under a place-and-date line
// ("Wiesbaden, den 2.8.2025", "Signed in Brussels on 14 January 2026").
//
// Blocks are found by geometry, not by reading order: the lines below a
// place/date line that start within its column (up to the next place/date
// line on the same row) and above the next place/date line in that column.
// Within a block: the first line that reads as a person's name is the name,
// the next line the title, the remaining lines the organisation. Repeated
// lines (an e-signature that prints the name twice) count once.
#include <algorithm>
#include <cmath>
#include <set>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/header.h"
#include "fields/names.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

struct PlaceDate {
  size_t line;
  std::string place;
  std::string date;  // ISO
};

std::optional<PlaceDate> ParsePlaceDate(const TextLine& line, size_t index) {
  auto pd = fields::ParsePlaceDateLine(line.text);
  if (pd && !pd->place.empty()) return PlaceDate{index, pd->place, pd->date.iso};
  // A place whose date is left to be filled in by hand: "Wiesbaden, den ______".
  static const fields::Regex blank(R"(\s*(\p{Lu}[^,;:0-9_]{1,40}?)\s*,\s*(?:den|am|the)?\s*[_.…]{4,}\s*)");
  fields::Match m;
  if (blank.FullMatch(line.text, &m)) return PlaceDate{index, Trim(m.str(1)), ""};
  return std::nullopt;
}

bool IsPersonName(const std::string& text) {
  // Name tokens: capitalised words, also with inner capitals or apostrophes
  // ("McAllister", "O'Connor"), hyphenated ("Schulte-Berge"), initials
  // ("J."), and the particles of names ("van der", "von", "de").
  static const std::string kTok = "\\p{Lu}[\\p{L}'’]+(?:-\\p{Lu}[\\p{L}'’]+)*";
  static const std::string kParticle = "van|von|der|den|de|del|della|di|da|du|le|la|zu|ten|ter|vom|zum|y|bin|al";
  static const fields::Regex re("(?:(?:Dr\\.?|Prof\\.?|Dipl\\.-\\w+\\.?|Mag\\.|Ing\\.|Mr\\.?|Mrs\\.?|Ms\\.?)\\s+)*(?:" + kTok + ")"
                             "(?:\\s+(?:" + kTok + "|\\p{Lu}\\.|" + kParticle + ")){1,4}");
  if (!re.FullMatch(text)) return false;
  // Job titles and organisations that look like names.
  static const fields::Regex not_name(
      R"(\b(Ministerium|Ministerin|Minister|Kreis|Landkreis|Stadt|Verein|Verband|Amt|Kammer|Jobcenter|Foundation|University|Trust|Head|Officer|Director|Direktor|Direktorin|Leiter|Leiterin|Vorstand|Vorständin|Präsident|Präsidentin|Geschäftsführer|Geschäftsführerin|Bürgermeister|Bürgermeisterin|Landrat|Landrätin|Staatssekretär|Staatssekretärin|Beigeordnete|Beigeordneter|Kreisbeigeordnete|Kreisbeigeordneter|Staatsministerin|Staatsminister|Chief|Manager|Programmes|President|Chair|Secretary|Erste|Erster|Oberbürgermeister|Oberbürgermeisterin|Referent|Referentin|Unterschrift|Signature|Datum|Date)\b)");
  return !not_name.Search(text);
}

// OCR of a handwritten signature yields short runs of symbols and stray
// letters ("f{e2QQ)", "tt Werde"); real lines are mostly letters with a
// confident recognition.
bool LooksLikeText(const TextLine& line) {
  if (line.confidence < 0.45) return false;
  size_t letters = 0, total = 0;
  for (size_t i = 0; i < line.text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line.text[i]);
    if ((c & 0xC0) == 0x80 || c == ' ') continue;
    ++total;
    if (std::isalpha(c) || c >= 0xC0 || c == '.' || c == '-' || c == ',' || c == '\'') ++letters;
  }
  return total > 0 && static_cast<double>(letters) >= 0.85 * static_cast<double>(total);
}

// "gez. Max Muster" (signed), "i. V. Max Muster" (on behalf), "i.A.": the
// marks before a name in a signature block.
std::string WithoutSigningMarks(const std::string& text) {
  static const fields::Regex marks(R"(\s*(?:gez\.|i\.\s?V\.|i\.\s?A\.|p\.\s?p\.|ppa\.|per pro)\s*(.*))", fields::Regex::kIgnoreCase);
  fields::Match m;
  return marks.FullMatch(text, &m) ? Trim(m.str(1)) : Trim(text);
}

bool IsNoise(const std::string& text) {
  const std::string t = Trim(text);
  if (t.empty()) return true;
  if (t.find("____") != std::string::npos || t.find("....") != std::string::npos) return true;
  const std::string lower = Lower(t);
  // Captions printed under the signature rule, and signing marks on a line
  // of their own.
  static const fields::Regex caption(
      R"(\(?\s*(?:unterschrift|signature|ort|place|datum|date|name|titel|title|funktion|function|position|stempel|stamp|dienstsiegel)(?:\s*(?:,|/|und|and|&)\s*(?:unterschrift|signature|ort|place|datum|date|name|titel|title|funktion|function|position|stempel|stamp|dienstsiegel))*\s*\)?|gez\.|im auftrag|in vertretung|i\.\s?a\.|i\.\s?v\.|ppa\.)",
      fields::Regex::kIgnoreCase);
  return caption.FullMatch(lower) || fields::IsPageNumberLine(t);
}

// "Name: Dr Priya Raman", "Titel: Leiterin", "Ort: Kassel", "Datum: 6.6.2024".
enum class Label { kNone, kName, kTitle, kPlace, kDate, kPlaceDate, kOrganization };

Label LabelOf(const std::string& text, std::string* value) {
  static const fields::Regex re(
      R"(\s*((?:Place|Ort)\s*(?:/|,|and|und)\s*(?:Date|Datum)|Name|Title|Position|Function|Funktion|Titel|Amt|Place|Ort|Date|Datum|Organi[sz]ation|Institution|Behörde)\s*:\s*(.*))",
      fields::Regex::kIgnoreCase);
  fields::Match m;
  if (!re.FullMatch(text, &m)) return Label::kNone;
  *value = Trim(m.str(2));
  const std::string key = Lower(m.str(1));
  if (key.find("dat") != std::string::npos && (fields::StartsWith(key, "place") || fields::StartsWith(key, "ort"))) {
    return Label::kPlaceDate;
  }
  if (key == "name") return Label::kName;
  if (key == "place" || key == "ort") return Label::kPlace;
  if (key == "date" || key == "datum") return Label::kDate;
  if (fields::StartsWith(key, "organi") || key == "institution" || key == "behörde") return Label::kOrganization;
  return Label::kTitle;
}

// The words that open an "on behalf of" line.
constexpr const char* kOnBehalfLead =
    R"(\s*(?:For and on behalf of|Signed for and on behalf of|Signed for|On behalf of|For|Für|Im Auftrag)\s)";

// "For the European Foundation for Vocational Learning:", "Für das Land Hessen:",
// and without the colon "For and on behalf of X", "Signed for X".
std::optional<std::string> OnBehalfOf(const std::string& text) {
  static const fields::Regex re(std::string(kOnBehalfLead) + R"(\s*(.+?)\s*:\s*)", fields::Regex::kIgnoreCase);
  static const fields::Regex explicit_lead(
      R"(\s*(?:(?:Signed\s+)?for and on behalf of|Signed for|On behalf of)\s+(.+?)\s*:?\s*)", fields::Regex::kIgnoreCase);
  fields::Match m;
  if (!re.FullMatch(text, &m) && !explicit_lead.FullMatch(text, &m)) return std::nullopt;
  std::string org = m.str(1);
  while (!org.empty() && org.back() == '.' && !fields::EndsWith(org, "Ltd.") && !fields::EndsWith(org, "Inc.") &&
         !fields::EndsWith(org, "e. V.") && !fields::EndsWith(org, "e.V.")) {
    org.pop_back();
  }
  return fields::names::Nominative(org);
}

// Place and date from a labelled line: "Place: Leeds", "Date: 10/04/2026",
// "Place/Date: Berlin, 3 March 2026"; the first of each wins. False for
// other labels.
bool ApplyPlaceDateLabel(Label label, const std::string& value, Signatory* s) {
  if (label == Label::kPlace) {
    if (!value.empty() && !s->place) s->place = value;
    return true;
  }
  if (label != Label::kDate && label != Label::kPlaceDate) return false;
  if (label == Label::kPlaceDate) {
    if (auto pd = fields::ParsePlaceDateLine(value)) {
      if (!pd->place.empty() && !s->place) s->place = pd->place;
      if (!s->date) s->date = pd->date.iso;
      return true;
    }
  }
  const auto dates = FindDates(value);
  if (!dates.empty() && !s->date) s->date = dates[0].iso;
  return true;
}

// A signatory enters the record once, by name, whichever kind of block
// found it first.
void AddOnce(Signatory s, Agreement* out) {
  for (const auto& have : out->signatories) {
    if (have.name == s.name) return;
  }
  out->signatories.push_back(std::move(s));
}

// Lines on `head`'s page that start within three line heights of its left
// edge, with their top below `from_y` and at most `reach` lines of `head`
// further down, top to bottom.
std::vector<const TextLine*> SameColumnBelow(const DocumentText& doc, const TextLine& head, double from_y,
                                             double reach) {
  const double h = std::max(6.0, head.box.height());
  std::vector<const TextLine*> out;
  for (const auto& line : doc.lines) {
    if (line.page != head.page || line.box.y0 <= from_y || line.box.y0 > head.box.y1 + reach * h) continue;
    if (std::abs(line.box.x0 - head.box.x0) > 3 * h) continue;
    out.push_back(&line);
  }
  std::stable_sort(out.begin(), out.end(), [](const TextLine* a, const TextLine* b) { return a->box.y0 < b->box.y0; });
  return out;
}

// Signature blocks written as labelled fields under "For …:".
void ExtractLabelledBlocks(const DocumentText& doc, Agreement* out) {
  const auto& L = doc.lines;
  for (size_t i = 0; i < L.size(); ++i) {
    std::string name;
    if (LabelOf(L[i].text, &name) != Label::kName || !IsPersonName(name)) continue;
    const TextLine& anchor = L[i];
    const double h = std::max(6.0, anchor.box.height());
    Signatory s;
    s.name = name;
    s.evidence = fields::EvidenceOf(anchor);
    // The other fields: labelled lines below in the same column.
    for (const TextLine* line : SameColumnBelow(doc, anchor, anchor.box.y0, 6)) {
      std::string value;
      const Label label = LabelOf(line->text, &value);
      if (label == Label::kName) break;
      if (value.empty()) continue;
      if (label == Label::kTitle && !s.title) s.title = value;
      if (label == Label::kOrganization && !s.organization) s.organization = value;
      ApplyPlaceDateLabel(label, value, &s);
    }
    // The organisation: "For …:" above in the same column, possibly wrapped.
    if (!s.organization) {
      std::string joined;
      for (size_t k = 0; k < L.size(); ++k) {
        const TextLine& line = L[k];
        if (line.page != anchor.page || line.box.y1 > anchor.box.y0 || line.box.y1 < anchor.box.y0 - 12 * h) continue;
        if (std::abs(line.box.x0 - anchor.box.x0) > 3 * h) continue;
        static const fields::Regex opens(std::string(kOnBehalfLead) + ".*", fields::Regex::kIgnoreCase);
        joined = joined.empty() || opens.FullMatch(line.text) ? line.text : fields::JoinLines(joined, line.text);
        if (auto org = OnBehalfOf(joined)) {
          s.organization = *org;
          break;
        }
        if (!joined.empty() && joined.back() == ':') joined.clear();
      }
    }
    AddOnce(std::move(s), out);
  }
}

// Blocks that open with "Für die Stadt Kassel:" / "For the Grantee:" and
// carry no place-and-date line (templates often leave both blank): the first
// person's name below, in the same column, signs; the line after it is the
// title. Place and date stay null unless the block states them.
void ExtractOnBehalfBlocks(const DocumentText& doc, Agreement* out) {
  const auto& L = doc.lines;
  for (size_t i = 0; i < L.size(); ++i) {
    auto org = OnBehalfOf(L[i].text);
    if (!org) continue;
    const TextLine& head = L[i];
    const std::vector<const TextLine*> below = SameColumnBelow(doc, head, head.box.y1 - 1, 12);
    Signatory s;
    for (size_t k = 0; k < below.size(); ++k) {
      const std::string text = WithoutSigningMarks(below[k]->text);
      if (OnBehalfOf(text)) break;  // the next block
      if (auto pd = fields::ParsePlaceDateLine(text)) {
        if (!pd->place.empty()) s.place = pd->place;
        s.date = pd->date.iso;
        continue;
      }
      std::string value;
      const Label label = LabelOf(text, &value);
      if (label != Label::kNone) {
        ApplyPlaceDateLabel(label, value, &s);
        continue;
      }
      if (s.name.empty() && IsPersonName(text) && LooksLikeText(*below[k])) {
        s.name = text;
        s.evidence = fields::EvidenceOf(*below[k]);
        if (k + 1 < below.size() && LooksLikeText(*below[k + 1]) && !IsNoise(below[k + 1]->text) &&
            !fields::ParsePlaceDateLine(below[k + 1]->text)) {
          s.title = Trim(below[k + 1]->text);
        }
      }
    }
    if (s.name.empty()) continue;
    s.organization = *org;
    AddOnce(std::move(s), out);
  }
}

}  // namespace

void ExtractSignatories(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  const auto& L = doc.lines;
  std::vector<PlaceDate> anchors;
  for (size_t i = 0; i < L.size(); ++i) {
    if (auto pd = ParsePlaceDate(L[i], i)) anchors.push_back(*pd);
  }
  for (size_t a = 0; a < anchors.size(); ++a) {
    const TextLine& anchor = L[anchors[a].line];
    const double h = std::max(6.0, anchor.box.height());
    // Column: from the anchor's left edge to the next anchor on the same row.
    double right = 1e9;
    for (const auto& other : anchors) {
      const TextLine& o = L[other.line];
      if (&o == &anchor || o.page != anchor.page) continue;
      const bool same_row = std::abs(o.box.y0 - anchor.box.y0) < h;
      // Skewed scans shift lower lines sideways: keep a margin of two line heights.
      if (same_row && o.box.x0 > anchor.box.x0) right = std::min(right, o.box.x0 - 2 * h);
    }
    // Stop at the next anchor below in the same column.
    double bottom = 1e9;
    for (const auto& other : anchors) {
      const TextLine& o = L[other.line];
      if (&o == &anchor || o.page != anchor.page) continue;
      if (o.box.y0 > anchor.box.y1 && o.box.x0 >= anchor.box.x0 - 2 * h && o.box.x0 < right) bottom = std::min(bottom, o.box.y0);
    }
    std::vector<const TextLine*> block;
    double last_y = anchor.box.y1;
    std::set<std::string> seen;
    std::vector<const TextLine*> candidates;
    for (const auto& line : L) {
      if (line.page != anchor.page || line.box.y0 <= anchor.box.y1 - 1 || line.box.y0 >= bottom) continue;
      if (line.box.x0 < anchor.box.x0 - 2 * h || line.box.x0 >= right - 1) continue;
      candidates.push_back(&line);
    }
    std::sort(candidates.begin(), candidates.end(), [](const TextLine* x, const TextLine* y) { return x->box.y0 < y->box.y0; });
    for (const TextLine* line : candidates) {
      // Signatures leave room above the name; a gap of several lines once
      // the block has begun ends it.
      if (!block.empty() && line->box.y0 - last_y > 3.5 * h) break;
      if (block.empty() && line->box.y0 - last_y > 12 * h) break;
      last_y = line->box.y1;
      if (IsNoise(line->text) || !LooksLikeText(*line)) continue;
      if (!seen.insert(WithoutSigningMarks(line->text)).second) continue;
      block.push_back(line);
      if (block.size() >= 7) break;
    }
    // Name: the first line that reads as a person's name, alone or before
    // a comma and the title ("Jan Müller, Geschäftsführer").
    size_t name_at = block.size();
    std::optional<std::string> title_on_name_line;
    for (size_t k = 0; k < block.size() && k < 3; ++k) {
      const std::string text = WithoutSigningMarks(block[k]->text);
      if (IsPersonName(text)) {
        name_at = k;
        break;
      }
      const size_t comma = text.find(", ");
      if (comma != std::string::npos && IsPersonName(Trim(text.substr(0, comma)))) {
        name_at = k;
        title_on_name_line = Trim(text.substr(comma + 2));
        break;
      }
    }
    if (name_at == block.size()) continue;
    Signatory s;
    s.name = WithoutSigningMarks(block[name_at]->text);
    if (title_on_name_line) {
      s.name = Trim(s.name.substr(0, s.name.find(", ")));
      s.title = title_on_name_line;
    }
    s.place = anchors[a].place;
    if (!anchors[a].date.empty()) s.date = anchors[a].date;
    s.evidence = fields::EvidenceOf(*block[name_at]);
    s.evidence.bbox = block[name_at]->box;
    // A title above the name ("Der Landrat" / "Max Muster") or below it.
    std::vector<std::string> rest;
    if (name_at > 0 && !s.title) s.title = Trim(block[name_at - 1]->text);
    for (size_t k = name_at + 1; k < block.size(); ++k) {
      const std::string t = Trim(block[k]->text);
      if (!s.title && k == name_at + 1) {
        s.title = t;
        continue;
      }
      rest.push_back(t);
    }
    if (!rest.empty()) {
      std::string org;
      for (const auto& r : rest) org = org.empty() ? r : fields::JoinLines(org, r);
      // "des Landkreises Hochtaunuskreis": the party it names, in the nominative.
      const std::string lower = Lower(org);
      if (fields::StartsWith(lower, "des ") || fields::StartsWith(lower, "der ")) {
        const std::string nominative = fields::names::Nominative(org);
        std::string match;
        for (const Party& p : out->parties) {
          if (fields::names::StemTail(p.name, 2) == fields::names::StemTail(nominative, 2)) match = p.name;
        }
        org = match.empty() ? nominative : match;
      }
      s.organization = org;
    }
    AddOnce(std::move(s), out);
  }
  ExtractLabelledBlocks(doc, out);
  ExtractOnBehalfBlocks(doc, out);
}

}  // namespace pactum::extract
