// A main for the fuzz targets in builds without libFuzzer: runs
// LLVMFuzzerTestOneInput once on every input named on the command line.
// A file is one input; a directory stands for every regular file below it
// (recursively, in name order, dotfiles skipped). A crash, a sanitizer report
// or a failed check ends the process as it would under libFuzzer, so ctest's
// fuzz.replay.<target> tests assert that the corpus and the kept crash
// reproducers run clean. The name of each input is printed before it runs,
// so that a failure names its input.
//
// Exit status: 0 when every input ran; 1 when a named path does not exist or
// a file cannot be read; 2 on a usage error.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional in a target, as with libFuzzer.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool Hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// The inputs `path` stands for, appended to `out`; false when it does not exist.
bool CollectInputs(const fs::path& path, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    out->push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) return false;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (Hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return false;
  std::sort(files.begin(), files.end());
  out->insert(out->end(), files.begin(), files.end());
  return true;
}

bool ReadFile(const fs::path& path, std::vector<uint8_t>* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  data->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n  runs the fuzz target once on every input\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], &inputs)) {
      std::fprintf(stderr, "%s: no such file or directory (or unreadable)\n", argv[i]);
      return 1;
    }
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  double slowest_ms = 0;
  std::string slowest;
  std::vector<uint8_t> data;
  for (const fs::path& path : inputs) {
    if (!ReadFile(path, &data)) {
      std::fprintf(stderr, "%s: cannot read\n", path.c_str());
      return 1;
    }
    std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), data.size());
    const auto t0 = Clock::now();
    // A copy of exactly the input's size, so that ASan sees reads past its
    // end; never a null pointer, also for an empty input (as libFuzzer).
    std::vector<uint8_t> copy(data);
    static uint8_t empty = 0;
    LLVMFuzzerTestOneInput(copy.empty() ? &empty : copy.data(), copy.size());
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ms > slowest_ms) {
      slowest_ms = ms;
      slowest = path.string();
    }
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("replayed %zu inputs in %.2f s; slowest %.1f ms (%s)\n", inputs.size(), total_s, slowest_ms,
              slowest.c_str());
  return 0;
}
