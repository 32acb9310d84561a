// What changed between a signed revision and the final file: the object-level
// difference analysis that decides "modified after signing".
//
// The signed revision is the prefix of the file that a signature's byte range
// ends in; the final file is that prefix plus incremental updates. An update
// may add signature fields (with their widgets and appearance), document
// timestamps and validation data (/DSS), and fill an empty signature field.
// Everything else that is redefined, removed or added to what is displayed
// (pages, content, resources, annotations, form values, the catalogue) is a
// modification. Unreferenced new objects are harmless and ignored.
#pragma once

#include <qpdf/QPDF.hh>

#include <string>
#include <vector>

namespace pactum::signing {

struct WidgetRect {
  int page = 0;          // 0-based page index in the final file
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // PDF user space, normalised
};

struct RevisionChanges {
  // Machine-readable reasons, each once: "catalog_changed", "object_redefined",
  // "object_removed", "form_changed", "annotation_added", "annotation_removed",
  // "field_removed", "pages_changed", "encryption_added". Empty: nothing but
  // allowed additions.
  std::vector<std::string> reasons;
  std::vector<std::string> details;   // human-readable, for the log
  int added_signatures = 0;           // new or newly filled signature fields (not timestamps)
  int added_timestamps = 0;           // new document timestamps
  bool dss_changed = false;
  bool resources_changed = false;     // the form's /DR changed: appearances may be rebuilt
  bool any_change = false;            // the final file differs in any object
  std::vector<WidgetRect> new_widgets;  // rectangles of added signature widgets
};

// Compares the signed revision with the final file. Never throws: a qpdf
// failure while comparing is reported as "object_redefined" with a detail.
RevisionChanges CompareRevisions(QPDF& signed_rev, QPDF& final_doc);

}  // namespace pactum::signing
