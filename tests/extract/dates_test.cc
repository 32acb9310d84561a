// Dates over classes of inputs: numeric order (US and European, from the
// document's language and evidence), ordinal and spelled-out forms, years in
// words, two-digit years, kinds from wording and layout.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fields/extractors.h"
#include "pactum/extract/fields.h"
#include "test_document.h"

namespace pactum::extract {
namespace {

using testing::Dates;
using testing::L;

using K = std::pair<std::string, DateKind>;

// The dates of `lines` (4 pt wide per byte) and their kinds.
std::vector<K> DateKinds(const std::vector<L>& lines) { return testing::DateKindsIn(testing::DocWith(lines, 4.0)); }

using S = std::vector<std::string>;

// Sentences with enough function words for the language to be decided.
const char* kEnglishBody = "The Supplier shall deliver the goods to the Customer and the Customer shall pay for them.";
const char* kGermanBody = "Die Länder sind sich einig, dass die Kosten von den Ländern nach dem Schlüssel getragen werden.";

// `clauses` as the body of an agreement: a title, the parties, a first
// article, the clauses (page 1, from y = 200 on).
std::vector<L> InBody(bool german, const std::vector<std::string>& clauses) {
  std::vector<L> lines = {
      {1, 200, 50, german ? "VERTRAG" : "SUPPLY AGREEMENT"},
      {1, 50, 80, german ? "zwischen dem Land Brandenburg und dem Freistaat Sachsen" : "between Acme Inc. and Beta LLC"},
      {1, 50, 120, german ? "Artikel 1" : "Article 1"},
      {1, 50, 140, german ? kGermanBody : kEnglishBody}};
  double y = 200;
  for (const auto& c : clauses) {
    lines.push_back({1, 50, y, c});
    y += 20;
  }
  return lines;
}

TEST(DateOrderTest, SlashedDatesFollowTheOrderGivenOrEvident) {
  EXPECT_EQ(Dates("4/1/2018", DateOrder::kMonthFirst), S{"2018-04-01"});
  EXPECT_EQ(Dates("4/1/2018", DateOrder::kDayFirst), S{"2018-01-04"});
  EXPECT_EQ(Dates("4/1/2018", DateOrder::kUnknown), S{"2018-01-04"});
  // Numbers that allow one reading only decide it whatever the order.
  EXPECT_EQ(Dates("4/23/2018", DateOrder::kDayFirst), S{"2018-04-23"});
  EXPECT_EQ(Dates("23/4/2018", DateOrder::kMonthFirst), S{"2018-04-23"});
  // Dashes like slashes; dots are always day first.
  EXPECT_EQ(Dates("12-01-2019", DateOrder::kMonthFirst), S{"2019-12-01"});
  EXPECT_EQ(Dates("4.1.2018", DateOrder::kMonthFirst), S{"2018-01-04"});
  // Without a given order, the text's own dates are the evidence.
  EXPECT_EQ(Dates("signed 4/1/2018, amended 4/23/2018"), (S{"2018-04-01", "2018-04-23"}));
  EXPECT_EQ(Dates("signed 4/1/2018, amended 23/4/2018"), (S{"2018-01-04", "2018-04-23"}));
}

TEST(DateOrderTest, TheDocumentsLanguageAndEvidenceDecide) {
  // English: month first.
  EXPECT_EQ(DateKinds(InBody(false, {"The goods were ordered on 4/1/2018 by the Customer."})),
            (std::vector<K>{{"2018-04-01", DateKind::kOther}}));
  // German: day first.
  EXPECT_EQ(DateKinds(InBody(true, {"Der Antrag der Länder ist vom 4/1/2018 und liegt vor."})),
            (std::vector<K>{{"2018-01-04", DateKind::kOther}}));
  // An English document that writes 23/4/2018 elsewhere is read day first.
  EXPECT_EQ(DateKinds({{1, 50, 100, kEnglishBody},
                       {1, 50, 120, "The goods were ordered on 4/1/2018 by the Customer."},
                       {1, 50, 140, "The invoice of 23/4/2018 is paid."}}),
            (std::vector<K>{{"2018-01-04", DateKind::kOther}, {"2018-04-23", DateKind::kOther}}));
}

TEST(DateFormsTest, OrdinalDays) {
  EXPECT_EQ(Dates("made effective this 1st day of April, 2018 by"), S{"2018-04-01"});
  EXPECT_EQ(Dates("entered into this 3rd day of June 2019"), S{"2019-06-03"});
  EXPECT_EQ(Dates("on the twenty-first day of May, 2019"), S{"2019-05-21"});
  EXPECT_EQ(Dates("as of the Twenty First day of May 2019"), S{"2019-05-21"});
  EXPECT_EQ(Dates("the first (1st) day of March, 2020"), S{"2020-03-01"});
  EXPECT_EQ(Dates("this 19TH DAY OF MAY , 2010"), S{"2010-05-19"});
  EXPECT_EQ(Dates("commence on the 1st of March, 2003"), S{"2003-03-01"});
  EXPECT_EQ(Dates("this 31 day of July, 2000"), S{"2000-07-31"});
  // A superscript suffix the text layer split off: "17t h".
  EXPECT_EQ(Dates("made this 17t h day of May, 2017"), S{"2017-05-17"});
  EXPECT_EQ(Dates("Hamburg, November 19t h, 2012"), S{"2012-11-19"});
  EXPECT_EQ(Dates("March 9th, 2015 and June 1st, 2020"), (S{"2015-03-09", "2020-06-01"}));
  EXPECT_TRUE(Dates("on the 1st day of each month").empty());
  EXPECT_TRUE(Dates("the 31st day of February, 2019").empty());
}

TEST(DateFormsTest, MonthNamesInBothLanguagesAndOrders) {
  EXPECT_EQ(Dates("am 1. Januar 1995"), S{"1995-01-01"});
  EXPECT_EQ(Dates("vom 3. Oktober 1990"), S{"1990-10-03"});
  EXPECT_EQ(Dates("Berlin, 2. MÄRZ 2020"), S{"2020-03-02"});
  EXPECT_EQ(Dates("effective as of 15 April, 2009"), S{"2009-04-15"});
  EXPECT_EQ(Dates("Lagos 24 OCT 2011"), S{"2011-10-24"});
  EXPECT_EQ(Dates("COMMENCEMENT DATE: MARCH 1, 2001"), S{"2001-03-01"});
  EXPECT_EQ(Dates("dated May 3,2006 and July 11 , 2006"), (S{"2006-05-03", "2006-07-11"}));
  EXPECT_EQ(Dates("this 16 day of August. 2012"), S{"2012-08-16"});
  EXPECT_EQ(Dates("Sept. 3, 2024 and 4 Dez. 2024"), (S{"2024-09-03", "2024-12-04"}));
  // The year in words.
  EXPECT_EQ(Dates("Geschehen zu Bonn am achtzehnten Mai neunzehnhundertneunzig in zwei Urschriften"), S{"1990-05-18"});
  EXPECT_EQ(Dates("on the twenty-first day of May in the year two thousand and nineteen"), S{"2019-05-21"});
  EXPECT_EQ(Dates("this 3rd day of June, Two Thousand Five, by"), S{"2005-06-03"});
  EXPECT_TRUE(Dates("the first day of May one hundred").empty());
  EXPECT_TRUE(Dates("in May 2020").empty());
  EXPECT_TRUE(Dates("im Mai 2020").empty());
  EXPECT_TRUE(Dates("3 Mainz 2020").empty());
}

TEST(DateFormsTest, TwoDigitYearsOnlyWhereAsked) {
  EXPECT_TRUE(Dates("Date: 8/4/10").empty());
  EXPECT_EQ(Dates("Date: 8/4/10", DateOrder::kMonthFirst, true), S{"2010-08-04"});
  EXPECT_EQ(Dates("Dated 29/3/18", DateOrder::kMonthFirst, true), S{"2018-03-29"});
  EXPECT_EQ(Dates("on 3-5-98", DateOrder::kMonthFirst, true), S{"1998-03-05"});
  // In a document: after a label or in a signature block, not in the clauses.
  EXPECT_EQ(DateKinds({{1, 50, 100, kEnglishBody},
                       {1, 50, 120, "See clause 3/4/10 of the schedule for the details of the goods."},
                       {2, 50, 600, "By: /s/ Jane Doe"},
                       {2, 50, 615, "Name: Jane Doe"},
                       {2, 50, 630, "Date: 8/4/10"}}),
            (std::vector<K>{{"2010-08-04", DateKind::kSignature}}));
}

TEST(DateKindsTest, PreambleDates) {
  EXPECT_EQ(DateKinds({{1, 200, 50, "SUPPLY AGREEMENT"},
                       {1, 50, 80, "This Supply Agreement is dated as of March 20, 2020 (the \xe2\x80\x9c" "Effective "
                                   "Date\xe2\x80\x9d), by and between Acme Inc. and Beta LLC."},
                       {1, 50, 120, kEnglishBody}}),
            (std::vector<K>{{"2020-03-20", DateKind::kEffective}}));
  EXPECT_EQ(DateKinds({{1, 200, 50, "LICENSE AGREEMENT"},
                       {1, 50, 80, "This License Agreement is made effective this 1st day of April, 2018 by and between "
                                   "Acme Inc. and Beta LLC."},
                       {1, 50, 120, kEnglishBody}}),
            (std::vector<K>{{"2018-04-01", DateKind::kEffective}}));
  // The agreement date: "made and entered into this …" is no effective date.
  EXPECT_EQ(DateKinds({{1, 200, 50, "SERVICES AGREEMENT"},
                       {1, 50, 80, "This Services Agreement is made and entered into this 15th day of May, 2019 by and "
                                   "between Acme Inc. and Beta LLC."},
                       {1, 50, 120, kEnglishBody}}),
            (std::vector<K>{{"2019-05-15", DateKind::kOther}}));
}

TEST(DateKindsTest, TermDeadlineAndEntryIntoForce) {
  EXPECT_EQ(DateKinds(InBody(false, {"The Customer shall pay the fee on or before June 30, 2021."})),
            (std::vector<K>{{"2021-06-30", DateKind::kDeadline}}));
  EXPECT_EQ(DateKinds(InBody(false, {"The parties extend this Agreement through December 31, 2022."})),
            (std::vector<K>{{"2022-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds(InBody(false, {"The Term shall commence on January 1, 2020 and end on December 31, 2021."})),
            (std::vector<K>{{"2020-01-01", DateKind::kEffective}, {"2021-12-31", DateKind::kExpiry}}));
  // A sentence that opens with a pronoun speaks of the one before.
  EXPECT_EQ(DateKinds(InBody(false, {"This Agreement commences on the date of signature. It expires on June 30, 2030."})),
            (std::vector<K>{{"2030-06-30", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds(InBody(true, {"Der Vertrag wird auf fünf Jahre geschlossen. Er endet am 31. Dezember 2029."})),
            (std::vector<K>{{"2029-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds(InBody(false, {"The price list is sent to the Customer. It expires on June 30, 2030."})),
            (std::vector<K>{{"2030-06-30", DateKind::kOther}}));
  EXPECT_EQ(DateKinds(InBody(true, {"Der Vertrag tritt am 1. Januar 1995 in Kraft."})),
            (std::vector<K>{{"1995-01-01", DateKind::kEffective}}));
  EXPECT_EQ(DateKinds(InBody(true, {"Das Ortsrecht ist bis zum 30. September 1998 anzupassen."})),
            (std::vector<K>{{"1998-09-30", DateKind::kDeadline}}));
}

TEST(DateKindsTest, CuesAboutSomethingElseAreOther) {
  // Entry into force and time limits of other rules are not the agreement's.
  EXPECT_EQ(DateKinds(InBody(true, {"Mit Wirkung vom 1. Juli 1990 wird die Deutsche Mark als Währung eingeführt."})),
            (std::vector<K>{{"1990-07-01", DateKind::kOther}}));
  EXPECT_EQ(DateKinds(InBody(true, {"Das Landesrecht kann längstens bis zum 31. Dezember 1992 davon abweichen."})),
            (std::vector<K>{{"1992-12-31", DateKind::kOther}}));
  EXPECT_EQ(DateKinds(InBody(false, {"The price list is valid until March 31, 2021 for all orders."})),
            (std::vector<K>{{"2021-03-31", DateKind::kOther}}));
}

TEST(DateKindsTest, SignatureDates) {
  // A closing formula with the date in its sentence.
  EXPECT_EQ(DateKinds({{1, 50, 100, kGermanBody},
                       {2, 50, 500, "Geschehen zu Berlin am 31. August 1990 in zwei Urschriften in deutscher Sprache."}}),
            (std::vector<K>{{"1990-08-31", DateKind::kSignature}}));
  // The "Vom <date>" line under a German title is the date of signature.
  EXPECT_EQ(DateKinds({{1, 150, 50, "Staatsvertrag über die Errichtung einer gemeinsamen Stelle"},
                       {1, 250, 70, "Vom 17. Dezember 1992"},
                       {1, 50, 100, "Die Länder Brandenburg und Sachsen schließen den folgenden Staatsvertrag:"},
                       {1, 50, 130, kGermanBody}}),
            (std::vector<K>{{"1992-12-17", DateKind::kSignature}}));
}

TEST(DateKindsTest, SigningWordsAndLoneDatesOutsideTheSignatureArea) {
  // A date alone in a table cell of the clauses is no signature date.
  EXPECT_EQ(DateKinds(InBody(false, {"Delivery schedule", "July 1, 2017"})),
            (std::vector<K>{{"2017-07-01", DateKind::kOther}}));
  // "signed in … on" of another instrument.
  EXPECT_EQ(DateKinds(InBody(false, {"A licence was signed in Paris on 19 December 1997 by the Supplier and a bank."})),
            (std::vector<K>{{"1997-12-19", DateKind::kOther}}));
}

TEST(DateKindsTest, EntryIntoForceOnSignatureTakesTheSignatureDate) {
  EXPECT_EQ(DateKinds({{1, 50, 100, kGermanBody},
                       {1, 50, 120, "Dieses Abkommen tritt mit Unterzeichnung in Kraft und gilt bis zum 31. Dezember "
                                    "2007.",
                        1},
                       {2, 50, 500, "Schleife, den 28. August 1998"},
                       {2, 50, 530, "Für den Freistaat Sachsen"}}),
            (std::vector<K>{{"2007-12-31", DateKind::kExpiry},
                            {"1998-08-28", DateKind::kSignature},
                            {"1998-08-28", DateKind::kEffective}}));
}

TEST(DateKindsTest, FilingStampsAreNotRead) {
  std::vector<L> lines;
  for (int page = 1; page <= 3; ++page) {
    lines.push_back({page, 50, 100, kEnglishBody});
    lines.push_back({page, 50, 120, "The Customer shall order the goods in writing from the Supplier."});
    lines.push_back({page, 60, 780, "Source: ACME HOLDINGS INC, 10-K, 3/30/2020"});
  }
  EXPECT_TRUE(DateKinds(lines).empty());
}

}  // namespace
}  // namespace pactum::extract
