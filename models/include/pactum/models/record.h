// The agreement record: what POST /v1/extract returns (shared/spec/API.md).
//
// Plain value types, no I/O. Geometry is in PDF points (1/72 inch) measured
// from the page's top-left corner, x to the right and y downwards; for images
// one point is one pixel at 72 dpi. Pages are 1-based everywhere.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pactum/models/enums.h"
#include "pactum/models/signature.h"

namespace pactum {

struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // x0 <= x1, y0 <= y1

  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
  // The smallest box holding both.
  Box Union(const Box& o) const;
};

struct Evidence {
  int page = 0;                       // 1-based
  std::optional<Box> bbox;            // where on the page
  std::optional<double> confidence;   // 0..1
};

struct Party {
  std::string name;                   // nominative, no leading article
  std::optional<std::string> short_name;  // e.g. "HMSI", where the text defines one
  Evidence evidence;
};

struct Amount {
  std::string value;                  // "965950.00": exactly two decimals
  std::string currency;               // ISO 4217, e.g. "EUR"
  std::string text;                   // as printed, e.g. "965.950 Euro"
  std::string context;                // the phrase the amount belongs to
  Evidence evidence;
};

struct DateItem {
  std::string date;                   // ISO 8601 YYYY-MM-DD
  std::string text;                   // as printed
  DateKind kind = DateKind::kOther;  // what the date is for (enums.h spells each value)
  Evidence evidence;
};

struct Project {
  std::optional<int> category_number; // null for unnumbered lists
  std::string category;               // heading of the list the project stands under
  std::string name;
  Evidence evidence;
};

struct Signatory {
  std::string name;
  std::optional<std::string> title;
  std::optional<std::string> organization;
  std::optional<std::string> place;
  std::optional<std::string> date;    // ISO 8601
  Evidence evidence;
};

// The law the agreement is governed by, where a clause chooses one.
struct GoverningLaw {
  std::string jurisdiction;           // the place: "New York", "Hessen", "Deutschland", "England and Wales"
  std::string text;                   // as printed, e.g. "governed by the laws of the State of New York"
  Evidence evidence;
};

// The agreement's fixed (initial) term, where the text states it as a
// duration from the effective or agreement date.
struct Term {
  std::string duration;               // ISO 8601, e.g. "P2Y", "P18M", "P90D"
  std::string text;                   // as printed, e.g. "for a period of two (2) years"
  Evidence evidence;
};

struct Agreement {
  std::optional<std::string> type;
  std::optional<std::string> title;
  std::optional<int> year;
  std::optional<std::string> subject;
  std::vector<Party> parties;
  std::vector<Amount> amounts;
  std::vector<DateItem> dates;
  std::vector<Project> projects;
  std::vector<Signatory> signatories;
  std::optional<GoverningLaw> governing_law;  // null where no clause chooses a law
  std::optional<Term> term;                   // null where open-ended or not stated
};

// How one page's text was obtained and why (the per-page OCR decision).
struct PageInfo {
  int page = 0;
  PageTextSource text_source = PageTextSource::kPdfText;  // text layer or OCR
  std::string reason;                 // e.g. "text-layer", "no-text-layer", "ocr=always"
  std::optional<double> ocr_mean_confidence;
};

struct DocumentInfo {
  std::string media_type;             // application/pdf, image/png, image/jpeg, image/tiff
  std::optional<std::string> file_name;  // the uploaded file's name, where the client gave one
  long long bytes = 0;
  int pages = 0;
  DocumentTextSource text_source = DocumentTextSource::kPdfText;  // of the pages: one, or mixed
  std::optional<std::string> language;   // "de", "en"
  std::optional<double> ocr_mean_confidence;
  std::vector<PageInfo> page_info;
  // The document's full text, where asked for (ExtractOptions::full_text,
  // ?text=true): every page's lines in reading order, joined by "\n", the
  // pages separated by a form feed "\f" (a page not read is empty). In JSON
  // an extension member written only when set.
  std::optional<std::string> text;
};

struct Warning {
  std::string code;                   // machine readable, e.g. "page-skipped"
  std::string message;
  std::optional<int> page;
};

struct AgreementRecord {
  std::string id;                     // sha256 of the uploaded bytes, lowercase hex
  // A partial record (a job's extraction that reached its deadline with
  // partial results on): the fields come from the pages read, and
  // missing_pages (1-based, ascending, not empty) lists the others. In JSON
  // both members are written only when partial is true.
  bool partial = false;
  std::vector<int> missing_pages;
  DocumentInfo document;
  Agreement agreement;
  std::vector<SignatureReport> signatures;  // empty for unsigned PDFs and images
  std::vector<Warning> warnings;
};

}  // namespace pactum
