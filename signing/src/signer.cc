#include "pactum/signing/sign.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "crypto.h"
#include "dss.h"
#include "openssl_util.h"
#include "pdf_date.h"
#include "pdf_file.h"

namespace pactum::signing {
namespace {

// A PDF text string: literal when printable ASCII, else UTF-16BE with a BOM.
std::string TextString(const std::string& utf8) {
  bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (ascii) {
    std::string out = "(";
    for (char c : utf8) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      out += c;
    }
    return out + ")";
  }
  std::string utf16 = "\xFE\xFF";
  // The low six bits of the continuation byte at `at`.
  auto tail = [&utf8](size_t at) -> uint32_t { return static_cast<unsigned char>(utf8[at]) & 0x3Fu; };
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp = 0xFFFD;
    size_t n = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = (c & 0x1Fu) << 6 | tail(i + 1);
      n = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = (c & 0x0Fu) << 12 | tail(i + 1) << 6 | tail(i + 2);
      n = 3;
    } else if ((c >> 3) == 30 && i + 3 < utf8.size()) {
      cp = (c & 0x07u) << 18 | tail(i + 1) << 12 | tail(i + 2) << 6 | tail(i + 3);
      n = 4;
    }
    i += n;
    auto unit = [&](uint32_t u) {
      utf16 += static_cast<char>(u >> 8);
      utf16 += static_cast<char>(u & 0xFF);
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 | (cp >> 10));
      unit(0xDC00 | (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return "<" + internal::UpperHex(utf16) + ">";
}

// Text for a content stream in WinAnsi (Latin-1 subset), escaped.
std::string ContentString(const std::string& utf8) {
  std::string out = "(";
  for (size_t i = 0; i < utf8.size(); ++i) {
    const unsigned c = static_cast<unsigned char>(utf8[i]);
    unsigned cp = c;
    if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = (c & 0x1Fu) << 6 | (static_cast<unsigned char>(utf8[++i]) & 0x3Fu);
    } else if (c >= 0x80) {
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
      cp = '?';
    }
    if (cp > 0xFF) cp = '?';
    if (cp == '(' || cp == ')' || cp == '\\') out += '\\';
    if (cp < 0x20) cp = ' ';
    out += static_cast<char>(cp);
  }
  return out + ")";
}

std::string Ref(int num, int gen = 0) { return std::to_string(num) + " " + std::to_string(gen) + " R"; }

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A dictionary as written, with some keys replaced or added.
std::string DictWith(QPDFObjectHandle dict, const std::map<std::string, std::string>& replace) {
  std::string out = "<<";
  if (dict.isDictionary()) {
    for (const auto& key : dict.getKeys()) {
      if (replace.count(key)) continue;
      out += " " + QPDFObjectHandle::newName(key).unparse() + " " + dict.getKey(key).unparse();
    }
  }
  for (const auto& [key, value] : replace) out += " " + key + " " + value;
  return out + " >>";
}

// An array as written, with items appended.
std::string ArrayWith(QPDFObjectHandle array, const std::string& extra) {
  std::string out = "[";
  if (array.isArray()) {
    for (int i = 0; i < array.getArrayNItems(); ++i) {
      out += ' ';
      out += array.getArrayItem(i).unparse();
    }
  }
  out += ' ';
  out += extra;
  out += " ]";
  return out;
}

struct NewObject {
  QPDFObjGen id;
  std::string body;  // between "obj" and "endobj"
};

// A stream object's body holding `data` as is.
std::string StreamBody(const std::string& data) {
  return "<< /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

// One incremental update of a PDF: the file opened with qpdf, the objects
// the update (re)defines, and the writing of those objects with a
// cross-reference section of the kind the file already uses.
class Update {
 protected:
  explicit Update(std::string_view bytes) : bytes_(bytes) {}

  // Opens the PDF; the error for the client when it cannot take an update.
  std::optional<Error> Open() {
    if (!HasPdfHeader(bytes_)) {
      return Error::Unsupported("the document is not a PDF (no %PDF- header); /v1/sign signs PDF files only");
    }
    std::string error;
    pdf_ = OpenPdf(bytes_, true, &error);
    if (!pdf_) {
      if (error.find("password") != std::string::npos) {
        return Error::Unprocessable("the PDF is encrypted; only unencrypted PDFs can be signed");
      }
      return Error::Unprocessable("the PDF is damaged (" + error +
                                  "); repair it first, e.g. with `qpdf in.pdf out.pdf`, then sign");
    }
    if (pdf_->isEncrypted()) {
      return Error::Unprocessable("the PDF is encrypted; only unencrypted PDFs can be signed");
    }
    auto prev = LastStartXref(bytes_);
    if (!prev) return Error::Unprocessable("the PDF has no startxref; repair it first, then sign");
    prev_ = static_cast<long long>(*prev);
    for (const auto& [og, entry] : pdf_->getXRefTable()) next_ = std::max<long long>(next_, og.getObj() + 1);
    if (auto size = IntValue(pdf_->getTrailer(), "/Size")) next_ = std::max<long long>(next_, *size);
    return std::nullopt;
  }

  int Allocate() { return static_cast<int>(next_++); }

  bool PreviousIsXrefStream() const {
    if (prev_ < 0 || static_cast<size_t>(prev_) >= bytes_.size()) return false;
    return bytes_.substr(static_cast<size_t>(prev_), 4) != "xref";
  }

  std::string TrailerEntries(long long size) const {
    QPDFObjectHandle trailer = pdf_->getTrailer();
    std::string out = "/Size " + std::to_string(size) + " /Root " + pdf_->getRoot().unparse();
    QPDFObjectHandle info = trailer.getKey("/Info");
    if (info.isIndirect()) out += " /Info " + info.unparse();
    std::string first;
    QPDFObjectHandle id = trailer.getKey("/ID");
    if (id.isArray() && id.getArrayNItems() >= 1 && id.getArrayItem(0).isString()) {
      first = id.getArrayItem(0).getStringValue();
    }
    unsigned char fresh[16];
    RAND_bytes(fresh, sizeof fresh);
    std::string second(reinterpret_cast<char*>(fresh), sizeof fresh);
    if (first.empty()) first = second;
    out += " /ID [<" + internal::UpperHex(first) + "> <" + internal::UpperHex(second) + ">] /Prev " +
           std::to_string(prev_);
    return out;
  }

  // The bytes with the update appended; *first_body: where the body of the
  // first new object starts.
  std::string Append(size_t* first_body) {
    std::string out(bytes_);
    if (!out.empty() && out.back() != '\n' && out.back() != '\r') out += '\n';
    std::map<QPDFObjGen, size_t> offsets;
    for (const NewObject& o : objects_) {
      offsets[o.id] = out.size();
      out += std::to_string(o.id.getObj()) + " " + std::to_string(o.id.getGen()) + " obj\n";
      if (&o == &objects_.front()) *first_body = out.size();
      out += o.body + "\nendobj\n";
    }
    const size_t xref_offset = out.size();
    if (PreviousIsXrefStream()) {
      const int xref_num = Allocate();
      offsets[QPDFObjGen(xref_num, 0)] = xref_offset;
      std::string data, index;
      for (auto it = offsets.begin(); it != offsets.end();) {
        auto run_end = it;
        int start = it->first.getObj(), count = 0;
        while (run_end != offsets.end() && run_end->first.getObj() == start + count) {
          const size_t off = run_end->second;
          const int gen = run_end->first.getGen();
          data += '\x01';
          for (int shift = 24; shift >= 0; shift -= 8) data += static_cast<char>((off >> shift) & 0xFF);
          data += static_cast<char>((gen >> 8) & 0xFF);
          data += static_cast<char>(gen & 0xFF);
          ++count;
          ++run_end;
        }
        index += (index.empty() ? "" : " ") + std::to_string(start) + " " + std::to_string(count);
        it = run_end;
      }
      out += std::to_string(xref_num) + " 0 obj\n<< /Type /XRef /W [1 4 2] /Index [" + index + "] " +
             TrailerEntries(next_) + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
             "\nendstream\nendobj\n";
    } else {
      out += "xref\n";
      for (auto it = offsets.begin(); it != offsets.end();) {
        auto run_end = it;
        int start = it->first.getObj(), count = 0;
        std::string entries;
        while (run_end != offsets.end() && run_end->first.getObj() == start + count) {
          char line[32];
          std::snprintf(line, sizeof line, "%010zu %05d n\r\n", run_end->second, run_end->first.getGen());
          entries += line;
          ++count;
          ++run_end;
        }
        out += std::to_string(start) + " " + std::to_string(count) + "\n" + entries;
        it = run_end;
      }
      out += "trailer\n<< " + TrailerEntries(next_) + " >>\n";
    }
    out += "startxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
    return out;
  }

  std::string_view bytes_;
  std::unique_ptr<QPDF> pdf_;
  long long prev_ = 0;
  long long next_ = 1;
  std::vector<NewObject> objects_;
};

// A signature field filled by this update: an approval or certification
// signature (a CAdES CMS), or a document timestamp (an RFC 3161 token over
// the ranges).
class Signer : public Update {
 public:
  enum class Kind { kSignature, kDocumentTimestamp };

  Signer(std::string_view bytes, const SignOptions& options, Kind kind)
      : Update(bytes), options_(options), kind_(kind) {}

  // The name of the field filled (after Run).
  const std::string& field_name() const { return field_name_; }

  Result<std::string> Run() {
    if (auto err = Open()) return *err;
    pages_ = pdf_->getAllPages();
    if (pages_.empty()) return Error::Unprocessable("the PDF has no pages");
    if (auto e = Plan(); !e.empty()) return Error::BadRequest(e);
    if (CertificationLevel(pdf_->getRoot().getKey("/Perms").getKey("/DocMDP")) == 1) {
      return Error::Unprocessable(
          kind_ == Kind::kSignature
              ? "the document is certified with DocMDP level 1 (no changes allowed); another signature would break it"
              : "the document is certified with DocMDP level 1 (no changes allowed); a document timestamp would "
                "break it (PAdES B-LT adds no field and is possible: level=b-lt)");
    }
    return Write();
  }

 private:
  // Decides which objects the update adds and redefines; an error message
  // for the client, or "".
  std::string Plan() {
    QPDFObjectHandle root = pdf_->getRoot();
    // The field: an existing empty signature field of the requested name, or a new one.
    std::set<std::string> names;
    const FormTree tree = ReadFormTree(*pdf_);
    int signed_count = 0;
    for (const FormField& t : tree.terminals) {
      names.insert(t.name);
      QPDFObjectHandle f = t.field;
      if (FieldType(f) == "/Sig" && f.getKey("/V").isDictionary()) ++signed_count;
    }
    std::string name = kind_ == Kind::kSignature ? options_.field : "";
    if (name.empty()) {
      const std::string stem = kind_ == Kind::kSignature ? "Signature" : "Timestamp";
      for (int n = kind_ == Kind::kSignature ? signed_count + 1 : 1;; ++n) {
        name = stem + std::to_string(n);
        if (!names.count(name)) break;
      }
    }
    if (name.find('.') != std::string::npos) return "field= must not contain '.'";
    for (const FormField& t : tree.terminals) {
      QPDFObjectHandle f = t.field;
      if (t.name != name) continue;
      if (FieldType(f) != "/Sig") return "field '" + name + "' exists and is not a signature field";
      if (f.getKey("/V").isDictionary()) return "field '" + name + "' is already signed; choose another field=";
      existing_field_ = f;
    }
    field_name_ = name;
    if (kind_ == Kind::kDocumentTimestamp) return "";  // invisible, on page 1, certifying nothing
    if (options_.certify < 0 || options_.certify > 3) return "certify must be 1, 2 or 3";
    if (options_.certify > 0 && signed_count > 0) {
      return "only the first signature can certify a document; this one has " + std::to_string(signed_count);
    }

    if (options_.page && (*options_.page < 1 || *options_.page > static_cast<int>(pages_.size()))) {
      return "page=" + std::to_string(*options_.page) + " is outside the document (1.." +
             std::to_string(pages_.size()) + ")";
    }
    page_index_ = options_.page ? *options_.page - 1 : 0;
    if (options_.rect) {
      const auto& r = *options_.rect;
      if (!(r[2] > r[0] && r[3] > r[1]) || r[0] < 0 || r[1] < 0) return "rect= must be x0,y0,x1,y1 with x1>x0, y1>y0";
    }
    return "";
  }

  Result<std::string> Write() {
    using namespace std::chrono;
    const sys_seconds now = options_.now ? *options_.now : time_point_cast<seconds>(system_clock::now());
    const bool with_tsa = !options_.tsa_url.empty();
    const size_t contents_bytes =
        kind_ == Kind::kSignature ? options_.key->MaxCmsSize(with_tsa) : kDocumentTimestampBytes;

    QPDFObjectHandle root = pdf_->getRoot();
    QPDFObjectHandle page = pages_[static_cast<size_t>(page_index_)];
    const int sig_num = Allocate();

    if (kind_ == Kind::kDocumentTimestamp) {
      // ETSI EN 319 142-1, 5.4.3: no /M, no signer entries; the token's
      // genTime is the time.
      objects_.push_back({QPDFObjGen(sig_num, 0),
                          "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange " +
                              std::string(kByteRangeWidth, ' ') + " /Contents <" +
                              std::string(contents_bytes * 2, '0') + "> >>"});
      AddField(root, page, sig_num, std::nullopt, "[0 0 0 0]");
      return Assemble(contents_bytes, [this](const std::vector<std::string_view>& data) {
        TimestampAuthority tsa{options_.tsa_url, options_.tsa_timeout};
        Result<std::string> token = internal::FetchTimestampToken(tsa, data);
        if (token.ok() && token->size() > kDocumentTimestampBytes) {
          return Result<std::string>(Error::Internal(
              "the time-stamp token (" + std::to_string(token->size()) + " bytes) exceeds the " +
              std::to_string(kDocumentTimestampBytes) + " bytes kept for a document timestamp"));
        }
        return token;
      });
    }

    // The signature dictionary, with placeholders for /ByteRange and /Contents.
    std::string sig = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached";
    sig += " /ByteRange " + std::string(kByteRangeWidth, ' ');
    sig += " /Contents <" + std::string(contents_bytes * 2, '0') + ">";
    sig += " /M " + TextString(FormatPdfDate(now));
    const std::string& cn = options_.key->certificate().common_name;
    if (!cn.empty()) sig += " /Name " + TextString(cn);
    if (!options_.reason.empty()) sig += " /Reason " + TextString(options_.reason);
    if (!options_.location.empty()) sig += " /Location " + TextString(options_.location);
    if (!options_.contact.empty()) sig += " /ContactInfo " + TextString(options_.contact);
    if (options_.certify > 0) {
      sig += " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P " +
             std::to_string(options_.certify) + " /V /1.2 >> >>]";
      catalog_["/Perms"] = DictWith(root.getKey("/Perms"), {{"/DocMDP", Ref(sig_num)}});
    }
    sig += " >>";
    objects_.push_back({QPDFObjGen(sig_num, 0), sig});

    // Widget rectangle in PDF user space.
    std::string rect = "[0 0 0 0]";
    std::optional<int> ap_num;
    if (options_.rect) {
      QPDFObjectHandle::Rectangle box = page.getKey("/CropBox").isArray() ? page.getKey("/CropBox").getArrayAsRectangle()
                                                                          : page.getKey("/MediaBox").getArrayAsRectangle();
      const auto& r = *options_.rect;
      const double x0 = box.llx + r[0], x1 = box.llx + r[2];
      const double y0 = box.ury - r[3], y1 = box.ury - r[1];
      rect = "[" + Number(x0) + " " + Number(y0) + " " + Number(x1) + " " + Number(y1) + "]";
      ap_num = Allocate();
      objects_.push_back({QPDFObjGen(*ap_num, 0), Appearance(x1 - x0, y1 - y0, now)});
    }
    AddField(root, page, sig_num, ap_num, rect);
    return Assemble(contents_bytes, [this, with_tsa](const std::vector<std::string_view>& data) {
      TimestampAuthority tsa{options_.tsa_url, options_.tsa_timeout};
      return CreateCades(*options_.key, data, with_tsa ? &tsa : nullptr);
    });
  }

  // The field (the prepared one, or a new field with its widget on `page`)
  // with /V the signature dictionary `sig_num`, listed by the page and the
  // form.
  void AddField(QPDFObjectHandle root, QPDFObjectHandle page, int sig_num, std::optional<int> ap_num,
                const std::string& rect) {
    const std::string page_ref = Ref(page.getObjGen().getObj(), page.getObjGen().getGen());
    if (existing_field_.isDictionary()) {
      // Fill the prepared field: /V, and a new appearance when asked for.
      std::map<std::string, std::string> add = {{"/V", Ref(sig_num)}};
      if (ap_num) {
        add["/AP"] = "<< /N " + Ref(*ap_num) + " >>";
        add["/Rect"] = rect;
      }
      objects_.push_back({existing_field_.getObjGen(), DictWith(existing_field_, add)});
      QPDFObjectHandle form = root.getKey("/AcroForm");
      if (form.isIndirect() && form.getKey("/SigFlags").unparse() != "3") {
        objects_.push_back({form.getObjGen(), DictWith(form, {{"/SigFlags", "3"}})});
      }
    } else {
      const int widget_num = Allocate();
      std::string widget = "<< /Type /Annot /Subtype /Widget /FT /Sig /T " + TextString(field_name_) +
                           " /V " + Ref(sig_num) + " /P " + page_ref + " /Rect " + rect +
                           (ap_num ? " /F 4 /AP << /N " + Ref(*ap_num) + " >>" : " /F 132") + " >>";
      objects_.push_back({QPDFObjGen(widget_num, 0), widget});
      const std::string widget_ref = Ref(widget_num);
      // The page lists the widget among its annotations.
      QPDFObjectHandle annots = page.getKey("/Annots");
      if (annots.isIndirect() && annots.isArray()) {
        objects_.push_back({annots.getObjGen(), ArrayWith(annots, widget_ref)});
      } else {
        objects_.push_back({page.getObjGen(), DictWith(page, {{"/Annots", ArrayWith(annots, widget_ref)}})});
      }
      // The form lists the field.
      QPDFObjectHandle form = root.getKey("/AcroForm");
      QPDFObjectHandle fields = form.getKey("/Fields");
      if (form.isIndirect() && form.isDictionary()) {
        if (fields.isIndirect() && fields.isArray()) {
          objects_.push_back({fields.getObjGen(), ArrayWith(fields, widget_ref)});
          objects_.push_back({form.getObjGen(), DictWith(form, {{"/SigFlags", "3"}})});
        } else {
          objects_.push_back({form.getObjGen(), DictWith(form, {{"/Fields", ArrayWith(fields, widget_ref)},
                                                                {"/SigFlags", "3"}})});
        }
      } else {
        const int form_num = Allocate();
        objects_.push_back({QPDFObjGen(form_num, 0),
                            DictWith(form, {{"/Fields", ArrayWith(fields, widget_ref)}, {"/SigFlags", "3"}})});
        catalog_["/AcroForm"] = Ref(form_num);
      }
    }
    if (!catalog_.empty()) objects_.push_back({root.getObjGen(), DictWith(root, catalog_)});
  }

  std::string Appearance(double w, double h, std::chrono::sys_seconds now) const {
    const std::string& cn = options_.key->certificate().common_name;
    std::vector<std::string> lines = {"Digitally signed by " + (cn.empty() ? std::string("(unnamed)") : cn),
                                      "Date: " + FormatRfc3339(now)};
    if (!options_.reason.empty()) lines.push_back("Reason: " + options_.reason);
    if (!options_.location.empty()) lines.push_back("Location: " + options_.location);
    const double size = std::clamp(h / (static_cast<double>(lines.size()) * 1.3 + 0.6), 4.0, 10.0);
    std::string content = "q 0.2 0.2 0.5 RG 0.8 w 0.5 0.5 " + Number(w - 1) + " " + Number(h - 1) + " re S Q\n";
    content += "BT /Helv " + Number(size) + " Tf 0 0 0 rg\n";
    double y = h - size * 1.3;
    for (const auto& line : lines) {
      content += "1 0 0 1 " + Number(size * 0.4) + " " + Number(y) + " Tm " + ContentString(line) + " Tj\n";
      y -= size * 1.3;
    }
    content += "ET\n";
    return "<< /Type /XObject /Subtype /Form /BBox [0 0 " + Number(w) + " " + Number(h) +
           "] /Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
           " /Encoding /WinAnsiEncoding >> >> >> /Length " +
           std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream";
  }

  // The file with the signature dictionary (the first new object) filled
  // in: the byte range around /Contents, then what `make` makes of the
  // signed ranges into the gap.
  template <typename Make>
  Result<std::string> Assemble(size_t contents_bytes, Make make) {
    size_t sig_offset = 0;
    std::string out = Append(&sig_offset);
    // Byte range around /Contents, then the CMS into the gap.
    const size_t br_at = out.find("/ByteRange ", sig_offset) + 11;
    const size_t contents_at = out.find("/Contents <", sig_offset) + 10;
    const size_t contents_end = contents_at + contents_bytes * 2 + 2;
    std::string br = "[0 " + std::to_string(contents_at) + " " + std::to_string(contents_end) + " " +
                     std::to_string(out.size() - contents_end) + "]";
    if (br.size() > kByteRangeWidth) return Error::Internal("byte range does not fit its placeholder");
    out.replace(br_at, br.size(), br);
    std::vector<std::string_view> data = {std::string_view(out).substr(0, contents_at),
                                          std::string_view(out).substr(contents_end)};
    Result<std::string> cms = make(data);
    if (!cms.ok()) return cms.error();
    if (cms->size() > contents_bytes) return Error::Internal("the CMS is larger than its placeholder");
    const std::string hex = internal::UpperHex(*cms);
    out.replace(contents_at + 1, hex.size(), hex);
    return out;
  }

  static constexpr size_t kByteRangeWidth = 48;
  // Room for a document timestamp's token: TSTInfo, the authority's
  // signature and the certificates it includes.
  static constexpr size_t kDocumentTimestampBytes = 16 * 1024;

  const SignOptions& options_;
  const Kind kind_;
  std::vector<QPDFObjectHandle> pages_;
  std::string field_name_;
  int page_index_ = 0;
  QPDFObjectHandle existing_field_;
  std::map<std::string, std::string> catalog_;  // keys of the catalogue to replace
};

// The update of PAdES B-LT: the document security store (/DSS) with the
// validation data of every signature (dss.h) and a /VRI entry per
// signature. What the store held stays; new streams are added, existing
// ones reused.
class DssWriter : public Update {
 public:
  // `required_field`: the signature whose signer must get revocation data;
  // empty: every signature's.
  DssWriter(std::string_view bytes, const SignOptions& options, std::string required_field)
      : Update(bytes), options_(options), required_field_(std::move(required_field)) {}

  Result<std::string> Run() {
    if (auto err = Open()) return *err;
    if (FindSignatureFields(*pdf_).empty()) {
      return Error::BadRequest("the document has no signatures whose validation data could be added; sign it first");
    }
    DssSources sources;
    sources.key = options_.key.get();
    sources.trust = options_.trust.get();
    sources.timeout = options_.tsa_timeout;
    sources.required_field = required_field_;
    Result<ValidationData> data = CollectValidationData(*pdf_, sources);
    if (!data.ok()) return data.error();

    std::vector<std::string> cert_refs = Refs(data->certs), crl_refs = Refs(data->crls),
                             ocsp_refs = Refs(data->ocsps);
    QPDFObjectHandle root = pdf_->getRoot();
    QPDFObjectHandle dss = root.getKey("/DSS");
    std::map<std::string, std::string> entries;
    entries["/Certs"] = Merged(Key(dss, "/Certs"), data->certs, cert_refs);
    entries["/CRLs"] = Merged(Key(dss, "/CRLs"), data->crls, crl_refs);
    entries["/OCSPs"] = Merged(Key(dss, "/OCSPs"), data->ocsps, ocsp_refs);
    for (const char* key : {"/Certs", "/CRLs", "/OCSPs"}) {
      if (entries[key] == "[ ]") entries.erase(key);
    }
    // /VRI: the entries there, and one per signature (merged with what an
    // entry of that key already lists).
    QPDFObjectHandle vri = Key(dss, "/VRI");
    std::map<std::string, std::string> vri_entries;
    for (const VriEntry& e : data->vri) {
      QPDFObjectHandle old = Key(vri, "/" + e.key);
      std::map<std::string, std::string> lists;
      const auto list = [&](const char* key, const std::vector<size_t>& items, const std::vector<std::string>& refs) {
        std::string joined;
        for (size_t i : items) {
          const std::string ref = refs[i];
          QPDFObjectHandle was = Key(old, key);
          bool listed = false;
          if (was.isArray()) {
            for (int k = 0; k < was.getArrayNItems(); ++k) listed = listed || was.getArrayItem(k).unparse() == ref;
          }
          if (!listed) joined += (joined.empty() ? "" : " ") + ref;
        }
        if (!joined.empty()) lists[key] = ArrayWith(Key(old, key), joined);
      };
      list("/Cert", e.certs, cert_refs);
      list("/CRL", e.crls, crl_refs);
      list("/OCSP", e.ocsps, ocsp_refs);
      lists["/Type"] = "/VRI";
      vri_entries["/" + e.key] = DictWith(old, lists);
    }
    entries["/VRI"] = DictWith(vri, vri_entries);

    if (dss.isIndirect() && dss.isDictionary()) {
      objects_.insert(objects_.begin(), {dss.getObjGen(), DictWith(dss, entries)});
    } else {
      const int dss_num = Allocate();
      objects_.insert(objects_.begin(),
                      {QPDFObjGen(dss_num, 0), DictWith(dss, entries)});
      objects_.push_back({root.getObjGen(), DictWith(root, {{"/DSS", Ref(dss_num)}})});
    }
    size_t first_body = 0;
    return Append(&first_body);
  }

 private:
  // The reference of each item: its object, or a new stream object.
  std::vector<std::string> Refs(const std::vector<DssItem>& items) {
    std::vector<std::string> refs;
    for (const DssItem& item : items) {
      if (item.existing) {
        refs.push_back(Ref(item.existing->getObj(), item.existing->getGen()));
      } else {
        const int num = Allocate();
        objects_.push_back({QPDFObjGen(num, 0), StreamBody(item.der)});
        refs.push_back(Ref(num));
      }
    }
    return refs;
  }

  // The array `was` with the references of the items that are new.
  static std::string Merged(QPDFObjectHandle was, const std::vector<DssItem>& items,
                            const std::vector<std::string>& refs) {
    std::string added;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].existing) added += (added.empty() ? "" : " ") + refs[i];
    }
    if (added.empty()) return was.isArray() ? was.unparse() : "[ ]";
    return ArrayWith(was, added);
  }

  // dict[key], or null when `dict` is no dictionary.
  static QPDFObjectHandle Key(QPDFObjectHandle dict, const std::string& key) {
    return dict.isDictionary() ? dict.getKey(key) : QPDFObjectHandle::newNull();
  }

  const SignOptions& options_;
  const std::string required_field_;
};

Result<std::string> SignAtLevel(std::string_view pdf, const SignOptions& options) {
  const bool with_tsa = !options.tsa_url.empty();
  const PadesLevel level =
      options.level.value_or(options.extend ? PadesLevel::kBLTA : with_tsa ? PadesLevel::kBT : PadesLevel::kBB);
  const std::string name(PadesLevelName(level));
  if (options.extend && level != PadesLevel::kBLT && level != PadesLevel::kBLTA) {
    return Error::BadRequest("extend adds validation data (level b-lt) and a document timestamp (b-lta) to the "
                             "signatures there; level " + name + " adds nothing to extend with");
  }
  if (level != PadesLevel::kBB && !with_tsa) {
    return Error::BadRequest("PAdES level " + name +
                             " needs a time-stamp authority and none is configured (--tsa-url); level b-b "
                             "signs without one");
  }
  std::string out;
  std::string new_field;  // empty when extending: every signature needs its revocation data
  if (options.extend) {
    out = std::string(pdf);
  } else {
    SignOptions signature = options;
    if (level == PadesLevel::kBB) signature.tsa_url.clear();
    Signer signer(pdf, signature, Signer::Kind::kSignature);
    Result<std::string> signed_pdf = signer.Run();
    if (!signed_pdf.ok()) return signed_pdf.error();
    out = std::move(signed_pdf).value();
    new_field = signer.field_name();
  }
  if (level == PadesLevel::kBLT || level == PadesLevel::kBLTA) {
    Result<std::string> with_dss = DssWriter(out, options, new_field).Run();
    if (!with_dss.ok()) return with_dss.error();
    out = std::move(with_dss).value();
  }
  if (level == PadesLevel::kBLTA) {
    Result<std::string> stamped = Signer(out, options, Signer::Kind::kDocumentTimestamp).Run();
    if (!stamped.ok()) return stamped.error();
    out = std::move(stamped).value();
  }
  return out;
}

}  // namespace

std::string_view PadesLevelName(PadesLevel level) {
  switch (level) {
    case PadesLevel::kBB: return "b-b";
    case PadesLevel::kBT: return "b-t";
    case PadesLevel::kBLT: return "b-lt";
    case PadesLevel::kBLTA: return "b-lta";
  }
  return "b-b";
}

std::optional<PadesLevel> ParsePadesLevel(std::string_view name) {
  for (PadesLevel level : {PadesLevel::kBB, PadesLevel::kBT, PadesLevel::kBLT, PadesLevel::kBLTA}) {
    if (PadesLevelName(level) == name) return level;
  }
  return std::nullopt;
}

Result<std::string> Sign(std::string_view pdf, const SignOptions& options) {
  if (!options.key) return Error::Internal("no signing key configured");
  try {
    return SignAtLevel(pdf, options);
  } catch (const std::exception& e) {
    return Error::Unprocessable(std::string("the PDF cannot be signed: ") + e.what());
  }
}

}  // namespace pactum::signing
