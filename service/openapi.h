// The OpenAPI 3 document of the service (service/openapi.json, embedded at
// build time).
#pragma once

#include <string_view>

namespace pactum::service {

std::string_view OpenApiJson();

}  // namespace pactum::service
