// Files built into the binary (extract/data, extract/models): name relative
// to extract/, and the bytes. See extract/cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace pactum::extract {

struct EmbeddedFile {
  std::string_view name;   // e.g. "data/en/parties.json"
  std::string_view bytes;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace pactum::extract
