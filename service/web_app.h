// The web app: static HTML, CSS and JavaScript (service/web/), embedded in
// the binary at build time and served at "/" (index.html) and "/app/FILE".
// Nothing is fetched from elsewhere at run time; the pages talk only to
// this service's API (Content-Security-Policy: 'self' only).
#pragma once

#include <httplib.h>

#include <span>
#include <string_view>

namespace pactum::service {

struct WebAsset {
  std::string_view name;   // file name under service/web/, e.g. "app.js"
  std::string_view bytes;
};

// Every embedded file (generated from service/web/ by embed.cmake).
std::span<const WebAsset> WebAssets();

// The Content-Type of an embedded file, from its extension.
std::string_view WebContentType(std::string_view name);

// The header Content-Security-Policy of the app's pages.
inline constexpr std::string_view kWebAppCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

// Registers GET "/" and GET "/app/([^/]+)" (404 not_found for a file that
// is not embedded). Before the catch-all routes.
void RegisterWebApp(httplib::Server* http);

}  // namespace pactum::service
