// Main side of the OCR module: finds and loads libpactum_ocr.so once per
// process, and forwards the three entry points to it.
#include <dlfcn.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "ocr/module.h"

namespace pactum::extract {
namespace {

std::string ExecutableDir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// Where the module may be, in order: PACTUM_OCR_MODULE; beside the
// executable; ../lib/pactum/ from it (an installed layout); the build tree.
std::vector<std::string> Candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("PACTUM_OCR_MODULE"); env && *env) out.emplace_back(env);
  const std::string dir = ExecutableDir();
  if (!dir.empty()) {
    out.push_back(dir + "/libpactum_ocr.so");
    out.push_back(dir + "/../lib/pactum/libpactum_ocr.so");
  }
  out.emplace_back(PACTUM_OCR_MODULE_BUILD_PATH);
  return out;
}

struct Loaded {
  const ocr::ModuleTable* table = nullptr;
  std::string error;
};

const Loaded& Load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    for (const std::string& path : Candidates()) {
      // Never unloaded: objects made by the module (documents, engines) carry
      // its code in their vtables.
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        tried += "\n  " + path + ": " + dlerror();
        continue;
      }
      auto entry = reinterpret_cast<const ocr::ModuleTable* (*)()>(dlsym(handle, ocr::kModuleEntry));
      const ocr::ModuleTable* table = entry ? entry() : nullptr;
      if (!table || table->abi != ocr::kModuleAbi) {
        tried += "\n  " + path + ": not a compatible pactum OCR module";
        continue;
      }
      spdlog::debug("OCR module loaded from {}", path);
      loaded.table = table;
      return;
    }
    loaded.error = "the OCR module (libpactum_ocr.so) could not be loaded; set PACTUM_OCR_MODULE to its path. Tried:" + tried;
    spdlog::error("{}", loaded.error);
  });
  return loaded;
}

}  // namespace

Result<std::unique_ptr<Document>> OpenImageDocument(std::string_view bytes, MediaType type, const Limits& limits) {
  const Loaded& m = Load();
  if (!m.table) return Error::Internal(m.error);
  return m.table->open_image(bytes, type, limits);
}

Result<std::unique_ptr<OcrEngine>> CreateTesseractEngine(const std::string& languages) {
  const Loaded& m = Load();
  if (!m.table) return Error::Internal(m.error);
  return m.table->create_engine(languages);
}

namespace ocr {

Result<CleanedPage> CleanUp(const PageImage& raw, OcrEngine* orientation, const CleanupOptions& options) {
  const Loaded& m = Load();
  if (!m.table) return Error::Internal(m.error);
  return m.table->clean_up(raw, orientation, options);
}

}  // namespace ocr
}  // namespace pactum::extract
