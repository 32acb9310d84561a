// The object graph of one revision, as the change analysis reads it: where
// each object is referenced from, and whether two objects (each in its own
// revision) have the same value.
//
// A place is where a value sits in a revision: the indirect object (or the
// trailer) that holds it and the path of keys and indices inside that
// object ("/AP/N", "/Kids[3]"). A usage of object X is a place holding a
// reference to X. Both helpers read qpdf objects only; qpdf's exceptions
// are the caller's to catch.
#pragma once

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pactum::signing {

// The owner QPDFObjGen(0, 0) stands for the trailer.
struct Place {
  QPDFObjGen owner;
  std::string path;

  bool operator<(const Place& o) const { return owner < o.owner || (owner == o.owner && path < o.path); }
  bool operator==(const Place& o) const { return owner == o.owner && path == o.path; }
  // "trailer/Info", "12 0/AP/N": for details in logs.
  std::string Describe() const;
};

// The path element of array item i: "[i]".
std::string ItemKey(int i);

// The place of a value's entry `key` ("/N" or "[2]"): inside the value's own
// object when the value is indirect, else below `at`.
Place Inside(const Place& at, QPDFObjectHandle value, const std::string& key);

// Every object reachable from the trailer of a revision, with its usages.
class ReferenceIndex {
 public:
  // Walks the revision from its trailer. At most max_objects objects are
  // visited (and a few million usages kept); complete() says whether that
  // was all of them.
  ReferenceIndex(QPDF& pdf, size_t max_objects);

  bool Reachable(QPDFObjGen og) const { return usages_.count(og) > 0; }
  // The places that refer to `og`; empty when it is not reachable.
  const std::vector<Place>& UsagesOf(QPDFObjGen og) const;
  bool complete() const { return complete_; }

 private:
  std::map<QPDFObjGen, std::vector<Place>> usages_;
  bool complete_ = true;
};

// Compares values across revisions. Scalars compare by value (an integer and
// a real by their number, strings by their bytes), arrays item by item,
// dictionaries key by key (a null value counts as absent), streams by their
// dictionaries and data (raw, else decoded). Two references to the same
// object number are equal: whether that object changed is judged on its
// own. References to different objects are equal when those objects' values
// are. Work is capped: past the cap values count as different.
class ValueComparer {
 public:
  explicit ValueComparer(size_t max_nodes = 200000) : budget_(max_nodes) {}
  // Two values as some object holds them (a reference to the same number on
  // both sides is equal).
  bool Same(QPDFObjectHandle a, QPDFObjectHandle b) { return Compare(a, b, 0, true); }
  // The contents of two objects (typically one number in two revisions).
  bool SameObject(QPDFObjectHandle a, QPDFObjectHandle b) { return Compare(a, b, 0, false); }
  // Comparison steps left of the cap given to the constructor.
  size_t budget() const { return budget_; }

 private:
  bool Compare(QPDFObjectHandle a, QPDFObjectHandle b, int depth, bool held);
  bool SameStreamData(QPDFObjectHandle a, QPDFObjectHandle b);

  size_t budget_;
  std::set<std::pair<QPDFObjGen, QPDFObjGen>> assumed_;  // pairs being compared (cycles)
};

// Whether a dictionary's keys other than `ignored` have the same values
// (ValueComparer::Same); `*which` names the first that differs.
bool SameExcept(ValueComparer& cmp, QPDFObjectHandle a, QPDFObjectHandle b, const std::set<std::string>& ignored,
                std::string* which);

}  // namespace pactum::signing
