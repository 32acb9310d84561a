// The second line of defence against changes after signing: render the
// signed revision and the final file with Poppler and compare the pixels of
// every page. It catches what an object-level analysis may miss (shadow
// attacks that hide and reveal content through allowed-looking updates).
#pragma once

#include <string_view>
#include <vector>

#include "changes.h"

namespace pactum::signing {

struct VisualDiff {
  bool compared = false;           // false: a side did not render, or too many pages
  std::vector<int> changed_pages;  // 1-based: pixels changed outside the changed areas
  std::vector<int> overlay_pages;  // 1-based: a changed area covers signed content
  std::vector<AreaKind> overlay_kinds;  // the kinds of the areas that did, each once
};

// Renders both at a low resolution (grey, 36 dpi). Pixels inside the changed
// areas (new signature widgets, widgets repainted by form filling,
// annotations) may change where the signed revision showed background;
// covering existing content there counts as an overlay. Only the 0-based
// `pages` are compared (all when empty); at most max_pages of them.
VisualDiff CompareRenderings(std::string_view signed_rev, std::string_view final_doc,
                             const std::vector<ChangedArea>& areas, const std::vector<int>& pages, int max_pages);

}  // namespace pactum::signing
