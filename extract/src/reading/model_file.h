// The file format of the trained models built into the library
// (extract/models/*.dat): a header line naming the model and its feature
// layout, " weights=N", a newline, then N little-endian float32 weights.
// Loads in microseconds, where dlib's own serialisation takes milliseconds;
// a model whose header differs from the code's is not used, so a model
// trained for another feature layout never reads wrong features.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::extract {

// The file for `weights` under `header` (e.g. "pactum-zone-labeller/1 features=9").
std::string SaveModelWeights(std::string_view header, const std::vector<double>& weights);

// The weights in `bytes` when its header is exactly `header` and it holds
// the number of weights it announces; nullopt otherwise.
std::optional<std::vector<double>> ParseModelWeights(std::string_view bytes, std::string_view header);

// The bytes of the built-in model file `name` ("models/zones.dat"), if built in.
std::optional<std::string_view> BuiltInModelFile(std::string_view name);

// The weights of the built-in model file `name` ("models/zones.dat") under
// `header`; nullopt when the file is not built in or does not parse.
std::optional<std::vector<double>> BuiltInModelWeights(std::string_view name, std::string_view header);

}  // namespace pactum::extract
