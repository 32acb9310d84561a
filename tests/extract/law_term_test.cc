// Governing law and term on classes of wording: how the clause is phrased
// (English and German), where the place or the duration stands, and the
// traps (incorporation clauses, renewals, notice, payment and survival
// periods, terms counted from another event, open-ended agreements).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fields/extractors.h"
#include "pactum/extract/fields.h"

namespace pactum::extract {
namespace {

// A clause of one line, on page 1 (or as given).
struct Clause {
  int page;
  std::string text;
};

// A short agreement: a title, the parties, then `clauses`, one line each.
DocumentText AgreementOf(const std::vector<Clause>& clauses, bool german = false) {
  std::vector<Clause> lines;
  if (german) {
    lines = {{1, "KOOPERATIONSVERTRAG"}, {1, "zwischen der Stadt Kassel und der Universität Kassel"},
             {1, "§ 1 Gegenstand"}, {1, "Die Parteien arbeiten bei der Forschung und der Lehre zusammen."}};
  } else {
    lines = {{1, "SERVICES AGREEMENT"}, {1, "This Agreement is made by and between Acme Inc. and Beta LLC."},
             {1, "1. Services. The Supplier shall provide the services to the Customer and the Customer shall pay"},
             {1, "for them as set out in the schedule of this Agreement."}};
  }
  lines.insert(lines.end(), clauses.begin(), clauses.end());
  DocumentText d;
  double y = 60;
  int page = 1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].page != page) {
      page = lines[i].page;
      y = 60;
    }
    TextLine t;
    t.page = lines[i].page;
    t.text = lines[i].text;
    const double x = i == 0 ? 220 : 72;
    t.box = {x, y, x + 4.8 * static_cast<double>(t.text.size()), y + 11};
    t.block = static_cast<int>(i);
    d.lines.push_back(t);
    y += 14;
  }
  return d;
}

std::optional<GoverningLaw> Law(const std::vector<Clause>& clauses, bool german = false) {
  const DocumentText doc = AgreementOf(clauses, german);
  const Reading reading = Reading::Of(doc);
  pactum::Agreement a;
  ExtractGoverningLaw(reading, &a);
  return a.governing_law;
}

std::string Place(const std::vector<Clause>& clauses, bool german = false) {
  const auto law = Law(clauses, german);
  return law ? law->jurisdiction : "-";
}

std::optional<Term> TermOf(const std::vector<Clause>& clauses, bool german = false) {
  const DocumentText doc = AgreementOf(clauses, german);
  const Reading reading = Reading::Of(doc);
  pactum::Agreement a;
  ExtractTerm(reading, &a);
  return a.term;
}

std::string Duration(const std::vector<Clause>& clauses, bool german = false) {
  const auto term = TermOf(clauses, german);
  return term ? term->duration : "-";
}

// ---- Governing law ------------------------------------------------------------

TEST(GoverningLawTest, LawsOfAStateWithoutItsPrefixAndWithoutTheConflictsTail) {
  const auto law = Law({{1, "12. Governing Law. This Agreement shall be governed by the laws of the State of New York,"},
                        {1, "without regard to its conflict of laws principles."}});
  ASSERT_TRUE(law);
  EXPECT_EQ(law->jurisdiction, "New York");
  EXPECT_EQ(law->text, "governed by the laws of the State of New York");
  EXPECT_EQ(law->evidence.page, 1);
  ASSERT_TRUE(law->evidence.bbox);
  ASSERT_TRUE(law->evidence.confidence);
  EXPECT_GT(*law->evidence.confidence, 0.5);

  EXPECT_EQ(Place({{1, "This Agreement shall be construed in accordance with the laws of the Commonwealth of"},
                   {1, "Pennsylvania, excluding its choice of law rules."}}),
            "Pennsylvania");
  EXPECT_EQ(Place({{1, "The validity and performance of this Agreement shall be controlled by and construed under the"},
                   {1, "laws of the Province of Ontario and the federal laws of Canada applicable therein."}}),
            "Ontario");
  EXPECT_EQ(Place({{1, "This Agreement will be governed in all respects by the laws of Japan."}}), "Japan");
}

TEST(GoverningLawTest, CapitalsConnectorsAndNamedCountries) {
  EXPECT_EQ(Place({{1, "THIS AGREEMENT SHALL BE GOVERNED BY THE LAWS OF THE STATE OF CALIFORNIA WITHOUT REGARD TO"},
                   {1, "ITS CONFLICT OF LAWS PROVISIONS."}}),
            "California");
  EXPECT_EQ(Place({{1, "This Agreement is governed by the laws of England and Wales and the courts of London have"},
                   {1, "exclusive jurisdiction."}}),
            "England and Wales");
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by the laws of the District of Columbia."}}),
            "District of Columbia");
  EXPECT_EQ(Place({{1, "This Contract shall be governed by the laws of the People's Republic of China."}}), "China");
  EXPECT_EQ(Place({{1, "The formation and performance of this Agreement shall be governed by PRC law."}}), "China");
}

TEST(GoverningLawTest, PlaceOrAdjectiveBeforeLaw) {
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by and construed in accordance with Delaware law."}}),
            "Delaware");
  EXPECT_EQ(Place({{1, "This Agreement and any dispute arising from it shall be governed by English law."}}),
            "England");
  EXPECT_EQ(Place({{1, "New York law shall govern this Agreement."}}), "New York");
}

TEST(GoverningLawTest, TheStateRatherThanTheFederation) {
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by the laws of the United States of America and of the"},
                   {1, "State of Texas."}}),
            "Texas");
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by the laws of the United States of America."}}),
            "United States");
}

TEST(GoverningLawTest, HeadingOnItsOwnLineAndTheClauseOnTheNext) {
  const auto law = Law({{1, "Each party shall bear its own costs."},
                        {2, "14. GOVERNING LAW"},
                        {2, "The laws of the State of Illinois govern all matters arising out of this Agreement."}});
  ASSERT_TRUE(law);
  EXPECT_EQ(law->jurisdiction, "Illinois");
  EXPECT_EQ(law->evidence.page, 2);
}

TEST(GoverningLawTest, IncorporationAndOtherLawsOfAreNoChoiceOfLaw) {
  EXPECT_EQ(Place({{1, "Acme Inc. is a corporation organized under the laws of the State of Delaware."},
                   {1, "This Agreement shall be governed by the laws of the State of New York."}}),
            "New York");
  EXPECT_EQ(Place({{1, "Acme Inc. is a corporation organized and existing under the laws of the State of Delaware."}}),
            "-");
  EXPECT_EQ(Place({{1, "Each order shall be governed by the terms and conditions of this Agreement."}}), "-");
  EXPECT_EQ(Place({{1, "Each party shall comply with the laws of the State of Ohio in performing this Agreement."}}),
            "-");
}

TEST(GoverningLawTest, RedactedOrUnnamedPlaceIsNull) {
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by the laws of [***], without regard to conflicts of law."}}),
            "-");
  EXPECT_EQ(Place({{1, "This Agreement shall be governed by the laws of the jurisdiction in which the Supplier"},
                   {1, "has its seat."}}),
            "-");
}

TEST(GoverningLawTest, NoClauseIsNull) {
  EXPECT_FALSE(Law({{1, "2. Fees. The Customer shall pay the fees within thirty days of the invoice."}}));
  EXPECT_FALSE(Law({}, true));
}

TEST(GoverningLawTest, GermanLawOfTheLandOrTheFederalRepublic) {
  EXPECT_EQ(Place({{1, "§ 9 Schlussbestimmungen"}, {1, "Dieser Vertrag unterliegt dem Recht der Bundesrepublik Deutschland."}},
                  true),
            "Deutschland");
  EXPECT_EQ(Place({{1, "Auf diesen Vertrag findet das Recht des Landes Hessen Anwendung."}}, true), "Hessen");
  EXPECT_EQ(Place({{1, "Für diesen Vertrag gilt das Recht des Freistaates Sachsen."}}, true), "Sachsen");
}

TEST(GoverningLawTest, GermanAdjectiveLaw) {
  const auto law = Law({{1, "§ 9 Schlussbestimmungen"}, {1, "(1) Es gilt deutsches Recht."}}, true);
  ASSERT_TRUE(law);
  EXPECT_EQ(law->jurisdiction, "Deutschland");
  EXPECT_EQ(law->text, "Es gilt deutsches Recht");
  EXPECT_EQ(Place({{1, "Dieser Vertrag unterliegt ausschließlich deutschem Recht."}}, true), "Deutschland");
}

TEST(GoverningLawTest, GermanLawOfAnUnnamedLandOrOfASubjectIsNoChoiceOfLaw) {
  EXPECT_EQ(Place({{1, "Für Zweckverbände nach Artikel 1 gilt das Recht des Landes, in dem der Zweckverband seinen"},
                   {1, "Sitz hat."}},
                  true),
            "-");
  EXPECT_EQ(Place({{1, "§ 7 Anzuwendendes Recht"},
                   {1, "Soweit dieser Vertrag nichts bestimmt, ist für den Verband das Landesrecht maßgebend."}},
                  true),
            "-");
}

// ---- Term -----------------------------------------------------------------------

TEST(TermTest, DurationFromTheEffectiveDate) {
  const auto term = TermOf({{1, "2. Term. This Agreement shall commence on the Effective Date and continue for a period"},
                            {1, "of five (5) years, unless terminated earlier in accordance with Section 9."}});
  ASSERT_TRUE(term);
  EXPECT_EQ(term->duration, "P5Y");
  EXPECT_EQ(term->text, "for a period of five (5) years");
  EXPECT_EQ(term->evidence.page, 1);
  ASSERT_TRUE(term->evidence.bbox);

  EXPECT_EQ(Duration({{1, "This Agreement shall remain in effect for a period of one year from the date hereof."}}), "P1Y");
  EXPECT_EQ(Duration({{1, "The initial term of this Agreement is 3 years from the Effective Date."}}), "P3Y");
  EXPECT_EQ(Duration({{1, "The term of this Agreement shall be twelve (12) months."}}), "P12M");
  EXPECT_EQ(Duration({{1, "This Agreement shall remain in full force and effect for ninety (90) days after the"},
                      {1, "Effective Date."}}),
            "P90D");
}

TEST(TermTest, HyphenatedWordsAnniversariesAndHeadings) {
  EXPECT_EQ(Duration({{1, "This Agreement shall have a five-year term commencing on the Effective Date."}}), "P5Y");
  EXPECT_EQ(Duration({{1, "The Initial Term means the period from the Effective Date through the day prior to the"},
                      {1, "second anniversary of the Effective Date."}}),
            "P2Y");
  EXPECT_EQ(Duration({{1, "8. TERM OF AGREEMENT"},
                      {1, "This Agreement begins on the date first written above and ends eighteen (18) months"},
                      {1, "thereafter."}}),
            "P18M");
  EXPECT_EQ(Duration({{1, "The Supplier shall deliver the goods for a period of 24 months."}}), "-");
}

TEST(TermTest, TheInitialTermNotTheRenewal) {
  EXPECT_EQ(Duration({{1, "The initial term of this Agreement shall be three (3) years from the Effective Date and this"},
                      {1, "Agreement shall automatically renew for successive one (1) year periods unless either"},
                      {1, "party gives ninety (90) days' notice of non-renewal."}}),
            "P3Y");
  EXPECT_EQ(Duration({{1, "This Agreement shall automatically renew for successive one (1) year periods."}}), "-");
  EXPECT_EQ(Duration({{1, "The term may be extended for an additional two (2) years by mutual written agreement."}}), "-");
}

TEST(TermTest, NoticePaymentAndSurvivalPeriodsAreNoTerm) {
  EXPECT_EQ(Duration({{1, "Either party may terminate this Agreement upon thirty (30) days' prior written notice."}}), "-");
  EXPECT_EQ(Duration({{1, "The term of each order shall be agreed. Invoices are payable within thirty (30) days."}}), "-");
  EXPECT_EQ(Duration({{1, "During the term of this Agreement and for two (2) years thereafter, neither party shall"},
                      {1, "solicit the employees of the other."}}),
            "-");
  EXPECT_EQ(Duration({{1, "The obligations of confidentiality shall survive for five (5) years following termination of"},
                      {1, "this Agreement."}}),
            "-");
}

TEST(TermTest, TermsCountedFromAnotherEventOpenEndedOrOnlyAnEndDateAreNull) {
  EXPECT_EQ(Duration({{1, "The term of this Agreement shall be five (5) years from the date of the first commercial"},
                      {1, "sale of the Product."}}),
            "-");
  EXPECT_EQ(Duration({{1, "This Agreement shall remain in effect until terminated by either party."}}), "-");
  EXPECT_EQ(Duration({{1, "The term of this Agreement begins on the Effective Date and ends on December 31, 2026."}}), "-");
  EXPECT_EQ(Duration({{1, "The term of this Agreement shall be the later of (i) five years from the Effective Date and"},
                      {1, "(ii) the expiry of the last patent."}}),
            "-");
}

TEST(TermTest, GermanDurations) {
  const auto term = TermOf({{1, "§ 5 Laufzeit"}, {1, "Der Vertrag wird für die Dauer von zwei Jahren geschlossen."}}, true);
  ASSERT_TRUE(term);
  EXPECT_EQ(term->duration, "P2Y");
  EXPECT_EQ(term->text, "für die Dauer von zwei Jahren");
  EXPECT_EQ(Duration({{1, "Die Laufzeit beträgt 24 Monate ab Unterzeichnung."}}, true), "P24M");
  EXPECT_EQ(Duration({{1, "Dieser Staatsvertrag gilt für die Dauer von fünf Jahren und verlängert sich jeweils um"},
                      {1, "weitere fünf Jahre, wenn er nicht gekündigt wird."}},
                     true),
            "P5Y");
}

TEST(TermTest, GermanNoticePeriodsOpenEndedAndEndDatesAreNull) {
  EXPECT_EQ(Duration({{1, "Der Vertrag kann mit einer Frist von drei Monaten zum Jahresende gekündigt werden."}}, true),
            "-");
  EXPECT_EQ(Duration({{1, "§ 9 Geltungsdauer"}, {1, "Dieser Staatsvertrag gilt für unbestimmte Zeit."}}, true), "-");
  EXPECT_EQ(Duration({{1, "§ 2 Laufzeit"}, {1, "Der Vertrag tritt am 1. April 2024 in Kraft und endet mit Ablauf des"},
                      {1, "31. März 2027."}},
                     true),
            "-");
  EXPECT_EQ(Duration({{1, "Der Verband hat innerhalb von drei Jahren ab Inkrafttreten dieses Vertrages über seinen"},
                      {1, "Sitz zu entscheiden."}},
                     true),
            "-");
}

TEST(TermTest, NoClauseIsNull) {
  EXPECT_FALSE(TermOf({}));
  EXPECT_FALSE(TermOf({}, true));
}

// Text without sentence ends (a table, a list) is read in bounded pieces: the
// work stays linear and a clause in it is still found.
TEST(LawAndTermTest, LongTextWithoutSentenceEndsStaysBounded) {
  std::vector<Clause> lines;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back({1 + i / 50, "the term of this agreement and the laws of one two three a b c d e f g h i j k"});
  }
  lines.push_back({61, "This Agreement shall be governed by the laws of the State of Ohio."});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Place(lines), "Ohio");
  EXPECT_EQ(Duration(lines), "-");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace pactum::extract
