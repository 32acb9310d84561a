// The signature area as blocks, one per signer.
//
// The lines of Zone::kSignature are labelled one by one (SignatureRole: an
// organisation line "Für den Freistaat Sachsen", an office "Der
// Ministerpräsident", a person's name, a rule to sign on, a place and date,
// "Name:" / "Title:" / "By:" labels, ...), then split into blocks by
// geometry and by what opens a block:
//   columns   per page, from the empty vertical stripes between the lines
//             (a line printed across two columns is cut where its second
//             half starts like its first: "Für … Für …", "Der … Der …");
//   blocks    top to bottom in a column: a block holds one signer's name;
//             after the name, what opens the next signer's block starts a
//             new one (an organisation line, "By:", a form of address, a
//             rule after signing space, another name after a title, a
//             company line followed by a signature), and a place-and-date
//             line goes above or below the names as the area's blocks do;
//   shared    closing formulas and running text span the columns and stand
//             apart ("Geschehen zu Bonn am …", "IN WITNESS WHEREOF …").
// Blocks come row by row, left to right. The fields of a signatory are
// read from its block in fields/signatories.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::extract {

class Reading;

enum class SignatureRole : std::uint8_t {
  kOther,      // short text of no other kind: a wrapped organisation name, a title without office word
  kProse,      // running text inside the area
  kClosing,    // "IN WITNESS WHEREOF …", "Geschehen zu Bonn am … " (with its continuation lines)
  kRule,       // "________"
  kCaption,    // "(Signature)", "Ort, Datum", "(Unterschrift, Stempel)": field = what the value above is
  kPlaceDate,  // "Bonn, den 1. Mai 1990", "Kassel, den ____", "January 1, 2004"
  kOpener,     // "Für den Freistaat Sachsen", "FOR AND ON BEHALF OF ACME LTD": value = the organisation as printed
  kOnBehalf,   // "Für den Ministerpräsidenten", "In Vertretung des …": the office the signer acts for
  kMark,       // "In Vertretung", "i. A." on a line of its own
  kHonorific,  // "Frau", "Herr Dr.": value = the academic titles in it ("Dr.")
  kName,       // a person: value = the name (marks and forms of address removed), title = "Name, Title"'s title
  kOffice,     // "Der Ministerpräsident", "vertreten durch den Minister für …": value = the office without article
  kLabel,      // "Name: …", "Title: …", "By: …", "Date: …": field and value
  kCompany,    // an organisation's name: a legal form, an organisation word or all capitals
  kRoleLabel,  // "LICENSEE:", "CLIENT", "Kubient Signature:"
};
std::string_view SignatureRoleName(SignatureRole role);

struct SignatureLine {
  size_t line = 0;   // index into the reading
  std::string text;  // the line, or its part when a line spans two columns
  Box box;
  int page = 0;
  double confidence = 1;
  SignatureRole role = SignatureRole::kOther;
  std::string field;        // kLabel / kCaption: name, title, date, place, place_date, organization, by, signature
  std::string value;        // see SignatureRole
  std::string title;        // kName written "Jan Müller, Geschäftsführer": "Geschäftsführer"
  std::string place, date;  // kPlaceDate, kClosing and place / date labels: the place, the ISO date
  bool duplicate = false;   // the block's name again (an e-signature prints it twice)
};

struct SignatureBlock {
  std::vector<SignatureLine> lines;  // top to bottom
  int page = 0;
  int column = -1;  // -1: spans the columns (closing formula, running text)
  Box box;
  // Whether two blocks stand side by side (on one page, overlapping in height).
  bool SameRow(const SignatureBlock& o) const {
    return page == o.page && box.y0 < o.box.y1 && o.box.y0 < box.y1;
  }
};

class SignatureArea {
 public:
  static SignatureArea Of(const Reading& reading);

  // Every block, row by row and left to right, spanning ones included.
  const std::vector<SignatureBlock>& blocks() const { return blocks_; }
  // True when the area's place-and-date lines stand above the names (the
  // German custom), false when below them.
  bool place_date_above() const { return place_date_above_; }
  // Columns found on `page` (1 when the blocks stand one below the other).
  int columns(int page) const;
  // The blocks and their labelled lines, for debugging.
  std::string Describe() const;

 private:
  std::vector<SignatureBlock> blocks_;
  std::vector<std::pair<int, int>> columns_;  // page, count
  bool place_date_above_ = true;
};

// One line of a signature area labelled on its own, without the lines
// around it (its role may still change with its block: a single word under
// a rule is a name).
SignatureLine ClassifySignatureLine(const Reading& reading, std::string_view text);

// A person's name as printed in a signature block: marks ("gez.", "/s/",
// "i. V.") and forms of address ("Herr", "Mr.") removed, academic titles
// kept; 2 to 5 name words (with initials and particles), or one after an
// academic title, or one when `single_ok` (the line under a rule). Not a
// name: lines with an office, an organisation word, a legal form or digits.
std::optional<std::string> SignaturePersonName(const Reading& reading, std::string_view text, bool single_ok = false);

// The office in `text`: the byte offset of the first office word
// ("Ministerpräsident", "Umweltministerin", "Chief Executive Officer"), and
// whether it is inflected (the genitive / accusative of a German office:
// "des Ministerpräsidenten", "Ministers").
struct OfficeHit {
  size_t at = 0;
  bool oblique = false;
};
std::optional<OfficeHit> FindOffice(const Reading& reading, std::string_view text);

}  // namespace pactum::extract
