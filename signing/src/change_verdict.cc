#include "change_verdict.h"

#include <algorithm>

#include "pdf_file.h"
#include "visual_diff.h"

namespace pactum::signing {
namespace {

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// The certification of the document in the signed revision, if any.
std::optional<int> DocumentCertification(QPDF& signed_rev) {
  try {
    return CertificationLevel(signed_rev.getRoot().getKey("/Perms").getKey("/DocMDP"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

const RevisionChanges& ChangeHistory::Between(const Revision& older, const Revision& newer) {
  const auto key = std::make_pair(older.end, newer.end);
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(key, CompareRevisions(*older.pdf, *newer.pdf)).first;
  return it->second;
}

ModificationLevel PermittedLevel(std::optional<int> docmdp) {
  if (!docmdp) return ModificationLevel::kFormFilling;
  if (*docmdp <= 1) return ModificationLevel::kLtv;
  if (*docmdp == 2) return ModificationLevel::kFormFilling;
  return ModificationLevel::kAnnotations;
}

ChangeVerdict JudgeChanges(ChangeHistory& history, const std::vector<Revision>& chain,
                           std::optional<int> certification, const RenderCheck& render) {
  ChangeVerdict v;
  std::optional<int> docmdp = certification;
  if (auto doc = DocumentCertification(*chain.front().pdf); doc && (!docmdp || *doc < *docmdp)) docmdp = doc;
  const ModificationLevel permitted = PermittedLevel(docmdp);

  std::vector<ChangedArea> areas;
  bool resources_changed = false;
  for (size_t i = 1; i < chain.size(); ++i) {
    const RevisionChanges& c = history.Between(chain[i - 1], chain[i]);
    v.level = std::max(v.level, c.level);
    for (const Finding& f : c.findings) {
      if (f.level > permitted) AddOnce(v.reasons, f.reason);
    }
    areas.insert(areas.end(), c.areas.begin(), c.areas.end());
    resources_changed = resources_changed || c.resources_changed;
  }
  if (docmdp && v.level > permitted) AddOnce(v.reasons, "docmdp_violation");
  if (!v.reasons.empty() || !render.enabled) return v;

  // Permitted changes, judged by their objects. What they can change on
  // screen: their areas' pages, or every field's appearance when the form's
  // resources changed. Only those are rendered.
  std::vector<int> pages;
  for (const ChangedArea& a : areas) {
    if (a.x1 - a.x0 > 0.5 && a.y1 - a.y0 > 0.5) pages.push_back(a.page);
  }
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  if (!resources_changed && pages.empty()) return v;
  // A change of the form's resources can alter every field's appearance:
  // all pages then (an empty list).
  VisualDiff diff = CompareRenderings(render.signed_bytes, render.final_bytes, areas,
                                      resources_changed ? std::vector<int>{} : pages, render.max_pages);
  if (!diff.compared) {
    // Too many pages, or a page that does not render: compare at least the
    // pages of the areas (whatever their number), and do not call the rest
    // checked.
    if (resources_changed && !pages.empty()) {
      diff = CompareRenderings(render.signed_bytes, render.final_bytes, areas, pages, static_cast<int>(pages.size()));
    }
    v.warnings.push_back("visual_check_skipped");
    AddOnce(v.doubts, "visual_check_incomplete");
  }
  if (!diff.changed_pages.empty()) v.reasons.push_back("visual_change");
  // An annotation drawn over signed content (evil annotation): permitted
  // annotations may comment on the document, not cover it.
  if (std::find(diff.overlay_kinds.begin(), diff.overlay_kinds.end(), AreaKind::kAnnotation) !=
      diff.overlay_kinds.end()) {
    v.reasons.push_back("annotation_added");
  }
  if (!diff.overlay_pages.empty()) v.reasons.push_back("visual_overlay");
  v.changed_pages = diff.changed_pages;
  for (int p : diff.overlay_pages) {
    if (std::find(v.changed_pages.begin(), v.changed_pages.end(), p) == v.changed_pages.end()) {
      v.changed_pages.push_back(p);
    }
  }
  std::sort(v.changed_pages.begin(), v.changed_pages.end());
  return v;
}

}  // namespace pactum::signing
