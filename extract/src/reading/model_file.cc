#include "reading/model_file.h"

#include <cstdlib>
#include <cstring>

#include "reading/embedded_files.h"

namespace pactum::extract {

std::string SaveModelWeights(std::string_view header, const std::vector<double>& weights) {
  std::string out = std::string(header) + " weights=" + std::to_string(weights.size()) + "\n";
  for (double w : weights) {
    const float f = static_cast<float>(w);
    char bytes[sizeof f];
    std::memcpy(bytes, &f, sizeof f);
    out.append(bytes, sizeof f);  // little-endian on every platform we build for
  }
  return out;
}

std::optional<std::vector<double>> ParseModelWeights(std::string_view bytes, std::string_view header) {
  const size_t eol = bytes.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  const std::string_view line = bytes.substr(0, eol);
  const std::string expected = std::string(header) + " weights=";
  if (line.substr(0, expected.size()) != expected) return std::nullopt;
  const std::string count(line.substr(expected.size()));
  if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const size_t n = std::strtoul(count.c_str(), nullptr, 10);
  const std::string_view body = bytes.substr(eol + 1);
  if (n == 0 || body.size() != n * sizeof(float)) return std::nullopt;
  std::vector<double> weights(n);
  for (size_t i = 0; i < n; ++i) {
    float f = 0;
    std::memcpy(&f, body.data() + i * sizeof f, sizeof f);
    weights[i] = f;
  }
  return weights;
}

std::optional<std::string_view> BuiltInModelFile(std::string_view name) {
  for (const auto& file : EmbeddedFiles()) {
    if (file.name == name) return file.bytes;
  }
  return std::nullopt;
}

std::optional<std::vector<double>> BuiltInModelWeights(std::string_view name, std::string_view header) {
  const auto bytes = BuiltInModelFile(name);
  return bytes ? ParseModelWeights(*bytes, header) : std::nullopt;
}

}  // namespace pactum::extract
