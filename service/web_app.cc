#include "web_app.h"

#include <string>

#include "http_errors.h"
#include "params.h"

namespace pactum::service {
namespace {

const WebAsset* FindAsset(std::string_view name) {
  for (const WebAsset& a : WebAssets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void ServeAsset(const WebAsset& asset, httplib::Response* res) {
  res->status = 200;
  res->set_content(asset.bytes.data(), asset.bytes.size(), std::string(WebContentType(asset.name)));
  res->set_header("Content-Security-Policy", std::string(kWebAppCsp));
  res->set_header("X-Content-Type-Options", "nosniff");
  res->set_header("Referrer-Policy", "no-referrer");
  res->set_header("X-Frame-Options", "DENY");
  // Asked again each time (the files change with the binary).
  res->set_header("Cache-Control", "no-cache");
}

}  // namespace

std::string_view WebContentType(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

void RegisterWebApp(httplib::Server* http) {
  http->Get("/", [](const httplib::Request&, httplib::Response& res) {
    const WebAsset* index = FindAsset("index.html");
    if (index == nullptr) return SetErrorResponse(Error::Internal("the web app was not built into this binary"), &res);
    ServeAsset(*index, &res);
  });
  http->Get("/app/([^/]+)", [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* asset = FindAsset(req.matches[1].str());
    if (asset == nullptr) {
      return SetErrorResponse({ErrorCode::kNotFound, "no file " + Printable(req.matches[1].str()) + " in the web app"},
                              &res);
    }
    ServeAsset(*asset, &res);
  });
}

}  // namespace pactum::service
