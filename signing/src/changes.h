// What one incremental update changes, by meaning: the difference analysis
// behind "modified after signing".
//
// CompareRevisions takes two consecutive revisions of a file (the older one
// a prefix of the newer) and classifies every object the newer one
// redefines. A change is explained only by a rule that understands it:
//   none         an object rewritten with the same value, new objects nothing
//                refers to, the document information (/Info), the XMP
//                /Metadata, /Extensions, /Version, /MarkInfo, the form's
//                bookkeeping (/DR, /DA, /NeedAppearances, /SigFlags, the
//                order of /Fields);
//   ltv          validation data (/DSS, /VRI) and invisible document
//                timestamps (ISO 32000-2, 12.8.2.2: allowed even after a
//                certification with P=1);
//   signing      a new signature field or a filled empty one, with its
//                widget on a page, its appearance, /Perms, and the structure
//                tree entries (/StructTreeRoot, /ParentTree) for its widget;
//   form_filling an empty field given a value, and its widgets' new
//                appearances;
//   annotations  annotations added, changed or removed (not widgets);
//   other        anything else: what a page shows (content, resources, the
//                page tree), a filled field's value, the appearance of a
//                field that is not being filled, fields removed, an object
//                of the signed revision overwritten where a rule cleared
//                only some of the places that use it, another /Root or
//                /Info in the trailer, objects freed or re-numbered.
// An object the older revision uses in several places may change only when
// every one of those places was judged (so that an appearance stream also
// drawn elsewhere cannot be overwritten as "part of a fill").
#pragma once

#include <qpdf/QPDF.hh>

#include <string>
#include <vector>

#include "pactum/models/enums.h"

namespace pactum::signing {

// One kind of change found, with the level it needs. `reason` is the
// machine-readable code reported when the level is not permitted.
struct Finding {
  ModificationLevel level = ModificationLevel::kNone;
  std::string reason;
  std::string detail;  // human-readable, for the log
};

// Where the rendering of a page may legitimately change: the rectangle of a
// new or newly signed signature widget, of a widget repainted by form
// filling, or of an annotation added or changed.
enum class AreaKind { kSignature, kField, kAnnotation };
struct ChangedArea {
  int page = 0;                           // 0-based, in the newer revision
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // PDF user space, normalised
  AreaKind kind = AreaKind::kSignature;
};

struct RevisionChanges {
  ModificationLevel level = ModificationLevel::kNone;  // the highest of the findings'
  std::vector<Finding> findings;                       // level above none, each reason once per level
  std::vector<ChangedArea> areas;
  bool resources_changed = false;  // the form's /DR, /DA or /NeedAppearances: any field may repaint
  int added_signatures = 0;        // new or filled signature fields (not document timestamps)
  int added_timestamps = 0;
};

// Compares `newer` with `older`, the revision it updates. Never throws: a
// qpdf failure while comparing is a finding "structure_damaged" (other).
RevisionChanges CompareRevisions(QPDF& older, QPDF& newer);

}  // namespace pactum::signing
