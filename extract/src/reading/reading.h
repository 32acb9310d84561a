// One labelled reading of the document, made once and read by every field
// extractor: the lines in reading order, the document's language, its
// language data, and a zone for every line.
//
// Zones (what a line is part of):
//   furniture  running headers and footers, page numbers, filing stamps and
//              exhibit labels printed around the agreement;
//   title      the title block (kind of agreement, its name, a reference);
//   parties    the preamble that names the parties ("between … and …",
//              "This Agreement is made by …", "Parties: …");
//   recitals   "WHEREAS …" / "Präambel" up to the operative clauses;
//   body       the clauses;
//   signature  the signature area: the closing formula and every block;
//   annex      exhibits, schedules and annexes after the signature area.
// Extractors read the zones that can hold their field; none searches the
// whole text on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/extract/fields.h"
#include "reading/language_data.h"

namespace pactum::extract {

enum class Zone : std::uint8_t { kFurniture, kTitle, kParties, kRecitals, kBody, kSignature, kAnnex };
inline constexpr int kZoneCount = 7;
std::string_view ZoneName(Zone zone);

// What the zoner sees of a line (layout, typography, cue words).
struct LineFeatures {
  double top = 0, bottom = 0;        // of the page height, 0..1
  double left = 0, right = 0;        // of the page width, 0..1
  double height = 1;                 // line height / the document's median
  double gap_above = 0;              // space above / median height (page start: 0)
  bool centred = false;
  bool all_caps = false;
  int words = 0;
  bool first_on_page = false, last_on_page = false;
  bool repeated = false;             // same text (digits aside) on other pages' edges
  bool page_number = false;          // "Page 2 of 7", "- 3 -", "3"
  bool stamp = false;                // document.furniture phrase: "Exhibit 10.3", "Execution Copy"
  bool designation = false;          // document.designations: "Agreement", "Vertrag"
  bool party_cue = false;            // parties.intro: "between", "zwischen", "by and among"
  bool recital_cue = false;          // document.recitals: "WHEREAS", "Präambel"
  bool operative_cue = false;        // document.operative: "NOW, THEREFORE", "§ 1", "Article 1"
  bool signature_cue = false;        // signatures.closing ("IN WITNESS WHEREOF", "Geschehen zu") or a
                                     // short line opening like signatures.block ("By:", "Für den")
  bool annex_cue = false;            // document.annexes at the line start: "EXHIBIT A", "Anlage 1"
  bool numbered_heading = false;     // "1. Services", "§ 3", "Article 4"
  bool ends_sentence = false;        // ends with . ; :
};

class ZoneModel;  // zone_labeller.h
// The zone model built into the library; nullptr when it is missing or was
// trained for another feature layout.
const ZoneModel* BuiltInZoneModel();

class Reading {
 public:
  // Reads `text` (which must outlive the reading): language, features, zones.
  // The rule zoner (reading.cc) zones every line; with a `model` (by default
  // the built-in one) the model's zones replace them, the rule zones being
  // among its features. With none, the rule zones are the zones.
  static Reading Of(const DocumentText& text, const LanguageData& data = LanguageData::Get(),
                    const ZoneModel* model = BuiltInZoneModel());

  const DocumentText& text() const { return *text_; }
  const std::vector<TextLine>& lines() const { return text_->lines; }
  const TextLine& line(size_t i) const { return text_->lines[i]; }
  size_t size() const { return text_->lines.size(); }
  const std::string& language() const { return language_; }  // "de", "en" or "" (undecided)
  int pages() const { return pages_; }

  Zone zone(size_t i) const { return zones_[i]; }
  // The rule zoner's zone of line i (what the model reads as a feature).
  Zone rule_zone(size_t i) const { return rule_zones_[i]; }
  const LineFeatures& features(size_t i) const { return features_[i]; }
  // Indices of the lines in `zone`, in reading order.
  std::vector<size_t> LinesIn(Zone zone) const;
  bool HasZone(Zone zone) const;

  // Language data of the document's language ("" = every language). Words
  // of every language are used for cues, so a bilingual agreement and one
  // whose language was not decided still match.
  const std::vector<std::string>& Words(std::string_view key) const { return data_->List("", key); }
  const std::vector<std::string>& LanguageWords(std::string_view key) const { return data_->List(language_, key); }
  const Table& TableOf(std::string_view key) const { return data_->TableOf("", key); }
  const Table& LanguageTable(std::string_view key) const { return data_->TableOf(language_, key); }
  const LanguageData& data() const { return *data_; }

  // Where `text` names a kind of agreement: document.designations as words,
  // and words ending in document.designation_suffixes ("Fördervertrag").
  std::vector<PhraseHit> Designations(std::string_view text) const;

  // For tests and the trainer: set the zones directly.
  void SetZones(std::vector<Zone> zones) { zones_ = std::move(zones); }

  // Line i's signature cue (a SignatureCue, see signature_area.h), computed
  // once with the features: the zoner, the zone labeller and the signature
  // area all read it.
  std::uint8_t signature_cue(size_t i) const { return signature_cues_[i]; }

 private:
  const DocumentText* text_ = nullptr;
  const LanguageData* data_ = nullptr;
  std::string language_;
  int pages_ = 0;
  std::vector<LineFeatures> features_;
  std::vector<Zone> zones_;
  std::vector<Zone> rule_zones_;
  std::vector<std::uint8_t> signature_cues_;
};

// "de" or "en" from the data's function words (document.function_words);
// empty when undecidable.
std::string DetectLanguage(const DocumentText& text, const LanguageData& data);

}  // namespace pactum::extract
