#include "object_graph.h"

#include <qpdf/Buffer.hh>
#include <qpdf/Constants.h>

#include <cstring>
#include <deque>
#include <string_view>

#include "pdf_file.h"

namespace pactum::signing {
namespace {

constexpr int kMaxDepth = 200;                   // direct nesting (qpdf's parser stops at 500)
constexpr size_t kMaxStreamBytes = 64u << 20;     // decoded stream data compared, per stream
constexpr size_t kMaxUsagesPerObject = 100000;    // a page referenced from every annotation, say
constexpr size_t kMaxUsages = 4000000;            // in all: the memory a hostile file can make us hold

// Walks the direct value `v` held at `at`, calling `ref(target, place)` for
// every reference in it (not following them).
template <typename OnRef>
void WalkDirect(QPDFObjectHandle v, const Place& at, int depth, OnRef& ref) {
  if (depth > kMaxDepth) return;
  if (v.isStream()) v = v.getDict();
  if (v.isArray()) {
    const int n = v.getArrayNItems();
    for (int i = 0; i < n; ++i) {
      QPDFObjectHandle item = v.getArrayItem(i);
      Place p{at.owner, at.path + ItemKey(i)};
      if (item.isIndirect()) {
        ref(item.getObjGen(), p);
      } else {
        WalkDirect(item, p, depth + 1, ref);
      }
    }
  } else if (v.isDictionary()) {
    for (const std::string& key : v.getKeys()) {
      QPDFObjectHandle item = v.getKey(key);
      Place p{at.owner, at.path + key};
      if (item.isIndirect()) {
        ref(item.getObjGen(), p);
      } else {
        WalkDirect(item, p, depth + 1, ref);
      }
    }
  }
}

bool SameRawData(QPDFObjectHandle a, QPDFObjectHandle b) {
  std::shared_ptr<Buffer> ra = a.getRawStreamData();
  std::shared_ptr<Buffer> rb = b.getRawStreamData();
  return ra && rb && ra->getSize() == rb->getSize() &&
         (ra->getSize() == 0 || std::memcmp(ra->getBuffer(), rb->getBuffer(), ra->getSize()) == 0);
}

}  // namespace

std::string ItemKey(int i) {
  std::string key = "[";
  key += std::to_string(i);
  key += ']';
  return key;
}

std::string Place::Describe() const {
  const std::string head = owner == QPDFObjGen() ? "trailer" : owner.unparse(' ');
  return head + path;
}

Place Inside(const Place& at, QPDFObjectHandle value, const std::string& key) {
  if (value.isIndirect()) return {value.getObjGen(), key};
  return {at.owner, at.path + key};
}

ReferenceIndex::ReferenceIndex(QPDF& pdf, size_t max_objects) {
  std::deque<QPDFObjGen> todo;
  size_t total = 0;
  auto on_ref = [&](QPDFObjGen target, const Place& p) {
    auto [it, fresh] = usages_.try_emplace(target);
    if (++total > kMaxUsages) {
      complete_ = false;
    } else if (it->second.size() < kMaxUsagesPerObject) {
      it->second.push_back(p);
    }
    if (fresh) todo.push_back(target);
  };
  WalkDirect(pdf.getTrailer(), Place{}, 0, on_ref);
  size_t visited = 0;
  while (!todo.empty()) {
    if (++visited > max_objects || !complete_) {
      complete_ = false;
      break;
    }
    const QPDFObjGen og = todo.front();
    todo.pop_front();
    QPDFObjectHandle obj = pdf.getObject(og);
    WalkDirect(obj, Place{og, ""}, 0, on_ref);
  }
}

const std::vector<Place>& ReferenceIndex::UsagesOf(QPDFObjGen og) const {
  static const std::vector<Place> kNone;
  auto it = usages_.find(og);
  return it == usages_.end() ? kNone : it->second;
}

bool ValueComparer::Compare(QPDFObjectHandle a, QPDFObjectHandle b, int depth, bool held) {
  if (budget_ == 0 || depth > kMaxDepth) return false;
  --budget_;
  // References held by a value: the same number is the same object here
  // (judged on its own); others compare by value.
  if (held && a.isIndirect() && b.isIndirect()) {
    if (a.getObjGen() == b.getObjGen()) return true;
    const auto pair = std::make_pair(a.getObjGen(), b.getObjGen());
    if (assumed_.count(pair)) return true;
    assumed_.insert(pair);
    const bool same = Compare(a, b, depth + 1, false);
    assumed_.erase(pair);
    return same;
  }
  const qpdf_object_type_e ta = a.getTypeCode(), tb = b.getTypeCode();
  const bool na = ta == ::ot_integer || ta == ::ot_real, nb = tb == ::ot_integer || tb == ::ot_real;
  if (na && nb) return a.getNumericValue() == b.getNumericValue();
  if (ta != tb) return false;
  switch (ta) {
    case ::ot_null:
      return true;
    case ::ot_boolean:
      return a.getBoolValue() == b.getBoolValue();
    case ::ot_name:
      return a.getName() == b.getName();
    case ::ot_string:
      return a.getStringValue() == b.getStringValue();
    case ::ot_operator:
    case ::ot_inlineimage:
      return a.unparse() == b.unparse();
    case ::ot_array: {
      const int n = a.getArrayNItems();
      if (n != b.getArrayNItems()) return false;
      for (int i = 0; i < n; ++i) {
        if (!Compare(a.getArrayItem(i), b.getArrayItem(i), depth + 1, true)) return false;
      }
      return true;
    }
    case ::ot_dictionary:
    case ::ot_stream: {
      QPDFObjectHandle da = ta == ::ot_stream ? a.getDict() : a;
      QPDFObjectHandle db = ta == ::ot_stream ? b.getDict() : b;
      std::set<std::string> keys = da.getKeys();
      for (const auto& k : db.getKeys()) keys.insert(k);
      const bool raw_same = ta == ::ot_stream && SameRawData(a, b);
      for (const auto& k : keys) {
        if (ta == ::ot_stream && k == "/Length") continue;
        // The encoding may differ when the decoded data are the same.
        if (ta == ::ot_stream && !raw_same && (k == "/Filter" || k == "/DecodeParms" || k == "/DL")) continue;
        if (!Compare(da.getKey(k), db.getKey(k), depth + 1, true)) return false;
      }
      if (ta == ::ot_stream && !raw_same) return SameStreamData(a, b);
      return true;
    }
    default:
      return false;
  }
}

bool ValueComparer::SameStreamData(QPDFObjectHandle a, QPDFObjectHandle b) {
  std::optional<std::string> da = ReadStream(a, kMaxStreamBytes);
  if (!da) return false;
  std::optional<std::string> db = ReadStream(b, kMaxStreamBytes);
  return db && *da == *db;
}

bool SameExcept(ValueComparer& cmp, QPDFObjectHandle a, QPDFObjectHandle b, const std::set<std::string>& ignored,
                std::string* which) {
  if (!a.isDictionary() || !b.isDictionary()) {
    if (which) *which = "(not a dictionary)";
    return false;
  }
  std::set<std::string> keys = a.getKeys();
  for (const auto& k : b.getKeys()) keys.insert(k);
  for (const auto& k : keys) {
    if (ignored.count(k)) continue;
    if (!cmp.Same(a.getKey(k), b.getKey(k))) {
      if (which) *which = k;
      return false;
    }
  }
  return true;
}

}  // namespace pactum::signing
