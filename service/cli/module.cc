// Executable side of the command modules (module.h): find, load, run.
#include "cli/module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace pactum::service::cli {
namespace {

std::string ExecutableDir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  const std::string path(buf, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

std::vector<std::string> Candidates(const std::string& module) {
  std::vector<std::string> out;
  if (const char* dir = std::getenv("PACTUM_MODULE_DIR"); dir != nullptr && *dir != '\0') {
    out.push_back(std::string(dir) + "/" + module);
  }
  const std::string dir = ExecutableDir();
  if (!dir.empty()) {
    out.push_back(dir + "/" + module);
    out.push_back(dir + "/../lib/pactum/" + module);
  }
  return out;
}

}  // namespace

int RunInModule(const char* module, const CliArgs& args) {
  std::string tried;
  for (const std::string& path : Candidates(module)) {
    if (::access(path.c_str(), F_OK) != 0) {
      tried += "\n  " + path + ": not found";
      continue;
    }
    // Lazy: the module's own calls into its libraries are bound when first
    // made. Never unloaded (the process ends with the command).
    void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* err = ::dlerror();
      tried += "\n  " + path + ": " + (err != nullptr ? err : "cannot be loaded");
      continue;
    }
    auto entry = reinterpret_cast<ModuleEntry>(::dlsym(handle, kModuleEntryName));
    if (entry == nullptr) {
      tried += "\n  " + path + ": not a pactum command module";
      continue;
    }
    return entry(&args, sizeof(CliArgs), PACTUM_VERSION);
  }
  std::fprintf(stderr,
               "pactum: cannot load %s, which this command needs; install it beside the pactum binary or in "
               "../lib/pactum/ from it, or set PACTUM_MODULE_DIR. Tried:%s\n",
               module, tried.c_str());
  return kExitError;
}

}  // namespace pactum::service::cli
