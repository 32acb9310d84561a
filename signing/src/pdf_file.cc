#include "pdf_file.h"

#include <qpdf/Pipeline.hh>
#include <qpdf/QPDFExc.hh>

#include <cctype>
#include <set>
#include <stdexcept>

namespace pactum::signing {
namespace {

constexpr int kMaxFieldDepth = 32;
constexpr size_t kMaxFields = 10000;
constexpr std::string_view kEofMarker = "%%EOF";

// Counts what a stream decodes to and stops the decoding past a cap.
class CappedSink : public Pipeline {
 public:
  CappedSink(size_t cap) : Pipeline("capped sink", nullptr), cap_(cap) {}
  void write(unsigned char const* data, size_t len) override {
    if (out_.size() + len > cap_) throw std::length_error("stream over the decoding cap");
    out_.append(reinterpret_cast<const char*>(data), len);
  }
  void finish() override {}
  std::string& out() { return out_; }

 private:
  size_t cap_;
  std::string out_;
};

void WalkFields(QPDFObjectHandle node, const std::string& parent_name, int depth, FormTree& tree) {
  if (depth > kMaxFieldDepth || tree.nodes.size() >= kMaxFields || !node.isDictionary()) return;
  if (node.isIndirect() && !tree.nodes.insert(node.getObjGen()).second) return;
  std::string name = parent_name;
  if (auto t = TextValue(node, "/T")) name = name.empty() ? *t : name + "." + *t;
  QPDFObjectHandle kids = node.getKey("/Kids");
  bool has_field_kids = false;
  if (kids.isArray()) {
    for (int i = 0; i < kids.getArrayNItems(); ++i) {
      QPDFObjectHandle kid = kids.getArrayItem(i);
      // Kids without /T are widgets of this field, not fields of their own.
      if (kid.isDictionary() && kid.hasKey("/T")) {
        has_field_kids = true;
        WalkFields(kid, name, depth + 1, tree);
      }
    }
  }
  if (!has_field_kids) tree.terminals.push_back({name, node});
}

}  // namespace

std::unique_ptr<QPDF> OpenPdf(std::string_view bytes, bool strict, std::string* error) {
  try {
    auto pdf = std::make_unique<QPDF>();
    pdf->setSuppressWarnings(true);
    pdf->setAttemptRecovery(!strict);
    pdf->processMemoryFile("document", bytes.data(), bytes.size());
    // Resolve the catalogue now: a file whose trailer has no usable /Root
    // is not a PDF we can reason about.
    if (!pdf->getRoot().isDictionary()) {
      if (error) *error = "the document catalogue is missing";
      return nullptr;
    }
    return pdf;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
}

std::vector<size_t> FindEofMarkers(std::string_view bytes) {
  std::vector<size_t> ends;
  for (size_t pos = bytes.find(kEofMarker); pos != std::string_view::npos; pos = bytes.find(kEofMarker, pos)) {
    pos += kEofMarker.size();
    ends.push_back(pos);
  }
  return ends;
}

bool IsMarkerEnd(std::string_view bytes, size_t end, size_t* marker_end) {
  if (end > bytes.size()) return false;
  for (std::string_view eol : {"", "\n", "\r", "\r\n"}) {
    if (end < eol.size() + kEofMarker.size()) continue;
    const size_t m = end - eol.size();
    if (bytes.substr(m, eol.size()) == eol && bytes.substr(m - kEofMarker.size(), kEofMarker.size()) == kEofMarker) {
      if (marker_end) *marker_end = m;
      return true;
    }
  }
  return false;
}

FormTree ReadFormTree(QPDF& pdf) {
  FormTree tree;
  try {
    QPDFObjectHandle fields = pdf.getRoot().getKey("/AcroForm").getKey("/Fields");
    if (!fields.isArray()) return tree;
    for (int i = 0; i < fields.getArrayNItems() && tree.nodes.size() < kMaxFields; ++i) {
      WalkFields(fields.getArrayItem(i), "", 0, tree);
    }
  } catch (const std::exception&) {
    // A damaged form tree: the fields found so far.
  }
  return tree;
}

std::vector<SignatureField> FindSignatureFields(QPDF& pdf) {
  std::vector<SignatureField> out;
  for (FormField& f : ReadFormTree(pdf).terminals) {
    if (FieldType(f.field) != "/Sig") continue;
    try {
      // qpdf turns an object it cannot parse (too deeply nested, say) into
      // null with a warning; a null /V without one is an empty field (a
      // missing key, or a reference to an undefined object: ISO 32000-1,
      // 7.3.10). Warnings are taken before and after the first resolution.
      pdf.getWarnings();
      QPDFObjectHandle v = f.field.getKey("/V");
      const bool damaged = !v.isDictionary() && !pdf.getWarnings().empty();
      if (v.isDictionary()) {
        out.push_back({f.name, f.field, v});
      } else if (damaged || !v.isNull()) {
        out.push_back({f.name, f.field, v, false});
      }
    } catch (const std::exception&) {
      out.push_back({f.name, f.field, QPDFObjectHandle::newNull(), false});
    }
  }
  return out;
}

std::string FieldType(QPDFObjectHandle field) {
  try {
    std::set<QPDFObjGen> seen;
    for (int depth = 0; depth < kMaxFieldDepth && field.isDictionary(); ++depth) {
      if (field.isIndirect() && !seen.insert(field.getObjGen()).second) break;
      QPDFObjectHandle ft = field.getKey("/FT");
      if (ft.isName()) return ft.getName();
      field = field.getKey("/Parent");
    }
  } catch (const std::exception&) {
  }
  return "";
}

std::optional<std::string> ReadStream(QPDFObjectHandle stream, size_t max_bytes) {
  try {
    if (!stream.isStream()) return std::nullopt;
    CappedSink sink(max_bytes);
    if (!stream.pipeStreamData(&sink, 0, qpdf_dl_generalized, true, false)) return std::nullopt;
    return std::move(sink.out());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

// dict[key] converted by `get` when `is` holds for it; nullopt otherwise,
// also when qpdf throws on a damaged object.
template <typename T, typename Is, typename Get>
std::optional<T> Lookup(QPDFObjectHandle dict, const char* key, Is is, Get get) {
  try {
    if (!dict.isDictionary()) return std::nullopt;
    QPDFObjectHandle v = dict.getKey(key);
    if (!(v.*is)()) return std::nullopt;
    return get(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<std::string> TextValue(QPDFObjectHandle dict, const char* key) {
  return Lookup<std::string>(dict, key, &QPDFObjectHandle::isString,
                             [](QPDFObjectHandle& v) { return v.getUTF8Value(); });
}

std::optional<long long> IntValue(QPDFObjectHandle dict, const char* key) {
  return Lookup<long long>(dict, key, &QPDFObjectHandle::isInteger,
                           [](QPDFObjectHandle& v) { return v.getIntValue(); });
}

std::string NameValue(QPDFObjectHandle dict, const char* key) {
  return Lookup<std::string>(dict, key, &QPDFObjectHandle::isName, [](QPDFObjectHandle& v) { return v.getName(); })
      .value_or("");
}

bool HasPdfHeader(std::string_view bytes) { return bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos; }

std::optional<unsigned long long> LastStartXref(std::string_view bytes) {
  const size_t at = bytes.rfind("startxref");
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + 9;
  while (pos < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
  unsigned long long v = 0;
  size_t digits = 0;
  while (pos < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[pos])) && digits < 18) {
    v = v * 10 + static_cast<unsigned>(bytes[pos++] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return v;
}

std::optional<int> CertificationLevel(QPDFObjectHandle value) {
  try {
    QPDFObjectHandle refs = value.getKey("/Reference");
    if (!refs.isArray()) return std::nullopt;
    for (int i = 0; i < refs.getArrayNItems(); ++i) {
      QPDFObjectHandle ref = refs.getArrayItem(i);
      if (NameValue(ref, "/TransformMethod") != "/DocMDP") continue;
      auto p = IntValue(ref.getKey("/TransformParams"), "/P");
      return p && *p >= 1 && *p <= 3 ? static_cast<int>(*p) : 2;
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace pactum::signing
