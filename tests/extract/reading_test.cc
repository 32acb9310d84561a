// The reading: language data, tokens and zones, on classes of layouts built
// line by line.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <random>
#include <set>

#include "fields/common.h"
#include "reading/language_data.h"
#include "reading/reading.h"
#include "reading/tokens.h"
#include "test_document.h"

namespace pactum::extract {
namespace {

TEST(LanguageDataTest, EveryLanguageDefinesTheSameKeys) {
  const LanguageData& data = LanguageData::Get();
  const auto languages = data.languages();
  ASSERT_GE(languages.size(), 2u);
  const auto reference = data.keys(languages.front());
  EXPECT_GT(reference.size(), 10u);
  for (const auto& lang : languages) EXPECT_EQ(data.keys(lang), reference) << lang;
}

// Lists compared with lowered words as they stand are written in lower case.
TEST(LanguageDataTest, ListsComparedLoweredAreLowerCase) {
  const LanguageData& data = LanguageData::Get();
  for (const auto& lang : data.languages()) {
    for (const char* key : {"signatures.organisation_words", "grammar.noun_endings", "grammar.plural_endings"}) {
      for (const auto& w : data.List(lang, key)) EXPECT_EQ(w, fields::Lower(w)) << lang << " " << key;
    }
  }
}

TEST(LanguageDataTest, EveryDataFileIsBuiltIn) {
  std::set<std::string> on_disk, built_in;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(PACTUM_EXTRACT_DATA_DIR)) {
    if (entry.path().extension() == ".json") {
      on_disk.insert("data/" + entry.path().parent_path().filename().string() + "/" + entry.path().filename().string());
    }
  }
  for (const auto& file : EmbeddedFiles()) {
    if (std::string(file.name).rfind("data/", 0) == 0) built_in.insert(std::string(file.name));
  }
  EXPECT_EQ(on_disk, built_in) << "list every extract/data file in PACTUM_EXTRACT_DATA (extract/CMakeLists.txt)";
}

TEST(LanguageDataTest, BrokenFilesAreErrorsNotCrashes) {
  EXPECT_FALSE(LanguageData::Parse({{"data/en/x.json", "[1, 2"}}).ok());
  EXPECT_FALSE(LanguageData::Parse({{"data/en/x.json", R"({"a": [1]})"}}).ok());
  EXPECT_FALSE(LanguageData::Parse({{"data/en/x.json", R"({"a": true})"}}).ok());
  EXPECT_FALSE(LanguageData::Parse({}).ok());
  auto ok = LanguageData::Parse({{"data/en/x.json", R"({"_comment": "c", "a": ["b"], "t": {"k": "v", "n": 3}})"},
                                 {"other/file.txt", "ignored"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->List("en", "x.a"), std::vector<std::string>{"b"});
  EXPECT_EQ(ok->TableOf("", "x.t"), (Table{{"k", "v"}, {"n", "3"}}));
  EXPECT_TRUE(ok->List("en", "x._comment").empty());
}

TEST(PhraseTest, WordBoundariesAndCase) {
  const std::vector<std::string> phrases = {"between", "by and between", "GmbH"};
  auto hit = FindPhrase("made BY AND BETWEEN the parties", phrases);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->phrase, "by and between");
  EXPECT_FALSE(FindPhrase("inbetween", phrases));
  EXPECT_EQ(FindAllPhrases("Muster GmbH and Beispiel gmbh", phrases).size(), 2u);
  EXPECT_TRUE(StartsWithPhrase("  Between us", phrases));
  EXPECT_FALSE(StartsWithPhrase("us between", phrases));
}

// Typographic quotes, dashes and other punctuation bound a phrase as ASCII
// punctuation does; letters of any script do not.
TEST(PhraseTest, TypographicQuotesAndDashesAreWordBoundaries) {
  const std::vector<std::string> list = {"agreement", "vertrag", "\xc3\xbc" "bergabe"};  // "übergabe"
  const PhraseSet set(list);
  const std::vector<std::string> bounded = {
      "the \"Agreement\" means",                                // ASCII quotes, as before
      "the \xe2\x80\x9c" "Agreement\xe2\x80\x9d means",       // “Agreement”
      "the \xe2\x80\x98" "Agreement\xe2\x80\x99s terms",      // ‘Agreement’s
      "dieser \xe2\x80\x9e" "Vertrag\xe2\x80\x9c gilt",       // „Vertrag“
      "der \xc2\xbb" "Vertrag\xc2\xab gilt",                    // »Vertrag«
      "\xe2\x80\x93" "Vertrag\xe2\x80\x94",                   // –Vertrag—
      "\xc2\xa7" "Vertrag\xc2\xa0gilt",                         // §Vertrag, then a no-break space
      "die \xe2\x80\x9e\xc3\x9c" "bergabe\xe2\x80\x9c",        // „Übergabe“: a phrase that starts with a non-ASCII letter
  };
  for (const auto& text : bounded) {
    EXPECT_TRUE(FindPhrase(text, list)) << text;
    EXPECT_TRUE(FindPhrase(text, set)) << text;
    EXPECT_EQ(FindAllPhrases(text, list).size(), 1u) << text;
    EXPECT_EQ(FindAllPhrases(text, set).size(), 1u) << text;
  }
  const std::vector<std::string> glued = {
      "Mietvertrag",                          // a letter before
      "Vertrags\xc3\xa4nderung",              // a non-ASCII letter after: "Vertragsänderung"
      "\xc3\xa9" "agreement",                  // a non-ASCII letter before: "éagreement"
      "Vertrag\xc3\xa9",                       // ... after
      "Vertrag2",                             // a digit
      "Ru\xcc\x88" "bergabe",                  // a combining mark before "bergabe" is no boundary either
  };
  for (const auto& text : glued) {
    EXPECT_FALSE(FindPhrase(text, list)) << text;
    EXPECT_FALSE(FindPhrase(text, set)) << text;
  }
  EXPECT_TRUE(StartsWithPhrase("Agreement\xe2\x80\x9d means", list));
  EXPECT_TRUE(StartsWithPhrase("Vertrag\xe2\x80\x9c gilt", set));
  EXPECT_FALSE(StartsWithPhrase("Vertrag\xc3\xa9 gilt", set));
}

bool SameHit(const std::optional<PhraseHit>& a, const std::optional<PhraseHit>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->begin == b->begin && a->end == b->end && a->phrase == b->phrase);
}

bool SameHits(const std::vector<PhraseHit>& a, const std::vector<PhraseHit>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameHit(a[i], b[i])) return false;
  }
  return true;
}

// Texts that put phrases of `list` next to each other, to words, to
// punctuation and to the text's ends, in their own case, upper case and
// glued into longer words.
std::vector<std::string> TextsAround(const std::vector<std::string>& list, unsigned seed) {
  std::mt19937 random(seed);
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  const std::vector<std::string> joints = {" ", ", ", "-", "x", "\xc3\xbc", "\xe2\x80\x9c", "(", ". ", "  "};
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<std::string> out;
  for (const auto& p : list) {
    out.push_back(p);
    out.push_back("  " + upper(p) + " of");
    out.push_back("a" + p + " " + p + "s");
    out.push_back("the " + p + pick(joints) + p);
  }
  for (int n = 0; n < 40 && !list.empty(); ++n) {
    std::string text;
    const int parts = 1 + static_cast<int>(random() % 5);
    for (int k = 0; k < parts; ++k) text += pick(joints) + (random() % 3 == 0 ? upper(pick(list)) : pick(list));
    out.push_back(text);
  }
  return out;
}

// The prepared sets of the built-in lists (used whenever a built-in list is
// passed) find what a walk over the list finds: the same phrase at the same
// place, whatever the case, the neighbours and repeated phrases.
TEST(PhraseTest, PreparedSetsMatchExactlyAsTheListWalk) {
  const LanguageData& data = LanguageData::Get();
  size_t lists = 0, texts = 0;
  for (const auto& lang : data.languages()) {
    for (const auto& key : data.keys(lang)) {
      const std::vector<std::string>& built_in = data.List(lang, key);
      if (built_in.empty()) continue;
      ++lists;
      const std::vector<std::string> copy = built_in;  // not built in: walked phrase by phrase
      const PhraseSet own(copy);
      for (const auto& text : TextsAround(built_in, static_cast<unsigned>(lists))) {
        ++texts;
        for (size_t from : {size_t{0}, size_t{1}, text.size() / 2}) {
          EXPECT_TRUE(SameHit(FindPhrase(text, built_in, from), FindPhrase(text, copy, from))) << key << ": " << text;
          EXPECT_TRUE(SameHit(FindPhrase(text, own, from), FindPhrase(text, copy, from))) << key << ": " << text;
        }
        EXPECT_TRUE(SameHits(FindAllPhrases(text, built_in), FindAllPhrases(text, copy))) << key << ": " << text;
        EXPECT_TRUE(SameHit(StartsWithPhrase(text, built_in), StartsWithPhrase(text, copy))) << key << ": " << text;
        EXPECT_TRUE(SameHit(StartsWithPhrase(text, own), StartsWithPhrase(text, copy))) << key << ": " << text;
        EXPECT_EQ(HasWord(built_in, text), HasWord(copy, text)) << key << ": " << text;
      }
      for (const auto& p : built_in) {
        EXPECT_TRUE(HasWord(built_in, p)) << key << ": " << p;
        EXPECT_EQ(HasWord(built_in, p + "x"), HasWord(copy, p + "x")) << key << ": " << p;
      }
    }
  }
  EXPECT_GT(lists, 100u);
  EXPECT_GT(texts, 5000u);
}

TEST(PhraseTest, SetsKeepTheFirstOfEqualPhrasesAndSkipEmptyOnes) {
  const PhraseSet set(std::vector<std::string>{"", "Vertrag", "vertrag", "VERTRAG über", "über"});
  auto hit = FindPhrase("Der VERTRAG.", set);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->phrase, "Vertrag");
  EXPECT_EQ(hit->begin, 4u);
  hit = FindPhrase("Der Vertrag \xc3\xbc" "ber", set);  // the longest at the same place
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->phrase, "VERTRAG \xc3\xbc" "ber");
  const auto all = FindAllPhrases("vertrag VERTRAG \xc3\x9c" "BER", set);  // "ÜBER": lowered by the German rule
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].phrase, "Vertrag");
  EXPECT_EQ(all[1].phrase, "VERTRAG \xc3\xbc" "ber");
  EXPECT_FALSE(HasWord(set, ""));
  EXPECT_TRUE(HasWord(set, "VERTRAG"));
  EXPECT_FALSE(FindPhrase("", set));
  EXPECT_FALSE(StartsWithPhrase("Vertragsstrafe", set));
}

std::vector<std::string> Texts(const Tokens& t) {
  std::vector<std::string> out;
  for (const auto& tok : t.tokens) out.push_back(tok.text);
  return out;
}

TEST(TokensTest, AbbreviationsKeepTheirPeriodQuotesStandAlone) {
  const std::vector<std::string> abbreviations = {"Inc.", "e.V."};
  EXPECT_EQ(Texts(TokenizeText("TIME LIFE, INC., a Delaware corp.", abbreviations)),
            (std::vector<std::string>{"TIME", "LIFE", ",", "INC.", ",", "a", "Delaware", "corp", "."}));
  EXPECT_EQ(Texts(TokenizeText("nachstehend \xe2\x80\x9eHMSI\xe2\x80\x9c genannt", abbreviations)),
            (std::vector<std::string>{"nachstehend", "\xe2\x80\x9e", "HMSI", "\xe2\x80\x9c", "genannt"}));
  EXPECT_EQ(Texts(TokenizeText("Baden-W\xc3\xbcrttemberg, AT&T, L.L.C.", {})),
            (std::vector<std::string>{"Baden-W\xc3\xbcrttemberg", ",", "AT&T", ",", "L.L.C."}));
  // A typographic apostrophe between letters is the word's; as a closing quote it stands alone.
  EXPECT_EQ(Texts(TokenizeText("Example\xe2\x80\x99s Grill, \xe2\x80\x98Sample\xe2\x80\x99 and Sample\xe2\x80\x99", {})),
            (std::vector<std::string>{"Example\xe2\x80\x99s", "Grill", ",", "\xe2\x80\x98", "Sample", "\xe2\x80\x99", "and",
                                      "Sample", "\xe2\x80\x99"}));
}

using testing::L;

// Lines 5.5 pt wide per byte.
DocumentText ReadingDoc(const std::vector<L>& lines) { return testing::DocWith(lines, 5.5); }

std::vector<Zone> Zones(const Reading& r) {
  std::vector<Zone> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(r.zone(i));
  return out;
}

TEST(ZonesTest, AnAgreementReadsInItsOrder) {
  std::vector<L> lines = {
      {1, 60, 30, "EXHIBIT 10.4"},
      {1, 230, 90, "LICENSE AGREEMENT"},
      {1, 60, 130, "This License Agreement is made as of May 1, 2020 by and between Alpha Corp., a"},
      {1, 60, 144, "Delaware corporation (\"Licensor\"), and Beta LLC (\"Licensee\")."},
      {1, 60, 170, "WHEREAS, Licensor owns certain software; and"},
      {1, 60, 184, "NOW, THEREFORE, the parties agree as follows:"},
      {1, 60, 210, "1. Grant of License"},
      {1, 60, 224, "Licensor grants Licensee a license to use the software in the territory."},
      {1, 290, 800, "1"},
      {2, 60, 60, "The license is not transferable without consent of the other party."},
      {2, 60, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement."},
      {2, 60, 130, "ALPHA CORP."},
      {2, 60, 150, "By: /s/ Jane Doe"},
      {2, 290, 800, "2"},
      {3, 250, 60, "EXHIBIT A"},
      {3, 60, 90, "Licensed software: the program and its documentation as delivered."},
      {3, 290, 800, "3"},
  };
  const DocumentText doc = ReadingDoc(lines);
  const Reading r = Reading::Of(doc);
  EXPECT_EQ(r.language(), "en");
  using Z = Zone;
  EXPECT_EQ(Zones(r), (std::vector<Zone>{Z::kFurniture, Z::kTitle, Z::kParties, Z::kParties, Z::kRecitals,
                                         Z::kBody, Z::kBody, Z::kBody, Z::kFurniture, Z::kBody, Z::kSignature,
                                         Z::kSignature, Z::kSignature, Z::kFurniture, Z::kAnnex, Z::kAnnex,
                                         Z::kFurniture}));
}

TEST(ZonesTest, RunningHeadersAreFurnitureWhereverTheyRepeat) {
  std::vector<L> lines;
  for (int page = 1; page <= 4; ++page) {
    lines.push_back({page, 60, 20, "Staatsvertrag Raumordnung \xe2\x80\x93 Seite " + std::to_string(page)});
    const char* const words[] = {"Planung", "Verkehr", "Wasser", "Energie", "Siedlung", "Landschaft", "Wirtschaft", "Kultur"};
    for (int k = 0; k < 8; ++k) {
      lines.push_back({page, 60, 80.0 + 20 * k,
                       std::string("Die L\xc3\xa4nder stimmen die ") + words[(page + k) % 8] + " der Region " +
                           words[(page * 3 + k) % 8] + " und " + words[k] + " ab."});
    }
  }
  const DocumentText doc = ReadingDoc(lines);
  const Reading r = Reading::Of(doc);
  EXPECT_EQ(r.language(), "de");
  for (size_t i = 0; i < r.size(); ++i) {
    const bool header = r.line(i).text.rfind("Staatsvertrag", 0) == 0;
    EXPECT_EQ(r.zone(i) == Zone::kFurniture, header) << r.line(i).text;
  }
}

TEST(ZonesTest, AGermanTreatyReadsInItsOrder) {
  // Title lines centred over the text (5 points per byte, text from x = 60).
  const std::string longest = "Der Vertrag tritt am Tag nach dem Austausch der Ratifikationsurkunden in Kraft.";  // page 1
  auto centred = [&](const std::string& text) {
    return 60 + 2.5 * static_cast<double>(longest.size()) - 2.5 * static_cast<double>(text.size());
  };
  const std::string title = "Staatsvertrag", subtitle = "\xc3\xbc" "ber die gemeinsame Einrichtung der L\xc3\xa4nder";
  const std::vector<L> lines = {
      {1, centred(title), 60, title},
      {1, centred(subtitle), 80, subtitle},
      {1, 60, 120, "Das Land Brandenburg und der Freistaat Sachsen"},
      {1, 60, 134, "(im Folgenden: die L\xc3\xa4nder) schlie\xc3\x9f" "en folgenden Staatsvertrag:"},
      {1, 250, 170, "\xc2\xa7 1"},
      {1, 60, 190, "Die L\xc3\xa4nder errichten eine gemeinsame Stelle mit Sitz in Cottbus."},
      {1, 250, 220, "\xc2\xa7 2"},
      {1, 60, 240, longest},
      {2, 60, 60, "Die Stelle wird von den L\xc3\xa4ndern zu gleichen Teilen finanziert."},
      {2, 60, 110, "Potsdam, den 3. M\xc3\xa4rz 2004"},
      {2, 60, 130, "F\xc3\xbcr das Land Brandenburg"},
      {2, 60, 150, "Der Ministerpr\xc3\xa4sident"},
      {2, 320, 110, "Dresden, den 5. M\xc3\xa4rz 2004"},
      {2, 320, 130, "F\xc3\xbcr den Freistaat Sachsen"},
      {2, 320, 150, "Der Ministerpr\xc3\xa4sident"},
  };
  const DocumentText doc = DocWith(lines, 5);
  const Reading r = Reading::Of(doc);
  EXPECT_EQ(r.language(), "de");
  using Z = Zone;
  const std::vector<Zone> want = {Z::kTitle, Z::kTitle, Z::kParties, Z::kParties, Z::kBody,
                                  Z::kBody,  Z::kBody,  Z::kBody,    Z::kBody};
  const std::vector<Zone> got = Zones(r);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << r.line(i).text;
  for (size_t i = want.size(); i < got.size(); ++i) EXPECT_EQ(got[i], Z::kSignature) << r.line(i).text;
}

TEST(ZonesTest, GermanCompoundsNameAKindOfAgreement) {
  const DocumentText doc =
      ReadingDoc({{1, 200, 50, "F\xc3\x96RDERVERTRAG"}, {1, 60, 90, "zwischen dem Land und der Stadt"}});
  const Reading r = Reading::Of(doc);
  EXPECT_FALSE(r.Designations("Der F\xc3\xb6rdervertrag gilt.").empty());
  EXPECT_TRUE(r.Designations("Der Vertragspartner haftet.").empty());
  EXPECT_EQ(r.zone(0), Zone::kTitle);
}

}  // namespace
}  // namespace pactum::extract
