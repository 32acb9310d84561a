// Fuzzes the reading of uploads: an HTTP request goes through cpp-httplib's
// request parser (request line, headers, Content-Length or chunked transfer
// coding, the multipart/form-data parser with the boundary of the
// Content-Type) into the service's content-reader handlers, ReadDocument for
// POST /v1/extract (the "file" part, or the raw body) and DiscardBody for
// any other path, as service/routes.cc registers them.
//
// Input: byte 0 sets how many bytes each read of the connection returns
// (1..256, so that boundaries and part headers are split across reads), byte
// 1 the document cap in units of 64 bytes (so that 413 is reachable), the
// rest is the request as sent by the client.
#include <httplib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "check.h"
#include "upload.h"

namespace {

// One client connection: reads hand out the input, writes are dropped.
class FuzzStream : public httplib::Stream {
 public:
  FuzzStream(std::string_view in, size_t read_size) : in_(in), read_size_(read_size) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min({size, read_size_, in_.size()});
    std::memcpy(ptr, in_.data(), n);
    in_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char*, size_t size) override { return static_cast<ssize_t>(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string_view in_;
  size_t read_size_;
};

// The document cap of the request being processed.
pactum::service::UploadLimits g_limits;

// A server without a socket: process_request (protected) runs one request
// from a Stream, as the listener does for each request of a connection.
class FuzzServer : public httplib::Server {
 public:
  FuzzServer() {
    Post("/v1/extract", [](const httplib::Request& req, httplib::Response&, const httplib::ContentReader& reader) {
      pactum::service::BodyReadInfo info;
      const pactum::Result<std::string> doc = pactum::service::ReadDocument(req, reader, g_limits, &info);
      if (doc.ok()) {
        PACTUM_FUZZ_CHECK(doc->size() <= g_limits.max_document_bytes);
        PACTUM_FUZZ_CHECK(doc->size() <= info.bytes_read);
      } else {
        const pactum::ErrorCode code = doc.error().code;
        PACTUM_FUZZ_CHECK(code == pactum::ErrorCode::kBadRequest || code == pactum::ErrorCode::kTooLarge ||
                          code == pactum::ErrorCode::kUnsupportedMediaType);
      }
    });
    auto discard = [](const httplib::Request& req, httplib::Response&, const httplib::ContentReader& reader) {
      pactum::service::BodyReadInfo info;
      pactum::service::DiscardBody(req, reader, &info);
    };
    Post(".*", discard);
    Put(".*", discard);
    // The handlers promise not to throw (Result for every expected failure):
    // an exception is a finding, not a 500.
    set_exception_handler([](const httplib::Request&, httplib::Response&, std::exception_ptr ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "handler threw: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "handler threw a non-std exception\n");
      }
      std::abort();
    });
  }

  void Run(httplib::Stream& stream, size_t max_document_bytes) {
    g_limits.max_document_bytes = max_document_bytes;
    set_payload_max_length(max_document_bytes + pactum::service::kBodySlackBytes);
    bool connection_closed = false;
    process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static FuzzServer* server = new FuzzServer;  // reused: handlers hold no state
  const size_t read_size = size_t{data[0]} + 1;
  const size_t cap = size_t{data[1]} * 64;
  FuzzStream stream(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2), read_size);
  server->Run(stream, cap);
  return 0;
}
