// The verdict on what follows a signature: each later revision's changes
// (changes.h) against what the signature's DocMDP permits, then the
// rendering comparison (visual_diff.h) as the second line of defence.
//
// Permitted (ISO 32000-1, 12.8.2.2; ISO 32000-2, 12.8.2.2 and 12.8.4):
//   no certification      signing and form filling (and validation data)
//   certification P=1     validation data and document timestamps only
//   certification P=2     signing and form filling
//   certification P=3     also annotations
// The certification in force is the signature's own or, for an approval
// signature, the document's in the signed revision (/Perms /DocMDP).
#pragma once

#include <qpdf/QPDF.hh>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "changes.h"

namespace pactum::signing {

// A revision of the file: where it ends (the offset of its %%EOF marker,
// which names it) and the file up to there, opened.
struct Revision {
  size_t end = 0;
  QPDF* pdf = nullptr;
};

// The changes between pairs of revisions, each pair compared once however
// many signatures share it. Not thread-safe.
class ChangeHistory {
 public:
  const RevisionChanges& Between(const Revision& older, const Revision& newer);

 private:
  std::map<std::pair<size_t, size_t>, RevisionChanges> cache_;
};

struct RenderCheck {
  bool enabled = true;  // VerifyOptions::visual_check
  int max_pages = 100;  // VerifyOptions::max_visual_pages
  std::string_view signed_bytes;
  std::string_view final_bytes;
};

struct ChangeVerdict {
  ModificationLevel level = ModificationLevel::kNone;  // the worst of the later revisions
  std::vector<std::string> reasons;   // what is not permitted: the signature is invalid
  std::vector<std::string> doubts;    // what could not be checked: indeterminate
  std::vector<std::string> warnings;  // e.g. visual_check_skipped
  std::vector<int> changed_pages;     // 1-based pages whose rendering changed
};

// The highest level a DocMDP permission /P allows (nullopt: no certification).
ModificationLevel PermittedLevel(std::optional<int> docmdp);

// REQUIRES: chain holds the signed revision first, then every later revision
// examined, in file order, the final file last; at least two, none null.
// `certification`: the signature's own DocMDP level when it certifies.
ChangeVerdict JudgeChanges(ChangeHistory& history, const std::vector<Revision>& chain,
                           std::optional<int> certification, const RenderCheck& render);

}  // namespace pactum::signing
