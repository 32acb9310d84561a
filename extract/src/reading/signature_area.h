// Where the signature area begins: the cues a signature page is made of
// (closing formulas, place-and-date lines, block openers and labels,
// signature rules) and the last run of them that reads as the signing of
// the agreement. The zoner (reading.cc) calls FindSignatureStart once; the
// block model (signature_blocks.h) reads the same cues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pactum::extract {

class Reading;

enum class SignatureCue : std::uint8_t {
  kNone,
  kClosing,    // signatures.closing at the line start: "IN WITNESS WHEREOF", "Geschehen zu"
  kPlaceDate,  // "Bonn, den 1. Mai 1990", "Signed in Brussels on 14 January 2026", "Kassel, den ____"
  kLabel,      // a field label of a block: "By:", "Name:", "Title:", "Its:", "Funktion:"
  kBlock,      // a short line opening like signatures.block: "Für den Freistaat Sachsen", "For the Licensee:"
  kRule,       // a signature rule: "______", "-------"
};

// A strong cue marks a signature area on its own; block openers and rules
// only together with others.
inline bool IsStrongSignatureCue(SignatureCue cue) {
  return cue == SignatureCue::kClosing || cue == SignatureCue::kPlaceDate || cue == SignatureCue::kLabel;
}

// A field label at the start of a line, from signatures.labels: "Name: Jan
// Berg" is {field "name", value "Jan Berg"}; "Title:" has an empty value.
// The colon may be missing only after "By" and "Name" when a value follows.
struct SignatureLabel {
  std::string field;  // name, title, date, place, place_date, organization, by, signature
  std::string value;  // trimmed; a rule after the label ("Signature: ____") is no value
};
std::optional<SignatureLabel> SignatureLabelOf(std::string_view text,
                                               const std::vector<std::pair<std::string, std::string>>& labels);

// "Wiesbaden, den ______": the place of a place-and-date line whose date is
// left to be written by hand.
std::optional<std::string> SignatureBlankDatePlace(std::string_view text);

// True for a line that is only a rule to sign on ("________", "-------",
// "…………"), possibly with a caption in parentheses.
bool IsSignatureRule(std::string_view text);

// What line `i` of the reading says about a signature area: computed by
// Reading::Of once its features are (ComputeSignatureCue), read back here.
SignatureCue SignatureCueOf(const Reading& reading, size_t i);
SignatureCue ComputeSignatureCue(const Reading& reading, size_t i);

// The index of the first line of the signature area, searched from `from`
// on (lines marked in `furniture` are skipped); reading.size() when the
// text has none. The area is the last run of cues whose lines are not
// separated by running text; of several runs, the last that holds a strong
// cue in the second half of the document. Company lines right above a
// "By:" opening the run belong to it.
size_t FindSignatureStart(const Reading& reading, const std::vector<bool>& furniture, size_t from);

}  // namespace pactum::extract
