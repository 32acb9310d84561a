#include "worker_protocol.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "pactum/extract/extractor.h"
#include "pactum/models/json.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;

int MillisLeft(Deadline deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
  if (left <= 0) return 0;
  return left > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left);
}

// Waits until `fd` is ready for `events`; kTimeout past the deadline.
std::optional<WireError> WaitFor(int fd, short events, Deadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MillisLeft(deadline));
    if (n > 0) return std::nullopt;  // ready, or an error the next call reports
    if (n == 0) return WireError::kTimeout;
    if (errno != EINTR) return WireError::kClosed;
  }
}

std::optional<WireError> WriteAll(int fd, const char* data, std::size_t size, Deadline deadline) {
  while (size > 0) {
    if (auto err = WaitFor(fd, POLLOUT, deadline)) return err;
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return WireError::kClosed;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

std::optional<WireError> ReadAll(int fd, char* data, std::size_t size, Deadline deadline) {
  while (size > 0) {
    if (auto err = WaitFor(fd, POLLIN, deadline)) return err;
    const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
    if (n == 0) return WireError::kClosed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return WireError::kClosed;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

std::optional<WireError> WriteFrame(int fd, const std::string& bytes, Deadline deadline) {
  char len[8];
  std::uint64_t n = bytes.size();
  for (char& c : len) {
    c = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  if (auto err = WriteAll(fd, len, sizeof len, deadline)) return err;
  return WriteAll(fd, bytes.data(), bytes.size(), deadline);
}

std::optional<WireError> ReadFrame(int fd, std::string* bytes, Deadline deadline) {
  unsigned char len[8];
  if (auto err = ReadAll(fd, reinterpret_cast<char*>(len), sizeof len, deadline)) return err;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
  if (n > kMaxFrameBytes) return WireError::kMalformed;
  bytes->resize(static_cast<std::size_t>(n));
  return ReadAll(fd, bytes->data(), bytes->size(), deadline);
}

const char* OcrModeName(extract::OcrMode m) {
  switch (m) {
    case extract::OcrMode::kAlways: return "always";
    case extract::OcrMode::kNever: return "never";
    case extract::OcrMode::kAuto: break;
  }
  return "auto";
}

const char* FaultName(WorkerFault f) {
  switch (f) {
    case WorkerFault::kCrash: return "crash";
    case WorkerFault::kHang: return "hang";
    case WorkerFault::kExhaustMemory: return "oom";
    case WorkerFault::kSpinCpu: return "cpu";
    case WorkerFault::kNone: break;
  }
  return "none";
}

json LimitsJson(const Limits& l) {
  return {{"memory_bytes", l.memory_bytes},
          {"cpu_seconds", l.cpu_seconds},
          {"max_stream_bytes", l.max_stream_bytes},
          {"timeout_ms", l.timeout.count()},
          {"max_warnings", l.max_warnings},
          {"max_log_lines", l.max_log_lines},
          {"max_pages", l.document.max_pages},
          {"max_page_pixels", l.document.max_page_pixels},
          {"max_image_pixels", l.document.max_image_pixels},
          {"max_pdf_objects", l.document.max_pdf_objects},
          {"max_page_edge_pt", l.document.max_page_edge_pt}};
}

Limits LimitsFrom(const json& j) {
  Limits l;
  l.memory_bytes = j.at("memory_bytes").get<std::uint64_t>();
  l.cpu_seconds = j.at("cpu_seconds").get<int>();
  l.max_stream_bytes = j.at("max_stream_bytes").get<std::uint64_t>();
  l.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<long long>());
  l.max_warnings = j.at("max_warnings").get<int>();
  l.max_log_lines = j.at("max_log_lines").get<int>();
  l.document.max_pages = j.at("max_pages").get<int>();
  l.document.max_page_pixels = j.at("max_page_pixels").get<long long>();
  l.document.max_image_pixels = j.at("max_image_pixels").get<long long>();
  l.document.max_pdf_objects = j.at("max_pdf_objects").get<long long>();
  l.document.max_page_edge_pt = j.at("max_page_edge_pt").get<double>();
  return l;
}


// Runs `decode`; a JSON exception (missing key, wrong type) is malformed.
template <typename T, typename Decode>
Result<T> Decoding(const std::string& what, const std::string& text, Decode decode) {
  try {
    return decode(json::parse(text));
  } catch (const std::exception& e) {
    return Error::Internal("malformed " + what + " on the worker channel: " + e.what());
  }
}

}  // namespace

std::optional<WorkerFault> ParseWorkerFault(const std::string& name) {
  for (WorkerFault f : {WorkerFault::kCrash, WorkerFault::kHang, WorkerFault::kExhaustMemory, WorkerFault::kSpinCpu}) {
    if (name == FaultName(f)) return f;
  }
  return std::nullopt;
}

std::optional<WireError> WaitReadable(int fd, Deadline deadline) { return WaitFor(fd, POLLIN, deadline); }

std::optional<WireError> WriteMessage(int fd, const std::string& header, const std::string& body, Deadline deadline) {
  if (auto err = WriteFrame(fd, header, deadline)) return err;
  return WriteFrame(fd, body, deadline);
}

std::optional<WireError> ReadMessage(int fd, std::string* header, std::string* body, Deadline deadline) {
  if (auto err = ReadFrame(fd, header, deadline)) return err;
  return ReadFrame(fd, body, deadline);
}

std::string EncodeConfig(const WorkerConfig& c) {
  json j = {{"log_level", c.log_level},
            {"trust",
             {{"anchors", c.trust.anchor_files},
              {"intermediates", c.trust.intermediate_files},
              {"crls", c.trust.crl_files}}},
            {"tsa_url", c.tsa_url},
            {"ocr_threads", c.ocr_threads},
            {"limits", LimitsJson(c.limits)},
            {"allow_faults", c.allow_faults}};
  if (c.sign_key) {
    j["sign_key"] = {{"p12_file", c.sign_key->p12_file},
                     {"p12_password", c.sign_key->p12_password},
                     {"key_file", c.sign_key->key_file},
                     {"cert_file", c.sign_key->cert_file},
                     {"digest", c.sign_key->digest},
                     {"ocsp_response_files", c.sign_key->ocsp_response_files},
                     {"ocsp_url", c.sign_key->ocsp_url}};
  }
  return DumpJson(j);
}

Result<WorkerConfig> DecodeConfig(const std::string& header) {
  return Decoding<WorkerConfig>("configuration", header, [](const json& j) {
    WorkerConfig c;
    c.log_level = j.at("log_level").get<std::string>();
    c.trust.anchor_files = j.at("trust").at("anchors").get<std::vector<std::string>>();
    c.trust.intermediate_files = j.at("trust").at("intermediates").get<std::vector<std::string>>();
    c.trust.crl_files = j.at("trust").at("crls").get<std::vector<std::string>>();
    c.tsa_url = j.at("tsa_url").get<std::string>();
    c.ocr_threads = j.at("ocr_threads").get<int>();
    c.limits = LimitsFrom(j.at("limits"));
    c.allow_faults = j.at("allow_faults").get<bool>();
    if (j.contains("sign_key")) {
      const json& k = j.at("sign_key");
      signing::SigningConfig sc;
      sc.p12_file = k.at("p12_file").get<std::string>();
      sc.p12_password = k.at("p12_password").get<std::string>();
      sc.key_file = k.at("key_file").get<std::string>();
      sc.cert_file = k.at("cert_file").get<std::string>();
      sc.digest = k.at("digest").get<std::string>();
      sc.ocsp_response_files = k.at("ocsp_response_files").get<std::vector<std::string>>();
      sc.ocsp_url = k.at("ocsp_url").get<std::string>();
      c.sign_key = sc;
    }
    return c;
  });
}

std::string EncodeRequest(const WorkerRequest& r) {
  const DocumentRequest& d = r.document;
  json j = {{"op", std::string(OperationName(d.op))},
            {"time_left_ms", r.time_left.count()},
            {"fault", FaultName(r.fault)},
            {"request_id", r.request_id}};
  // Members of jobs, written only when set.
  if (r.progress) j["progress"] = true;
  if (r.cpu_seconds > 0) j["cpu_seconds"] = r.cpu_seconds;
  if (d.op == Operation::kExtract) {
    j["ocr"] = OcrModeName(d.extract.ocr);
    j["lang"] = d.extract.lang;
    if (d.extract.file_name) j["file_name"] = *d.extract.file_name;
    if (d.extract.text || d.extract.store) j["text"] = true;  // the archive keeps the full text
    if (d.partial_at_deadline) j["partial_at_deadline"] = true;
    if (d.step != ExtractStep::kWhole) j["step"] = static_cast<int>(d.step);
    if (d.step == ExtractStep::kPages) {
      j["first_page"] = d.first_page;
      j["last_page"] = d.last_page;
    }
    if (d.step == ExtractStep::kJoin) j["parts"] = d.parts_json;
    if (d.searchable_pdf) j["searchable_pdf"] = true;
  }
  if (d.op == Operation::kSign) {
    j["reason"] = d.sign.reason;
    j["location"] = d.sign.location;
    j["contact"] = d.sign.contact;
    j["field"] = d.sign.field;
    j["certify"] = d.sign.certify;
    if (d.sign.page) j["page"] = *d.sign.page;
    if (d.sign.rect) j["rect"] = *d.sign.rect;
    if (d.sign.level) j["level"] = std::string(signing::PadesLevelName(*d.sign.level));
    j["extend"] = d.sign.extend;
  }
  if (d.op == Operation::kRender) {
    j["page"] = d.render.page;
    j["dpi"] = d.render.dpi;
  }
  return DumpJson(j);
}

Result<WorkerRequest> DecodeRequest(const std::string& header) {
  return Decoding<WorkerRequest>("request", header, [](const json& j) -> Result<WorkerRequest> {
    WorkerRequest r;
    DocumentRequest& d = r.document;
    const std::string op = j.at("op").get<std::string>();
    const std::optional<Operation> parsed = ParseOperation(op);
    if (!parsed) return Error::Internal("unknown worker operation " + op);
    d.op = *parsed;
    r.time_left = std::chrono::milliseconds(j.at("time_left_ms").get<long long>());
    r.request_id = j.at("request_id").get<std::string>();
    const std::string fault = j.at("fault").get<std::string>();
    r.fault = fault == "none" ? WorkerFault::kNone : ParseWorkerFault(fault).value_or(WorkerFault::kNone);
    if (j.contains("progress")) r.progress = j.at("progress").get<bool>();
    if (j.contains("cpu_seconds")) {
      r.cpu_seconds = j.at("cpu_seconds").get<int>();
      if (r.cpu_seconds <= 0) return Error::Internal("bad cpu_seconds on the worker channel");
    }
    if (d.op == Operation::kExtract) {
      if (!extract::ParseOcrMode(j.at("ocr").get<std::string>(), &d.extract.ocr)) {
        return Error::Internal("bad ocr mode on the worker channel");
      }
      d.extract.lang = j.at("lang").get<std::string>();
      if (j.contains("file_name")) d.extract.file_name = j.at("file_name").get<std::string>();
      if (j.contains("text")) d.extract.text = j.at("text").get<bool>();
      if (j.contains("partial_at_deadline")) d.partial_at_deadline = j.at("partial_at_deadline").get<bool>();
      if (j.contains("step")) {
        const int step = j.at("step").get<int>();
        if (step < static_cast<int>(ExtractStep::kCount) || step > static_cast<int>(ExtractStep::kJoin)) {
          return Error::Internal("bad extraction step on the worker channel");
        }
        d.step = static_cast<ExtractStep>(step);
      }
      if (d.step == ExtractStep::kPages) {
        d.first_page = j.at("first_page").get<int>();
        d.last_page = j.at("last_page").get<int>();
      }
      if (d.step == ExtractStep::kJoin) d.parts_json = j.at("parts").get<std::string>();
      if (j.contains("searchable_pdf")) d.searchable_pdf = j.at("searchable_pdf").get<bool>();
    }
    if (d.op == Operation::kSign) {
      d.sign.reason = j.at("reason").get<std::string>();
      d.sign.location = j.at("location").get<std::string>();
      d.sign.contact = j.at("contact").get<std::string>();
      d.sign.field = j.at("field").get<std::string>();
      d.sign.certify = j.at("certify").get<int>();
      if (j.contains("page")) d.sign.page = j.at("page").get<int>();
      if (j.contains("rect")) d.sign.rect = j.at("rect").get<std::array<double, 4>>();
      if (j.contains("level")) {
        d.sign.level = signing::ParsePadesLevel(j.at("level").get<std::string>());
        if (!d.sign.level) return Error::Internal("bad signing level on the worker channel");
      }
      d.sign.extend = j.at("extend").get<bool>();
    }
    if (d.op == Operation::kRender) {
      d.render.page = j.at("page").get<int>();
      d.render.dpi = j.at("dpi").get<int>();
      if (d.render.dpi < kMinPageDpi || d.render.dpi > kMaxPageDpi) {
        return Error::Internal("bad page resolution on the worker channel");
      }
    }
    return r;
  });
}

void EncodeReply(const WorkerReply& reply, std::string* header, std::string* body) {
  json j = {{"pages", reply.stats.pages},
            {"pages_rendered", reply.stats.pages_rendered},
            {"pages_ocr", reply.stats.pages_ocr},
            {"signatures", reply.stats.signatures},
            {"retire", reply.retire}};
  body->clear();
  if (!reply.output.ok()) {
    j["error"] = {{"code", ErrorCodeName(reply.output.error().code)}, {"message", reply.output.error().message}};
  } else if (const auto* record = std::get_if<AgreementRecord>(&*reply.output)) {
    *body = DumpJson(ToJson(*record));
  } else if (const auto* report = std::get_if<VerifyReport>(&*reply.output)) {
    *body = DumpJson(ToJson(*report));
  } else if (const auto* part = std::get_if<PagesOutput>(&*reply.output)) {
    j["part"] = {{"page_count", part->page_count}};
    *body = part->json;
  } else if (const auto* page = std::get_if<RenderedPage>(&*reply.output)) {
    *body = page->png;
  } else if (const auto* searchable = std::get_if<SearchablePdf>(&*reply.output)) {
    j["searchable_pdf"] = true;
    *body = searchable->bytes;
  } else {
    *body = std::get<SignedPdf>(*reply.output).bytes;
  }
  *header = DumpJson(j);
}

Result<WorkerReply> DecodeReply(const std::string& header, std::string body, Operation op) {
  return Decoding<WorkerReply>("reply", header, [&body, op](const json& j) -> Result<WorkerReply> {
    WorkerReply r;
    r.stats.pages = j.at("pages").get<int>();
    r.stats.pages_rendered = j.at("pages_rendered").get<int>();
    r.stats.pages_ocr = j.at("pages_ocr").get<int>();
    r.stats.signatures = j.at("signatures").get<std::map<std::string, int>>();
    r.retire = j.at("retire").get<bool>();
    if (j.contains("error")) {
      const std::optional<ErrorCode> code = ParseErrorCode(j.at("error").at("code").get<std::string>());
      if (!code) return Error::Internal("unknown error code on the worker channel");
      r.output = Error{*code, j.at("error").at("message").get<std::string>()};
      return r;
    }
    if (op == Operation::kExtract && j.contains("searchable_pdf")) {
      if (!j.at("searchable_pdf").get<bool>()) return Error::Internal("bad searchable_pdf on the worker channel");
      r.output = DocumentOutput(SearchablePdf{std::move(body), std::nullopt});
      return r;
    }
    if (op == Operation::kSign) {
      r.output = DocumentOutput(SignedPdf{std::move(body)});
      return r;
    }
    if (j.contains("part")) {
      // A part of an extraction (ExtractStep::kCount, kPages).
      const int page_count = j.at("part").at("page_count").get<int>();
      if (op != Operation::kExtract || page_count < 1) return Error::Internal("a bad part on the worker channel");
      if (!body.empty()) {
        Result<extract::PagesPart> part = extract::PagesPartFromJson(body);
        if (!part.ok()) return part.error();
        if (part->page_count != page_count) return Error::Internal("a part of two page counts on the worker channel");
      }
      r.output = DocumentOutput(PagesOutput{std::move(body), page_count});
      return r;
    }
    if (op == Operation::kRender) {
      if (!body.starts_with("\x89PNG\r\n\x1a\n")) return Error::Internal("the worker's page image is not a PNG");
      r.output = DocumentOutput(RenderedPage{std::move(body)});
      return r;
    }
    const auto parsed = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Error::Internal("the worker's " + std::string(OperationName(op)) + " output is not JSON");
    if (op == Operation::kExtract) {
      Result<AgreementRecord> record = AgreementRecordFromJson(parsed);
      if (!record.ok()) return record.error();
      r.output = DocumentOutput(std::move(record).value());
    } else {
      Result<VerifyReport> report = VerifyReportFromJson(parsed);
      if (!report.ok()) return report.error();
      r.output = DocumentOutput(std::move(report).value());
    }
    return r;
  });
}

std::string EncodeProgress(const WorkerProgress& p) {
  return DumpJson(json{{"progress", {{"pages_done", p.pages_done}, {"pages_total", p.pages_total}}}});
}

Result<std::optional<WorkerProgress>> DecodeProgress(const std::string& header, const std::string& body,
                                                     int max_pages) {
  using Out = std::optional<WorkerProgress>;
  const json j = json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("progress")) return Out();  // a reply (DecodeReply checks it)
  const json& p = j.at("progress");
  if (j.size() != 1 || !p.is_object() || p.size() != 2 || !p.contains("pages_done") || !p.contains("pages_total") ||
      !p.at("pages_done").is_number_integer() || !p.at("pages_total").is_number_integer() || !body.empty()) {
    return Error::Internal("malformed progress message on the worker channel");
  }
  const long long done = p.at("pages_done").get<long long>();
  const long long total = p.at("pages_total").get<long long>();
  if (done < 1 || done > total || total > max_pages) {
    return Error::Internal("progress out of range on the worker channel: page " + std::to_string(done) + " of " +
                           std::to_string(total));
  }
  return Out(WorkerProgress{static_cast<int>(done), static_cast<int>(total)});
}

}  // namespace pactum::service
