// qpdf, as the verifier and the signer use it: a PDF opened from bytes the
// caller keeps alive, the revision boundaries of a file, its signature fields
// and bounded stream reads. Every function here catches qpdf's exceptions:
// damaged input gives an empty result or nullptr, never a throw.
#pragma once

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::signing {

// Whether the bytes start like a PDF: "%PDF-" within the first 1024 bytes.
bool HasPdfHeader(std::string_view bytes);

// The offset after the last "startxref" keyword in `bytes`; nullopt when
// there is none or no number follows it.
std::optional<unsigned long long> LastStartXref(std::string_view bytes);

// The DocMDP permission level (1, 2, 3) when the signature dictionary
// `value` certifies the document; nullopt for an approval signature.
std::optional<int> CertificationLevel(QPDFObjectHandle value);

// A QPDF over `bytes` (not copied: they must outlive the object).
// strict: no xref reconstruction, so that a damaged or spliced file is seen
// as what it is instead of being repaired silently. Encrypted files open
// when the user password is empty. nullptr and *error set on failure.
std::unique_ptr<QPDF> OpenPdf(std::string_view bytes, bool strict, std::string* error);

// Candidate revision ends: the offsets just past each "%%EOF" marker, in
// file order. Only a prefix that also opens strictly is a revision; the
// caller checks that.
std::vector<size_t> FindEofMarkers(std::string_view bytes);

// Whether the prefix [0, end) ends at a "%%EOF" marker, directly or after a
// CR, LF or CRLF; `*marker_end` is then the offset just past the marker.
bool IsMarkerEnd(std::string_view bytes, size_t end, size_t* marker_end);

struct FormField {
  std::string name;        // fully qualified ("a.b")
  QPDFObjectHandle field;  // the terminal field (often merged with its widget)
};

// The terminal fields of the /AcroForm in document order, and every field
// node on the way. Loops and absurd depths in /Kids are cut.
struct FormTree {
  std::vector<FormField> terminals;
  std::set<QPDFObjGen> nodes;
};
FormTree ReadFormTree(QPDF& pdf);

struct SignatureField {
  std::string name;          // fully qualified field name ("Signature1", "a.b")
  QPDFObjectHandle field;    // the terminal field (often merged with its widget)
  QPDFObjectHandle value;    // its /V: the signature dictionary
  // False when /V is there but no dictionary can be read from it (an object
  // that does not parse, absurdly nested, or a string, ...): a signature
  // that must be reported, not skipped.
  bool readable = true;
};

// Every terminal field of the /AcroForm whose (inherited) /FT is /Sig and
// that has a /V, in document order; a field whose /V is missing or null (an
// undefined object included) is an empty signature field and left out. Loops and absurd depths
// in /Kids or /Parent are cut.
std::vector<SignatureField> FindSignatureFields(QPDF& pdf);

// The (inherited) field type of a field or widget: "/Sig", "/Tx", ...; ""
// when none.
std::string FieldType(QPDFObjectHandle field);

// The decoded data of a stream, or nullopt when it is not a stream, cannot be
// decoded, or would decode to more than max_bytes (a decompression bomb).
std::optional<std::string> ReadStream(QPDFObjectHandle stream, size_t max_bytes);

// A PDF text string as UTF-8 (PDFDocEncoding or UTF-16BE with BOM).
std::optional<std::string> TextValue(QPDFObjectHandle dict, const char* key);

// The integer value of dict[key], or nullopt.
std::optional<long long> IntValue(QPDFObjectHandle dict, const char* key);

// The name dict[key] as qpdf spells it ("/Sig"); "" when not a name.
std::string NameValue(QPDFObjectHandle dict, const char* key);

}  // namespace pactum::signing
