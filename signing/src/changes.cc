#include "changes.h"

#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFXRefEntry.hh>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <string_view>

#include "pdf_file.h"

namespace pactum::signing {
namespace {

using ObjGenSet = std::set<QPDFObjGen>;

bool SameEntry(const QPDFXRefEntry& a, const QPDFXRefEntry& b) {
  if (a.getType() != b.getType()) return false;
  if (a.getType() == 1) return a.getOffset() == b.getOffset();
  if (a.getType() == 2) {
    return a.getObjStreamNumber() == b.getObjStreamNumber() && a.getObjStreamIndex() == b.getObjStreamIndex();
  }
  return true;
}

// Whether two dictionaries agree on every key but `allowed`. Values are
// compared as written: an indirect value compares by its reference.
bool SameExcept(QPDFObjectHandle a, QPDFObjectHandle b, std::initializer_list<std::string_view> allowed,
                std::string* which) {
  if (!a.isDictionary() || !b.isDictionary()) {
    if (which) *which = "(not a dictionary)";
    return false;
  }
  std::set<std::string> keys = a.getKeys();
  for (const auto& k : b.getKeys()) keys.insert(k);
  for (const auto& k : keys) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    if (a.getKey(k).unparse() != b.getKey(k).unparse()) {
      if (which) *which = k;
      return false;
    }
  }
  return true;
}

ObjGenSet ArrayRefs(QPDFObjectHandle array) {
  ObjGenSet out;
  if (!array.isArray()) return out;
  for (int i = 0; i < array.getArrayNItems(); ++i) {
    QPDFObjectHandle item = array.getArrayItem(i);
    if (item.isIndirect()) out.insert(item.getObjGen());
  }
  return out;
}

// Direct items of an array, as text (direct annotations have no number).
std::multiset<std::string> DirectItems(QPDFObjectHandle array) {
  std::multiset<std::string> out;
  if (!array.isArray()) return out;
  for (int i = 0; i < array.getArrayNItems(); ++i) {
    QPDFObjectHandle item = array.getArrayItem(i);
    if (!item.isIndirect()) out.insert(item.unparse());
  }
  return out;
}

bool IsTimestampValue(QPDFObjectHandle v) {
  return NameValue(v, "/Type") == "/DocTimeStamp" || NameValue(v, "/SubFilter") == "/ETSI.RFC3161";
}

bool IsSignatureWidget(QPDFObjectHandle annot) {
  return annot.isDictionary() && NameValue(annot, "/Subtype") == "/Widget" && FieldType(annot) == "/Sig";
}

class Analysis {
 public:
  Analysis(QPDF& s, QPDF& f) : s_(s), f_(f) {}

  RevisionChanges Run() {
    try {
      Trailer();
      CollectSignedSets();
      Objects();
      Pages();
      Fields();
    } catch (const std::exception& e) {
      Add("structure_damaged", std::string("comparison failed: ") + e.what());
    }
    return std::move(out_);
  }

 private:
  void Add(const std::string& reason, std::string detail) {
    if (std::find(out_.reasons.begin(), out_.reasons.end(), reason) == out_.reasons.end()) {
      out_.reasons.push_back(reason);
    }
    if (out_.details.size() < 50) out_.details.push_back(std::move(detail));
  }

  void Trailer() {
    if (s_.getRoot().getObjGen() != f_.getRoot().getObjGen()) {
      Add("catalog_changed", "the trailer points to another catalogue");
    }
    if (!s_.getTrailer().hasKey("/Encrypt") && f_.getTrailer().hasKey("/Encrypt")) {
      Add("encryption_added", "encryption was added after signing");
    }
  }

  void CollectSignedSets() {
    QPDFObjectHandle root = s_.getRoot();
    root_ = root.getObjGen();
    QPDFObjectHandle info = s_.getTrailer().getKey("/Info");
    if (info.isIndirect()) info_ = info.getObjGen();
    signed_pages_ = s_.getAllPages();
    final_pages_ = f_.getAllPages();
    for (QPDFObjectHandle page : signed_pages_) {
      pages_.insert(page.getObjGen());
      QPDFObjectHandle annots = page.getKey("/Annots");
      if (annots.isIndirect()) annots_arrays_.insert(annots.getObjGen());
    }
    QPDFObjectHandle form = root.getKey("/AcroForm");
    if (form.isIndirect()) acroform_ = form.getObjGen();
    QPDFObjectHandle fields = form.getKey("/Fields");
    if (fields.isIndirect()) fields_array_ = fields.getObjGen();
    form_ = ReadFormTree(s_);
    for (const FormField& terminal : form_.terminals) {
      QPDFObjectHandle field = terminal.field;
      if (FieldType(field) == "/Sig" && !field.getKey("/V").isDictionary() && field.isIndirect()) {
        empty_sig_fields_.insert(field.getObjGen());
      }
    }
    QPDFObjectHandle dss = root.getKey("/DSS");
    if (dss.isIndirect()) dss_.insert(dss.getObjGen());
    if (dss.isDictionary()) {
      for (const char* key : {"/Certs", "/CRLs", "/OCSPs", "/VRI"}) {
        QPDFObjectHandle v = dss.getKey(key);
        if (v.isIndirect()) dss_.insert(v.getObjGen());
      }
      QPDFObjectHandle vri = dss.getKey("/VRI");
      if (vri.isDictionary()) {
        for (const auto& k : vri.getKeys()) {
          QPDFObjectHandle entry = vri.getKey(k);
          if (entry.isIndirect()) dss_.insert(entry.getObjGen());
        }
      }
    }
  }

  void Objects() {
    auto xs = s_.getXRefTable();
    auto xf = f_.getXRefTable();
    for (const auto& [og, entry] : xf) {
      auto it = xs.find(og);
      if (it == xs.end() || !SameEntry(it->second, entry)) out_.any_change = true;
    }
    // The same number under another generation: readers that resolve by
    // number alone (or by the newest entry) see the new body.
    std::map<int, int> signed_gen;
    for (const auto& [og, entry] : xs) signed_gen[og.getObj()] = og.getGen();
    for (const auto& [og, entry] : xf) {
      auto it = signed_gen.find(og.getObj());
      if (it != signed_gen.end() && it->second != og.getGen()) {
        Add("object_redefined", "object " + std::to_string(og.getObj()) + " was redefined under generation " +
                                    std::to_string(og.getGen()));
      }
    }
    for (const auto& [og, entry] : xs) {
      auto it = xf.find(og);
      if (it == xf.end()) {
        out_.any_change = true;
        Add("object_removed", "object " + og.unparse(' ') + " was removed");
        continue;
      }
      if (SameEntry(entry, it->second)) continue;
      out_.any_change = true;
      Redefined(og);
    }
  }

  void Redefined(QPDFObjGen og) {
    QPDFObjectHandle before = s_.getObject(og);
    QPDFObjectHandle after = f_.getObject(og);
    const std::string id = "object " + og.unparse(' ');
    std::string key;
    if (og == root_) {
      if (!SameExcept(before, after, {"/AcroForm", "/DSS", "/Extensions"}, &key)) {
        Add("catalog_changed", id + " (catalogue): " + key + " changed");
      }
      QPDFObjectHandle form_before = before.getKey("/AcroForm");
      QPDFObjectHandle form_after = after.getKey("/AcroForm");
      bool same_indirect = form_before.isIndirect() && form_after.isIndirect() &&
                           form_before.getObjGen() == form_after.getObjGen();
      if (!same_indirect && !form_before.isNull()) Form(form_before, form_after, id);
      if (before.getKey("/DSS").unparse() != after.getKey("/DSS").unparse()) out_.dss_changed = true;
    } else if (info_ && og == *info_) {
      // Document information is metadata, not shown on any page.
    } else if (pages_.count(og)) {
      if (!SameExcept(before, after, {"/Annots"}, &key)) {
        Add("page_changed", id + " (page): " + key + " changed");
      }
    } else if (annots_arrays_.count(og) || (fields_array_ && og == *fields_array_)) {
      // Checked item by item in Pages() and Fields().
    } else if (acroform_ && og == *acroform_) {
      Form(before, after, id);
    } else if (empty_sig_fields_.count(og)) {
      if (!SameExcept(before, after, {"/V", "/AP", "/AS"}, &key)) {
        Add("form_changed", id + " (empty signature field): " + key + " changed");
      }
      // A new appearance of a prepared field is checked like a new widget.
      if (before.getKey("/AP").unparse() != after.getKey("/AP").unparse() ||
          before.getKey("/AS").unparse() != after.getKey("/AS").unparse()) {
        QPDFObjectHandle p = after.getKey("/P");
        for (size_t i = 0; i < final_pages_.size(); ++i) {
          if (p.isIndirect() && final_pages_[i].getObjGen() == p.getObjGen()) NewWidget(after, static_cast<int>(i));
        }
      }
    } else if (dss_.count(og)) {
      out_.dss_changed = true;
    } else if (form_.nodes.count(og)) {
      Add("form_changed", id + " (form field) was redefined");
    } else {
      Add("object_redefined", id + " was redefined");
    }
  }

  void Form(QPDFObjectHandle before, QPDFObjectHandle after, const std::string& id) {
    if (!before.isDictionary()) return;
    std::string key;
    if (!after.isDictionary()) {
      Add("form_changed", id + ": the form was removed");
      return;
    }
    if (!SameExcept(before, after, {"/Fields", "/SigFlags", "/DR", "/DA"}, &key)) {
      Add("form_changed", id + " (form): " + key + " changed");
    }
    if (before.getKey("/DR").unparse() != after.getKey("/DR").unparse()) out_.resources_changed = true;
  }

  void Pages() {
    std::vector<QPDFObjectHandle>& before = signed_pages_;
    std::vector<QPDFObjectHandle>& after = final_pages_;
    if (before.size() != after.size()) {
      Add("pages_changed", "the page count changed");
      return;
    }
    for (size_t i = 0; i < after.size(); ++i) {
      if (before[i].getObjGen() != after[i].getObjGen()) {
        Add("pages_changed", "page " + std::to_string(i + 1) + " was replaced");
        continue;
      }
      QPDFObjectHandle annots_before = before[i].getKey("/Annots");
      QPDFObjectHandle annots_after = after[i].getKey("/Annots");
      ObjGenSet old_refs = ArrayRefs(annots_before);
      ObjGenSet new_refs = ArrayRefs(annots_after);
      for (QPDFObjGen og : old_refs) {
        if (!new_refs.count(og)) Add("annotation_removed", "an annotation of page " + std::to_string(i + 1) + " was removed");
      }
      std::multiset<std::string> old_direct = DirectItems(annots_before);
      std::multiset<std::string> new_direct = DirectItems(annots_after);
      if (old_direct != new_direct) {
        Add("annotation_added", "the direct annotations of page " + std::to_string(i + 1) + " changed");
      }
      for (QPDFObjGen og : new_refs) {
        if (old_refs.count(og)) continue;
        QPDFObjectHandle annot = f_.getObject(og);
        if (!IsSignatureWidget(annot)) {
          Add("annotation_added", "page " + std::to_string(i + 1) + ": annotation " + og.unparse(' ') + " (" +
                                      NameValue(annot, "/Subtype") + ") was added");
          continue;
        }
        NewWidget(annot, static_cast<int>(i));
      }
    }
  }

  void NewWidget(QPDFObjectHandle annot, int page) {
    // Shown in print but not on screen (or the reverse): the rendering check
    // would not see what a printout shows.
    const long long flags = IntValue(annot, "/F").value_or(0);
    if ((flags & 32) || (flags & 256)) {
      Add("annotation_added", "a signature widget with NoView or ToggleNoView was added");
    }
    QPDFObjectHandle rect = annot.getKey("/Rect");
    if (!rect.isArray() || rect.getArrayNItems() != 4) return;
    double v[4];
    for (int k = 0; k < 4; ++k) {
      QPDFObjectHandle n = rect.getArrayItem(k);
      if (!n.isNumber()) return;
      v[k] = n.getNumericValue();
    }
    out_.new_widgets.push_back(
        {page, std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])});
  }

  void Fields() {
    FormTree after = ReadFormTree(f_);
    ObjGenSet before_terminals;
    for (const FormField& t : form_.terminals) {
      if (t.field.isIndirect()) before_terminals.insert(t.field.getObjGen());
    }
    ObjGenSet after_terminals;
    for (const FormField& t : after.terminals) {
      QPDFObjectHandle f = t.field;
      if (f.isIndirect()) after_terminals.insert(f.getObjGen());
      bool is_new = !f.isIndirect() || !before_terminals.count(f.getObjGen());
      bool filled = f.isIndirect() && empty_sig_fields_.count(f.getObjGen()) && f.getKey("/V").isDictionary();
      if (!is_new && !filled) continue;
      if (FieldType(f) != "/Sig") {
        Add("form_changed", "a form field of type " + FieldType(f) + " was added");
        continue;
      }
      QPDFObjectHandle v = f.getKey("/V");
      if (!v.isDictionary()) continue;
      if (IsTimestampValue(v)) {
        ++out_.added_timestamps;
      } else {
        ++out_.added_signatures;
      }
    }
    for (QPDFObjGen og : before_terminals) {
      if (!after_terminals.count(og)) Add("field_removed", "form field " + og.unparse(' ') + " was removed");
    }
  }

  QPDF& s_;
  QPDF& f_;
  RevisionChanges out_;
  QPDFObjGen root_;
  std::optional<QPDFObjGen> info_, acroform_, fields_array_;
  ObjGenSet pages_, annots_arrays_, empty_sig_fields_, dss_;
  std::vector<QPDFObjectHandle> signed_pages_, final_pages_;  // read once, in CollectSignedSets
  FormTree form_;
};

}  // namespace

RevisionChanges CompareRevisions(QPDF& signed_rev, QPDF& final_doc) {
  return Analysis(signed_rev, final_doc).Run();
}

}  // namespace pactum::signing
