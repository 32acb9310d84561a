#include "changes.h"

#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFXRefEntry.hh>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "object_graph.h"
#include "pdf_file.h"

namespace pactum::signing {
namespace {

using Level = ModificationLevel;
using Keys = std::set<std::string>;

constexpr size_t kMaxObjects = 1000000;  // objects of a revision walked for their usages
constexpr size_t kMaxSubtree = 200000;   // objects visited below one place
constexpr size_t kMaxCompared = 20000000;  // comparison steps for all the objects an update redefines
constexpr size_t kMaxComparedPerObject = 200000;
constexpr int kMaxDepth = 64;            // nesting followed below one place
constexpr int kMaxFieldDepth = 32;
constexpr size_t kMaxFields = 10000;
constexpr size_t kMaxAnnotations = 100000;  // per page

// Annotation flags (ISO 32000-1, 12.5.3). Changing ReadOnly, Locked or
// LockedContents, or setting Print, alters no rendering; Invisible, Hidden,
// NoView and ToggleNoView (and NoZoom, NoRotate) do.
constexpr long long kPrintFlag = 4;
constexpr long long kNoViewFlag = 32;
constexpr long long kToggleNoViewFlag = 256;
constexpr long long kNeutralFlags = kPrintFlag | 64 | 128 | 512;

// Catalogue entries whose changes other rules judge.
const Keys kCatalogJudged = {"/AcroForm", "/DSS",  "/Extensions",     "/Metadata",
                             "/MarkInfo", "/Perms", "/StructTreeRoot", "/Version"};
// Trailer entries that describe the file's layout, not its content.
const Keys kTrailerLayout = {"/Size",  "/Prev",   "/ID",          "/XRefStm", "/Type", "/W",
                             "/Index", "/Filter", "/DecodeParms", "/Length",  "/DL"};
// Form entries that Acrobat rewrites while filling or signing.
const Keys kFormBookkeeping = {"/Fields", "/DR", "/DA", "/Q", "/NeedAppearances", "/SigFlags"};
// Field entries judged one by one (value, appearance, flags).
// /Ff: Acrobat sets field flags (read-only) liberally; they change no
// rendering.
const Keys kFieldJudged = {"/V", "/I", "/DA", "/Q", "/MK", "/Ff", "/Type", "/Kids", "/RV", "/DS"};
// Widget entries judged one by one; for a field merged with its widget, too.
const Keys kWidgetJudged = {"/AP", "/AS", "/F", "/MK", "/DA", "/Rect", "/Type"};
// Entries a form fill may rewrite besides /V and the appearance.
const Keys kFillEntries = {"/I", "/DA", "/Q", "/MK", "/RV", "/DS"};
const Keys kDssKeys = {"/Type", "/VRI", "/Certs", "/CRLs", "/OCSPs"};
const Keys kVriKeys = {"/Type", "/TU", "/TS", "/Cert", "/CRL", "/OCSP"};
const Keys kPermsKeys = {"/DocMDP", "/UR", "/UR3"};
// Keys of the structure tree that may only gain entries, and keys not
// followed below it (pages, annotations, content).
const Keys kStructAppendable = {"/K", "/Nums", "/Kids"};
const Keys kStructFree = {"/Limits", "/ParentTreeNextKey"};
const Keys kStructOutside = {"/Pg", "/Obj", "/Stm", "/StmOwn"};

bool SameEntry(const QPDFXRefEntry& a, const QPDFXRefEntry& b) {
  if (a.getType() != b.getType()) return false;
  if (a.getType() == 1) return a.getOffset() == b.getOffset();
  if (a.getType() == 2) {
    return a.getObjStreamNumber() == b.getObjStreamNumber() && a.getObjStreamIndex() == b.getObjStreamIndex();
  }
  return true;
}

std::string Id(QPDFObjGen og) { return og.unparse(' '); }

// A field value that says nothing yet: absent, empty, or "Off".
bool IsEmptyValue(QPDFObjectHandle v) {
  if (v.isNull()) return true;
  if (v.isString()) return v.getStringValue().empty();
  if (v.isName()) return v.getName() == "/Off";
  if (v.isArray()) return v.getArrayNItems() == 0;
  return false;
}

bool IsTimestamp(QPDFObjectHandle v) {
  return v.isDictionary() &&
         (NameValue(v, "/Type") == "/DocTimeStamp" || NameValue(v, "/SubFilter") == "/ETSI.RFC3161");
}

std::optional<std::array<double, 4>> RectOf(QPDFObjectHandle annot) {
  if (!annot.isDictionary()) return std::nullopt;
  QPDFObjectHandle r = annot.getKey("/Rect");
  if (!r.isArray() || r.getArrayNItems() != 4) return std::nullopt;
  std::array<double, 4> v{};
  for (int k = 0; k < 4; ++k) {
    QPDFObjectHandle n = r.getArrayItem(k);
    if (!n.isNumber()) return std::nullopt;
    v[static_cast<size_t>(k)] = n.getNumericValue();
  }
  return std::array<double, 4>{std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]),
                               std::max(v[1], v[3])};
}

// Shown somewhere: a rectangle with an area and not hidden.
bool Visible(QPDFObjectHandle annot) {
  auto r = RectOf(annot);
  const long long flags = IntValue(annot, "/F").value_or(0);
  return r && (*r)[2] - (*r)[0] > 0 && (*r)[3] - (*r)[1] > 0 && !(flags & (1 | 2 | kNoViewFlag));
}

// The items of an array, or of a single value (null: none).
std::vector<QPDFObjectHandle> Items(QPDFObjectHandle v) {
  std::vector<QPDFObjectHandle> out;
  if (v.isArray()) {
    const int n = v.getArrayNItems();
    for (int i = 0; i < n; ++i) out.push_back(v.getArrayItem(i));
  } else if (!v.isNull()) {
    out.push_back(v);
  }
  return out;
}

// One field of a form, as one revision has it.
struct FieldNode {
  std::string name;       // fully qualified
  QPDFObjectHandle dict;  // the field dictionary
  Place place;            // where the revision refers to it
  std::string type;       // /FT, inherited
  bool terminal = true;
  std::vector<std::pair<QPDFObjectHandle, Place>> widgets;  // the field itself when merged
};

class FormReader {
 public:
  std::map<std::string, FieldNode> Read(QPDFObjectHandle form, const Place& form_place) {
    if (!form.isDictionary()) return std::move(fields_);
    QPDFObjectHandle list = form.getKey("/Fields");
    const Place at = Inside(form_place, form, "/Fields");
    if (!list.isArray()) return std::move(fields_);
    const int n = list.getArrayNItems();
    for (int i = 0; i < n && fields_.size() < kMaxFields; ++i) {
      Walk(list.getArrayItem(i), Inside(at, list, ItemKey(i)), "", "", 0);
    }
    return std::move(fields_);
  }

 private:
  void Walk(QPDFObjectHandle node, const Place& place, const std::string& parent, const std::string& inherited,
            int depth) {
    if (depth > kMaxFieldDepth || fields_.size() >= kMaxFields || !node.isDictionary()) return;
    if (node.isIndirect() && !seen_.insert(node.getObjGen()).second) return;
    FieldNode f;
    f.dict = node;
    f.place = place;
    f.name = parent;
    if (auto t = TextValue(node, "/T")) f.name = parent.empty() ? *t : parent + "." + *t;
    f.type = node.getKey("/FT").isName() ? node.getKey("/FT").getName() : inherited;
    QPDFObjectHandle kids = node.getKey("/Kids");
    const Place kids_at = Inside(place, node, "/Kids");
    std::vector<std::pair<QPDFObjectHandle, Place>> field_kids;
    if (kids.isArray()) {
      const int n = kids.getArrayNItems();
      for (int i = 0; i < n; ++i) {
        QPDFObjectHandle kid = kids.getArrayItem(i);
        if (!kid.isDictionary()) continue;
        Place kid_at = Inside(kids_at, kids, ItemKey(i));
        // Kids without /T are widgets of this field, not fields of their own.
        if (kid.hasKey("/T")) {
          field_kids.emplace_back(kid, kid_at);
        } else {
          f.widgets.emplace_back(kid, kid_at);
        }
      }
    }
    f.terminal = field_kids.empty();
    if (f.terminal && f.widgets.empty() && (NameValue(node, "/Subtype") == "/Widget" || node.hasKey("/Rect"))) {
      f.widgets.emplace_back(node, place);
    }
    // Two fields of one name: the second is told apart (and matched in order).
    std::string key = f.name;
    for (int k = 2; fields_.count(key); ++k) key = f.name + "#" + std::to_string(k);
    const std::string name = f.name, type = f.type;
    fields_.emplace(key, std::move(f));
    for (auto& [kid, kid_at] : field_kids) Walk(kid, kid_at, name, type, depth + 1);
  }

  std::map<std::string, FieldNode> fields_;
  std::set<QPDFObjGen> seen_;
};

class Analysis {
 public:
  Analysis(QPDF& older, QPDF& newer) : o_(older), n_(newer) {}

  RevisionChanges Run() {
    try {
      index_.emplace(o_, kMaxObjects);
      if (!index_->complete()) {
        Add(Level::kOther, "structure_damaged", "more objects than the analysis walks");
        return std::move(out_);
      }
      old_root_ = o_.getRoot();
      new_root_ = n_.getRoot();
      Xref();
      if (Trailer()) {
        Catalog();
        Form();
        StructTree();
        Pages();
      }
      Unexplained();
    } catch (const std::exception& e) {
      Add(Level::kOther, "structure_damaged", std::string("comparison failed: ") + e.what());
    }
    return std::move(out_);
  }

 private:
  // ---- Findings and the ledger of explained objects ----

  void Add(Level level, const std::string& reason, const std::string& detail) {
    out_.level = std::max(out_.level, level);
    for (const Finding& f : out_.findings) {
      if (f.level == level && f.reason == reason) return;
    }
    out_.findings.push_back({level, reason, detail});
  }

  bool Changed(QPDFObjGen og) const { return changed_.count(og) > 0; }

  // A value the older revision does not use: a direct one, or an object it
  // does not reach.
  bool Fresh(QPDFObjectHandle v) const { return !v.isIndirect() || !index_->Reachable(v.getObjGen()); }

  // Marks the use of every object below `v` (held at `at` in the older
  // revision) along this path as judged, `v` included. Whether any of them
  // changed.
  bool ClearSubtree(QPDFObjectHandle v, const Place& at) {
    std::set<QPDFObjGen> seen;
    size_t budget = kMaxSubtree;
    return ClearWalk(v, at, 0, seen, budget, true);
  }
  // The same without marking: whether anything below `v` changed.
  bool SubtreeChanged(QPDFObjectHandle v) {
    std::set<QPDFObjGen> seen;
    size_t budget = kMaxSubtree;
    return ClearWalk(v, Place{}, 0, seen, budget, false);
  }
  bool ClearWalk(QPDFObjectHandle v, const Place& at, int depth, std::set<QPDFObjGen>& seen, size_t& budget,
                 bool mark) {
    if (budget == 0 || depth > kMaxDepth) return false;
    --budget;
    Place base = at;
    bool changed = false;
    if (v.isIndirect()) {
      const QPDFObjGen og = v.getObjGen();
      if (mark) cleared_[og].insert(at);
      changed = Changed(og);
      if (!seen.insert(og).second) return changed;
      base = Place{og, ""};
    }
    QPDFObjectHandle body = v.isStream() ? v.getDict() : v;
    if (body.isArray()) {
      const int n = body.getArrayNItems();
      for (int i = 0; i < n; ++i) {
        changed |= ClearWalk(body.getArrayItem(i), Place{base.owner, base.path + ItemKey(i)},
                             depth + 1, seen, budget, mark);
      }
    } else if (body.isDictionary()) {
      for (const std::string& key : body.getKeys()) {
        changed |= ClearWalk(body.getKey(key), Place{base.owner, base.path + key}, depth + 1, seen, budget, mark);
      }
    }
    return changed;
  }

  // ---- The cross-reference: what the newer revision redefines ----

  void Xref() {
    const auto xo = o_.getXRefTable();
    const auto xn = n_.getXRefTable();
    // Object streams redefined: the objects stored in them change with them.
    std::set<int> redefined;
    for (const auto& [og, entry] : xn) {
      auto it = xo.find(og);
      if (it == xo.end() || !SameEntry(it->second, entry)) redefined.insert(og.getObj());
    }
    std::map<int, int> old_gen;
    for (const auto& [og, entry] : xo) old_gen[og.getObj()] = og.getGen();
    std::map<int, int> new_gen;
    for (const auto& [og, entry] : xn) new_gen[og.getObj()] = og.getGen();
    size_t compare_budget = kMaxCompared;
    for (const auto& [og, entry] : xn) {
      auto it = xo.find(og);
      if (it == xo.end()) {
        auto g = old_gen.find(og.getObj());
        if (g != old_gen.end() && index_->Reachable(QPDFObjGen(og.getObj(), g->second))) {
          Add(Level::kOther, "object_redefined",
              "object " + std::to_string(og.getObj()) + " was redefined under generation " +
                  std::to_string(og.getGen()));
        }
        continue;
      }
      const bool same = SameEntry(it->second, entry) &&
                        !(entry.getType() == 2 && redefined.count(entry.getObjStreamNumber()));
      if (same || !index_->Reachable(og)) continue;
      // Past the cap, an object rewritten counts as changed.
      const size_t cap = std::min(compare_budget, kMaxComparedPerObject);
      ValueComparer cmp(cap);
      if (cap == 0 || !cmp.SameObject(o_.getObject(og), n_.getObject(og))) changed_.insert(og);
      compare_budget -= cap - cmp.budget();
    }
    for (const auto& [og, entry] : xo) {
      if (xn.count(og) || !index_->Reachable(og) || new_gen.count(og.getObj())) continue;
      Add(Level::kOther, "object_removed", "object " + Id(og) + " was removed");
    }
  }

  // ---- Trailer ----

  // Whether the newer revision keeps the catalogue (the other rules compare
  // the two catalogues).
  bool Trailer() {
    QPDFObjectHandle ot = o_.getTrailer(), nt = n_.getTrailer();
    ValueComparer cmp;
    bool same_root = old_root_.getObjGen() == new_root_.getObjGen();
    if (!same_root) Add(Level::kOther, "catalog_changed", "the trailer points to another catalogue");
    root_ = old_root_.getObjGen();
    if (!ot.hasKey("/Encrypt") && nt.hasKey("/Encrypt")) {
      Add(Level::kOther, "encryption_added", "encryption was added after signing");
    }
    QPDFObjectHandle oi = ot.getKey("/Info"), ni = nt.getKey("/Info");
    if (oi.isIndirect() && !ni.isNull() && (!ni.isIndirect() || ni.getObjGen() != oi.getObjGen())) {
      Add(Level::kOther, "trailer_changed", "the trailer points to another /Info");
    } else if (!oi.isIndirect() && ni.isIndirect() && !Fresh(ni)) {
      Add(Level::kOther, "trailer_changed",
          "the new /Info is object " + Id(ni.getObjGen()) + " of the signed revision");
    }
    if (!ni.isNull() && !ni.isDictionary()) Add(Level::kOther, "trailer_changed", "/Info is not a dictionary");
    ClearSubtree(oi, Place{QPDFObjGen(), "/Info"});
    std::set<std::string> keys = ot.getKeys();
    for (const auto& k : nt.getKeys()) keys.insert(k);
    for (const auto& k : keys) {
      if (kTrailerLayout.count(k) || k == "/Root" || k == "/Info" || k == "/Encrypt") continue;
      if (!cmp.Same(ot.getKey(k), nt.getKey(k))) {
        Add(Level::kOther, "trailer_changed", "the trailer's " + k + " changed");
      }
    }
    if (nt.hasKey("/Encrypt") && ot.hasKey("/Encrypt") && !cmp.Same(ot.getKey("/Encrypt"), nt.getKey("/Encrypt"))) {
      Add(Level::kOther, "trailer_changed", "the encryption dictionary changed");
    }
    return same_root;
  }

  // ---- Catalogue, its bookkeeping, validation data, permissions ----

  void Catalog() {
    ValueComparer cmp;
    if (Changed(root_)) {
      approved_.insert(root_);
      std::string key;
      if (!SameExcept(cmp, old_root_, new_root_, kCatalogJudged, &key)) {
        Add(Level::kOther, "catalog_changed", "the catalogue's " + key + " changed");
      }
    }
    // Bookkeeping: not shown on any page. Each must keep its type.
    const auto bookkeeping = [&](const char* key, auto is) {
      QPDFObjectHandle ov = old_root_.getKey(key), nv = new_root_.getKey(key);
      const bool changed = ClearSubtree(ov, Place{root_, key}) || !cmp.Same(ov, nv);
      if (changed && !nv.isNull() && !(nv.*is)()) {
        Add(Level::kOther, "catalog_changed", std::string("the catalogue's ") + key + " has the wrong type");
      }
    };
    bookkeeping("/Extensions", &QPDFObjectHandle::isDictionary);
    bookkeeping("/Metadata", &QPDFObjectHandle::isStream);
    bookkeeping("/MarkInfo", &QPDFObjectHandle::isDictionary);
    bookkeeping("/Version", &QPDFObjectHandle::isName);
    Dss();
    Perms();
  }

  void Dss() {
    ValueComparer cmp;
    QPDFObjectHandle ov = old_root_.getKey("/DSS"), nv = new_root_.getKey("/DSS");
    const bool changed = ClearSubtree(ov, Place{root_, "/DSS"}) || !cmp.Same(ov, nv);
    if (!changed) return;
    if (nv.isNull()) {
      Add(Level::kOther, "catalog_changed", "the /DSS was removed");
    } else if (!WellFormedDss(nv)) {
      Add(Level::kOther, "catalog_changed", "the /DSS holds more than validation data");
    } else {
      Add(Level::kLtv, "dss_changed", "validation data added to the /DSS");
    }
  }

  // ISO 32000-2, 12.8.4.3: arrays of streams, and a /VRI of dictionaries of
  // such arrays.
  static bool StreamArray(QPDFObjectHandle a) {
    if (!a.isArray()) return false;
    const int n = a.getArrayNItems();
    for (int i = 0; i < n; ++i) {
      QPDFObjectHandle item = a.getArrayItem(i);
      if (!item.isIndirect() || !item.isStream()) return false;
    }
    return true;
  }
  static bool WellFormedDss(QPDFObjectHandle dss) {
    if (!dss.isDictionary() || dss.isStream()) return false;
    for (const auto& k : dss.getKeys()) {
      if (!kDssKeys.count(k)) return false;
    }
    for (const char* k : {"/Certs", "/CRLs", "/OCSPs"}) {
      if (dss.hasKey(k) && !StreamArray(dss.getKey(k))) return false;
    }
    QPDFObjectHandle vri = dss.getKey("/VRI");
    if (vri.isNull()) return true;
    if (!vri.isDictionary() || vri.isStream()) return false;
    for (const auto& hash : vri.getKeys()) {
      QPDFObjectHandle entry = vri.getKey(hash);
      if (!entry.isDictionary() || entry.isStream()) return false;
      for (const auto& k : entry.getKeys()) {
        if (!kVriKeys.count(k)) return false;
      }
      for (const char* k : {"/Cert", "/CRL", "/OCSP"}) {
        if (entry.hasKey(k) && !StreamArray(entry.getKey(k))) return false;
      }
      if (entry.hasKey("/TS") && !entry.getKey("/TS").isStream()) return false;
    }
    return true;
  }

  void Perms() {
    ValueComparer cmp;
    QPDFObjectHandle ov = old_root_.getKey("/Perms"), nv = new_root_.getKey("/Perms");
    const bool changed = ClearSubtree(ov, Place{root_, "/Perms"}) || !cmp.Same(ov, nv);
    if (!changed) return;
    if (!nv.isDictionary()) {
      Add(Level::kOther, "catalog_changed", "the /Perms were removed");
      return;
    }
    std::set<std::string> keys = nv.getKeys();
    if (ov.isDictionary()) {
      for (const auto& k : ov.getKeys()) keys.insert(k);
    }
    for (const auto& k : keys) {
      QPDFObjectHandle was = ov.isDictionary() ? ov.getKey(k) : QPDFObjectHandle::newNull();
      QPDFObjectHandle is = nv.getKey(k);
      if (!kPermsKeys.count(k) || (!was.isNull() && !cmp.Same(was, is))) {
        Add(Level::kOther, "catalog_changed", "the /Perms entry " + k + " changed");
      } else if (was.isNull() && !is.isNull()) {
        // A permission of a signature made in this revision.
        if (Fresh(is) && is.isDictionary()) {
          Add(Level::kSigning, "signature_added", "/Perms " + k + " of a new signature");
        } else {
          Add(Level::kOther, "catalog_changed", "the /Perms entry " + k + " names an older object");
        }
      }
    }
  }

  // ---- The form: fields, values, widgets ----

  void Form() {
    ValueComparer cmp;
    const Place at{root_, "/AcroForm"};
    QPDFObjectHandle of = old_root_.getKey("/AcroForm"), nf = new_root_.getKey("/AcroForm");
    if (of.isDictionary() && !nf.isDictionary()) {
      Add(Level::kOther, "form_changed", "the form was removed");
      return;
    }
    if (of.isDictionary()) {
      const Place base = Inside(at, of, "");
      if (of.isIndirect()) cleared_[of.getObjGen()].insert(at);
      std::string key;
      if (!SameExcept(cmp, of, nf, kFormBookkeeping, &key)) {
        Add(Level::kOther, "form_changed", "the form's " + key + " changed");
      }
      // What a viewer builds missing or outdated appearances from: when it
      // changes, the rendering check covers every page.
      for (const char* k : {"/DR", "/DA", "/Q", "/NeedAppearances"}) {
        if (ClearSubtree(of.getKey(k), Place{base.owner, base.path + k}) || !cmp.Same(of.getKey(k), nf.getKey(k))) {
          out_.resources_changed = true;
        }
      }
      // The list itself: what it lists is judged field by field.
      QPDFObjectHandle list = of.getKey("/Fields");
      if (list.isIndirect()) cleared_[list.getObjGen()].insert(Place{base.owner, base.path + "/Fields"});
    }
    old_fields_ = FormReader().Read(of, at);
    new_fields_ = FormReader().Read(nf, at);
    for (const auto& [key, f] : old_fields_) {
      for (const auto& w : f.widgets) {
        if (w.first.isIndirect()) old_widgets_.insert(w.first.getObjGen());
      }
    }
    for (const auto& [key, f] : new_fields_) {
      for (const auto& w : f.widgets) {
        if (w.first.isIndirect()) new_widgets_.insert(w.first.getObjGen());
      }
    }
    for (const auto& [key, f] : new_fields_) {
      auto it = old_fields_.find(key);
      if (it == old_fields_.end()) {
        NewField(f);
      } else {
        CompareField(it->second, f);
      }
    }
    for (const auto& [key, f] : old_fields_) {
      if (!new_fields_.count(key)) Add(Level::kOther, "field_removed", "field " + f.name + " was removed");
    }
  }

  void NewField(const FieldNode& f) {
    if (!Fresh(f.dict)) {
      Add(Level::kOther, "form_changed", "the new field " + f.name + " is an object of the signed revision");
      return;
    }
    if (!f.terminal) return;  // its fields are judged one by one
    if (f.type != "/Sig") {
      Add(Level::kOther, "form_changed", "a field of type " + (f.type.empty() ? "(none)" : f.type) + " was added");
      return;
    }
    SignatureAdded(f);
    // Actions run when the document opens or the field is touched: a
    // signature field needs none, and they can change what is shown.
    QPDFObjectHandle dict = f.dict;
    if (dict.hasKey("/AA") || dict.hasKey("/A")) {
      Add(Level::kOther, "form_changed", "the new signature field " + f.name + " carries actions");
    }
    for (const auto& [w, place] : f.widgets) {
      QPDFObjectHandle widget = w;
      if (widget.hasKey("/AA") || widget.hasKey("/A")) {
        Add(Level::kOther, "form_changed", "the widget of the new signature field " + f.name + " carries actions");
      }
      if (!Fresh(w)) {
        Add(Level::kOther, "form_changed", "the widget of the new field " + f.name + " is an older annotation");
        continue;
      }
      if (w.isIndirect()) {
        new_sig_widgets_.insert(w.getObjGen());
        repainted_[w.getObjGen()] = AreaKind::kSignature;
      }
      const long long flags = IntValue(w, "/F").value_or(0);
      // Shown in print but not on screen (or the reverse): the rendering
      // check would not see what a printout shows.
      if (flags & (kNoViewFlag | kToggleNoViewFlag)) {
        Add(Level::kOther, "annotation_added", "a signature widget with NoView or ToggleNoView was added");
      }
    }
  }

  // A signature (or document timestamp) in a new or newly filled field.
  void SignatureAdded(const FieldNode& f) {
    QPDFObjectHandle dict = f.dict;
    QPDFObjectHandle v = dict.getKey("/V");
    bool visible = false;
    for (const auto& w : f.widgets) visible = visible || Visible(w.first);
    if (IsTimestamp(v) && !visible) {
      ++out_.added_timestamps;
      Add(Level::kLtv, "timestamp_added", "document timestamp " + f.name + " added");
      return;
    }
    if (v.isDictionary()) ++out_.added_signatures;
    Add(Level::kSigning, "signature_added", "signature field " + f.name + (v.isNull() ? " added" : " signed"));
  }

  void CompareField(const FieldNode& was, const FieldNode& is) {
    ValueComparer cmp;
    const std::string& name = was.name;
    QPDFObjectHandle od = was.dict, nd = is.dict;
    const bool same_object = od.isIndirect() && nd.isIndirect() && od.getObjGen() == nd.getObjGen();
    if (same_object) {
      approved_.insert(od.getObjGen());
    } else if (!Fresh(nd)) {
      Add(Level::kOther, "form_changed", "field " + name + " now points at another object of the signed revision");
    }
    if (was.type != is.type) Add(Level::kOther, "form_changed", "the type of field " + name + " changed");
    const Place base = Inside(was.place, od, "");
    const auto child = [&](const std::string& key) { return Place{base.owner, base.path + key}; };

    // The value: an empty field may be filled, a filled one must stay.
    const bool sig = was.type == "/Sig";
    QPDFObjectHandle ov = od.getKey("/V"), nv = nd.getKey("/V");
    bool filling = false;
    if (!cmp.Same(ov, nv) || SubtreeChanged(ov)) {
      if (!IsEmptyValue(ov)) {
        Add(Level::kOther, sig ? "form_changed" : "field_value_changed",
            "the value of the filled field " + name + " changed");
      } else {
        filling = true;
        ClearSubtree(ov, child("/V"));
        if (sig) {
          SignatureAdded(is);
        } else {
          Add(Level::kFormFilling, "form_filled", "field " + name + " was filled");
        }
      }
    }
    std::string key;
    const bool merged = was.widgets.size() == 1 && was.widgets[0].first.isIndirect() && od.isIndirect() &&
                        was.widgets[0].first.getObjGen() == od.getObjGen();
    if (!SameExcept(cmp, od, nd, merged ? Union(kFieldJudged, kWidgetJudged) : kFieldJudged, &key)) {
      Add(Level::kOther, "form_changed", "field " + name + ": " + key + " changed");
    }
    for (const auto& k : kFillEntries) {
      if (cmp.Same(od.getKey(k), nd.getKey(k)) && !SubtreeChanged(od.getKey(k))) continue;
      if (filling) {
        ClearSubtree(od.getKey(k), child(k));
      } else if (!merged || !kWidgetJudged.count(k)) {
        Add(Level::kOther, "form_changed", "field " + name + ": " + k + " changed without a value being filled in");
      }
    }
    // /Kids: the old ones stay; new ones are new fields (judged by name).
    QPDFObjectHandle ok = od.getKey("/Kids"), nk = nd.getKey("/Kids");
    if (ok.isIndirect()) cleared_[ok.getObjGen()].insert(child("/Kids"));
    std::set<QPDFObjGen> new_kids;
    for (QPDFObjectHandle k : Items(nk)) {
      if (k.isIndirect()) new_kids.insert(k.getObjGen());
    }
    std::set<QPDFObjGen> old_kids;
    for (QPDFObjectHandle k : Items(ok)) {
      if (!k.isIndirect()) continue;
      old_kids.insert(k.getObjGen());
      if (!new_kids.count(k.getObjGen())) Add(Level::kOther, "form_changed", "a kid of field " + name + " was removed");
    }
    for (QPDFObjectHandle k : Items(nk)) {
      if (k.isIndirect() && !old_kids.count(k.getObjGen()) && !k.hasKey("/T")) {
        Add(Level::kOther, "form_changed", "a widget was added to field " + name);
      }
    }
    // The widgets, matched by object.
    std::map<QPDFObjGen, QPDFObjectHandle> now;
    for (const auto& w : is.widgets) {
      if (w.first.isIndirect()) now[w.first.getObjGen()] = w.first;
    }
    for (const auto& [w, place] : was.widgets) {
      if (!w.isIndirect()) continue;
      auto it = now.find(w.getObjGen());
      if (it == now.end()) {
        Add(Level::kOther, "form_changed", "a widget of field " + name + " was removed");
        continue;
      }
      CompareWidget(name, w, place, it->second, merged, filling, sig);
    }
  }

  static Keys Union(const Keys& a, const Keys& b) {
    Keys out = a;
    out.insert(b.begin(), b.end());
    return out;
  }

  void CompareWidget(const std::string& name, QPDFObjectHandle ow, const Place& place, QPDFObjectHandle nw,
                     bool merged, bool filling, bool sig) {
    ValueComparer cmp;
    const QPDFObjGen og = ow.getObjGen();
    approved_.insert(og);
    const Place base = Inside(place, ow, "");
    const auto child = [&](const std::string& key) { return Place{base.owner, base.path + key}; };
    std::string key;
    if (!merged && !SameExcept(cmp, ow, nw, kWidgetJudged, &key)) {
      Add(Level::kOther, "form_changed", "a widget of field " + name + ": " + key + " changed");
    }
    if (sig && filling) {
      // The widget of a field signed now: placed and painted like a new one.
      new_sig_widgets_.insert(og);
      repainted_[og] = AreaKind::kSignature;
    }
    QPDFObjectHandle oap = ow.getKey("/AP"), nap = nw.getKey("/AP");
    const bool repainted = !cmp.Same(oap, nap) || SubtreeChanged(oap) || !cmp.Same(ow.getKey("/AS"), nw.getKey("/AS"));
    if (repainted) {
      if (!filling) {
        Add(Level::kOther, "appearance_changed", "the appearance of field " + name + " changed, its value did not");
      } else {
        // An appearance dictionary also used elsewhere: replacing it here
        // is not a fill of this field alone.
        if (oap.isIndirect()) {
          for (const Place& use : index_->UsagesOf(oap.getObjGen())) {
            if (use == child("/AP")) continue;
            Add(Level::kOther, "appearance_changed",
                "the appearance of field " + name + " is also used at " + use.Describe());
            break;
          }
        }
        ClearSubtree(oap, child("/AP"));
        if (!repainted_.count(og)) repainted_[og] = sig ? AreaKind::kSignature : AreaKind::kField;
      }
    }
    if (!cmp.Same(ow.getKey("/Rect"), nw.getKey("/Rect")) && !(sig && filling)) {
      Add(Level::kOther, "form_changed", "a widget of field " + name + " was moved");
    }
    for (const char* k : {"/MK", "/DA"}) {
      if (cmp.Same(ow.getKey(k), nw.getKey(k)) && !SubtreeChanged(ow.getKey(k))) continue;
      if (filling) {
        ClearSubtree(ow.getKey(k), child(k));
      } else {
        Add(Level::kOther, "form_changed", "a widget of field " + name + ": " + k + " changed");
      }
    }
    const long long was_flags = IntValue(ow, "/F").value_or(0), flags = IntValue(nw, "/F").value_or(0);
    const long long diff = was_flags ^ flags;
    if ((diff & ~kNeutralFlags) || ((diff & kPrintFlag) && !(flags & kPrintFlag))) {
      Add(Level::kOther, "appearance_changed", "the flags of a widget of field " + name + " changed its visibility");
    }
    if (sig && filling && (flags & (kNoViewFlag | kToggleNoViewFlag))) {
      Add(Level::kOther, "annotation_added", "a signature widget with NoView or ToggleNoView was added");
    }
  }

  // ---- The structure tree: entries for a new signature widget ----

  void StructTree() {
    ValueComparer cmp;
    const Place at{root_, "/StructTreeRoot"};
    QPDFObjectHandle os = old_root_.getKey("/StructTreeRoot"), ns = new_root_.getKey("/StructTreeRoot");
    // The objects of the older tree, with the places inside it that use them.
    std::map<QPDFObjGen, std::vector<Place>> uses;
    size_t budget = kMaxSubtree;
    TreeWalk(os, at, 0, uses, budget);
    std::vector<QPDFObjGen> touched;
    for (const auto& [og, places] : uses) {
      if (Changed(og)) touched.push_back(og);
    }
    if (touched.empty() && cmp.Same(os, ns)) return;
    bool ok = os.isDictionary() && ns.isDictionary() && !new_sig_widgets_.empty();
    // The root itself, unless it is one object redefined (judged below).
    const bool same_root = os.isIndirect() && ns.isIndirect() && os.getObjGen() == ns.getObjGen();
    if (ok && !same_root) ok = Appended(os, ns);
    for (QPDFObjGen og : touched) ok = ok && Appended(o_.getObject(og), n_.getObject(og));
    if (!ok) {
      Add(Level::kOther, "catalog_changed", "the structure tree changed beyond the entries of a new signature widget");
      return;
    }
    for (QPDFObjGen og : touched) {
      for (const Place& p : uses[og]) cleared_[og].insert(p);
    }
    Add(Level::kSigning, "signature_added", "structure tree entries for a new signature widget");
  }

  void TreeWalk(QPDFObjectHandle v, const Place& at, int depth, std::map<QPDFObjGen, std::vector<Place>>& uses,
                size_t& budget) {
    if (budget == 0 || depth > kMaxDepth) return;
    --budget;
    Place base = at;
    if (v.isIndirect()) {
      auto [it, fresh] = uses.try_emplace(v.getObjGen());
      it->second.push_back(at);
      if (!fresh || v.isStream()) return;
      base = Place{v.getObjGen(), ""};
    }
    if (v.isArray()) {
      const int n = v.getArrayNItems();
      for (int i = 0; i < n; ++i) {
        TreeWalk(v.getArrayItem(i), Place{base.owner, base.path + ItemKey(i)}, depth + 1, uses,
                 budget);
      }
    } else if (v.isDictionary()) {
      for (const auto& key : v.getKeys()) {
        if (kStructOutside.count(key)) continue;
        TreeWalk(v.getKey(key), Place{base.owner, base.path + key}, depth + 1, uses, budget);
      }
    }
  }

  // Whether `is` is `was` with entries only appended to /K, /Nums or /Kids,
  // each a new structure element for a new signature widget (or the number
  // tree entry that points at one).
  bool Appended(QPDFObjectHandle was, QPDFObjectHandle is) {
    ValueComparer cmp;
    if (was.isArray() && is.isArray()) return AppendedList(was, is);
    if (!was.isDictionary() || !is.isDictionary() || was.isStream() || is.isStream()) return false;
    std::set<std::string> keys = was.getKeys();
    for (const auto& k : is.getKeys()) keys.insert(k);
    for (const auto& k : keys) {
      if (kStructFree.count(k)) continue;
      QPDFObjectHandle a = was.getKey(k), b = is.getKey(k);
      if (cmp.Same(a, b)) continue;
      if (!kStructAppendable.count(k)) return false;
      // An indirect list redefined is judged as an object of its own.
      if (a.isIndirect() && b.isIndirect() && a.getObjGen() == b.getObjGen()) continue;
      if (!AppendedList(a, b)) return false;
    }
    return true;
  }

  bool AppendedList(QPDFObjectHandle was, QPDFObjectHandle is) {
    ValueComparer cmp;
    const std::vector<QPDFObjectHandle> a = Items(was), b = Items(is);
    size_t i = 0;
    for (QPDFObjectHandle item : b) {
      if (i < a.size() && cmp.Same(a[i], item)) {
        ++i;
        continue;
      }
      // Number tree keys are integers; anything else added must be new.
      if (item.isInteger()) continue;
      if (!NewStructure(item, 0)) return false;
    }
    return i == a.size();
  }

  // A new structure element (or number tree node) whose content is only
  // references to new signature widgets.
  bool NewStructure(QPDFObjectHandle v, int depth) {
    if (depth > 8 || !Fresh(v)) return false;
    if (v.isNull()) return true;
    if (v.isArray()) {
      for (QPDFObjectHandle item : Items(v)) {
        if (!item.isInteger() && !NewStructure(item, depth + 1)) return false;
      }
      return true;
    }
    if (!v.isDictionary() || v.isStream()) return false;
    if (NameValue(v, "/Type") == "/OBJR") {
      QPDFObjectHandle obj = v.getKey("/Obj");
      return obj.isIndirect() && new_sig_widgets_.count(obj.getObjGen());
    }
    for (const char* k : {"/K", "/Nums", "/Kids"}) {
      for (QPDFObjectHandle item : Items(v.getKey(k))) {
        if (!item.isInteger() && !NewStructure(item, depth + 1)) return false;
        // Marked content of a page (an MCID in /K) is not a widget's.
        if (item.isInteger() && std::string_view(k) == "/K") return false;
      }
    }
    return true;
  }

  // ---- Pages and their annotations ----

  void Pages() {
    ValueComparer cmp;
    std::vector<QPDFObjectHandle> was = o_.getAllPages(), is = n_.getAllPages();
    if (was.size() != is.size()) {
      Add(Level::kOther, "pages_changed",
          "the page count changed from " + std::to_string(was.size()) + " to " + std::to_string(is.size()));
      return;
    }
    for (size_t i = 0; i < was.size(); ++i) {
      if (was[i].getObjGen() != is[i].getObjGen()) {
        Add(Level::kOther, "pages_changed", "page " + std::to_string(i + 1) + " was replaced");
        return;
      }
    }
    for (size_t i = 0; i < was.size(); ++i) {
      const QPDFObjGen og = was[i].getObjGen();
      const std::string page = "page " + std::to_string(i + 1);
      if (Changed(og)) {
        // Pages are referred to from everywhere (/P, /Dest, /Pg): judged
        // here as a whole.
        approved_.insert(og);
        std::string key;
        if (!SameExcept(cmp, was[i], is[i], {"/Annots", "/Tabs"}, &key)) {
          Add(Level::kOther, "page_changed", page + ": " + key + " changed");
        }
      }
      QPDFObjectHandle oa = was[i].getKey("/Annots"), na = is[i].getKey("/Annots");
      if (oa.isIndirect()) cleared_[oa.getObjGen()].insert(Place{og, "/Annots"});
      Annotations(static_cast<int>(i), oa, na);
    }
  }

  void Annotations(int index, QPDFObjectHandle oa, QPDFObjectHandle na) {
    const std::string page = "page " + std::to_string(index + 1);
    std::vector<QPDFObjGen> olds, news;
    std::multiset<std::string> old_direct, new_direct;
    const auto collect = [](QPDFObjectHandle list, std::vector<QPDFObjGen>& refs, std::multiset<std::string>& direct) {
      for (QPDFObjectHandle a : Items(list)) {
        if (refs.size() + direct.size() >= kMaxAnnotations) break;
        if (a.isIndirect()) {
          refs.push_back(a.getObjGen());
        } else {
          direct.insert(a.unparse());
        }
      }
    };
    collect(oa, olds, old_direct);
    collect(na, news, new_direct);
    const std::set<QPDFObjGen> old_set(olds.begin(), olds.end()), new_set(news.begin(), news.end());
    for (QPDFObjGen og : old_set) {
      if (new_set.count(og)) continue;
      if (old_widgets_.count(og)) {
        Add(Level::kOther, "form_changed", page + ": a widget was removed");
      } else {
        Add(Level::kAnnotations, "annotation_removed", page + ": annotation " + Id(og) + " was removed");
      }
    }
    if (old_direct != new_direct) {
      Add(Level::kAnnotations, "annotation_changed", page + ": its direct annotations changed");
    }
    // Annotations are painted in their order: the older ones keep theirs.
    std::vector<QPDFObjGen> kept;
    for (QPDFObjGen og : news) {
      if (old_set.count(og) && (kept.empty() || kept.back() != og)) kept.push_back(og);
    }
    std::vector<QPDFObjGen> before;
    for (QPDFObjGen og : olds) {
      if (new_set.count(og) && (before.empty() || before.back() != og)) before.push_back(og);
    }
    if (kept != before) Add(Level::kAnnotations, "annotation_changed", page + ": its annotations were reordered");
    for (QPDFObjGen og : new_set) {
      QPDFObjectHandle annot = n_.getObject(og);
      if (!old_set.count(og)) {
        if (new_sig_widgets_.count(og)) {
          Area(index, annot, AreaKind::kSignature);
        } else if (old_widgets_.count(og) || new_widgets_.count(og)) {
          Add(Level::kOther, "form_changed", page + ": a widget of an existing field was added to the page");
        } else {
          Add(Level::kAnnotations, "annotation_added",
              page + ": annotation " + Id(og) + " (" + NameValue(annot, "/Subtype") + ") was added");
          Area(index, annot, AreaKind::kAnnotation);
        }
        continue;
      }
      auto it = repainted_.find(og);
      if (it != repainted_.end()) {
        Area(index, annot, it->second);
        continue;
      }
      if (Changed(og) && !old_widgets_.count(og) && !new_widgets_.count(og)) {
        approved_.insert(og);
        Add(Level::kAnnotations, "annotation_changed", page + ": annotation " + Id(og) + " was changed");
        ClearSubtree(o_.getObject(og).getKey("/AP"), Place{og, "/AP"});
        Area(index, annot, AreaKind::kAnnotation);
      }
    }
  }

  void Area(int page, QPDFObjectHandle annot, AreaKind kind) {
    auto r = RectOf(annot);
    if (!r) return;
    out_.areas.push_back({page, (*r)[0], (*r)[1], (*r)[2], (*r)[3], kind});
  }

  // ---- What no rule explained ----

  void Unexplained() {
    for (QPDFObjGen og : changed_) {
      if (approved_.count(og)) continue;
      const auto c = cleared_.find(og);
      const Place* open = nullptr;
      for (const Place& use : index_->UsagesOf(og)) {
        if (c == cleared_.end() || !c->second.count(use)) {
          open = &use;
          break;
        }
      }
      if (!open) continue;
      const std::string type = NameValue(o_.getObject(og), "/Type");
      const std::string reason = og == root_         ? "catalog_changed"
                                 : type == "/Page"  ? "page_changed"
                                 : type == "/Pages" ? "pages_changed"
                                                    : "object_redefined";
      std::string detail = "object " + Id(og) + " was redefined";
      if (c != cleared_.end()) detail += "; it is also used at " + open->Describe();
      Add(Level::kOther, reason, detail);
    }
  }

  QPDF& o_;
  QPDF& n_;
  std::optional<ReferenceIndex> index_;  // of the older revision
  RevisionChanges out_;
  QPDFObjectHandle old_root_, new_root_;
  QPDFObjGen root_;
  std::set<QPDFObjGen> changed_;                   // reachable in the older revision, with another value now
  std::set<QPDFObjGen> approved_;                  // judged as a whole by a rule
  std::map<QPDFObjGen, std::set<Place>> cleared_;  // uses judged by a rule
  std::map<std::string, FieldNode> old_fields_, new_fields_;
  std::set<QPDFObjGen> old_widgets_, new_widgets_;  // widgets of the form's fields
  std::set<QPDFObjGen> new_sig_widgets_;            // of fields signed or added in this revision
  std::map<QPDFObjGen, AreaKind> repainted_;        // widgets whose appearance may change
};

}  // namespace

RevisionChanges CompareRevisions(QPDF& older, QPDF& newer) { return Analysis(older, newer).Run(); }

}  // namespace pactum::signing
