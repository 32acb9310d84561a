// Field extractors on hard strings: notations, kinds and layouts beyond the
// sample documents.
#include "pactum/extract/fields.h"
#include "test_document.h"

#include "fields/common.h"
#include "fields/extractors.h"

#include <gtest/gtest.h>

namespace pactum::extract {
namespace {

// A document built line by line: {page, x0, y0, text}; each line is its own
// block unless `block` is given.
using testing::L;

DocumentText Doc(const std::vector<L>& lines) { return testing::DocWith(lines, 4.8); }

// The document and its reading, alive for the full expression that uses it:
// ExtractTitle(Read({...}), &a).
struct Read {
  explicit Read(const std::vector<L>& lines) : doc(Doc(lines)), reading(Reading::Of(doc)) {}
  Read(const Read&) = delete;
  Read& operator=(const Read&) = delete;
  operator const Reading&() const { return reading; }  // NOLINT(google-explicit-constructor)
  DocumentText doc;
  Reading reading;
};

using testing::Amounts;
using testing::Dates;

using P = std::pair<std::string, std::string>;
using K = std::pair<std::string, DateKind>;  // a date and its kind

TEST(AmountsTest, GermanNotations) {
  EXPECT_EQ(Amounts("in Höhe von 965.950 Euro aus"), (std::vector<P>{{"965950.00", "EUR"}}));
  EXPECT_EQ(Amounts("1.234.567,89 EUR"), (std::vector<P>{{"1234567.89", "EUR"}}));
  EXPECT_EQ(Amounts("bis zu 1,5 Mio. € jährlich"), (std::vector<P>{{"1500000.00", "EUR"}}));
  EXPECT_EQ(Amounts("326.399,03 Euro."), (std::vector<P>{{"326399.03", "EUR"}}));
  EXPECT_EQ(Amounts("pauschal 12.500,- Euro"), (std::vector<P>{{"12500.00", "EUR"}}));
  EXPECT_EQ(Amounts("insgesamt 2,75 Millionen Euro"), (std::vector<P>{{"2750000.00", "EUR"}}));
  EXPECT_EQ(Amounts("EUR 1.234.567,89"), (std::vector<P>{{"1234567.89", "EUR"}}));
}

TEST(AmountsTest, EnglishNotations) {
  EXPECT_EQ(Amounts("EUR 250,000.00"), (std::vector<P>{{"250000.00", "EUR"}}));
  EXPECT_EQ(Amounts("is EUR 225,000."), (std::vector<P>{{"225000.00", "EUR"}}));
  EXPECT_EQ(Amounts("up to €1.2 million"), (std::vector<P>{{"1200000.00", "EUR"}}));
  EXPECT_EQ(Amounts("USD 3,500 and GBP 1,000.50"), (std::vector<P>{{"3500.00", "USD"}, {"1000.50", "GBP"}}));
}

TEST(AmountsTest, NumbersWithoutCurrencyAreNotAmounts) {
  EXPECT_TRUE(Amounts("im Jahr 2025 werden 12 Projekte").empty());
  EXPECT_TRUE(Amounts("§ 4 Abs. 2 und 3.000 Teilnehmende").empty());
  EXPECT_TRUE(Amounts("Article 3 – Funding").empty());
}

TEST(DatesTest, NumericAndSpelledOut) {
  EXPECT_EQ(Dates("den 2.8.2025"), std::vector<std::string>{"2025-08-02"});
  EXPECT_EQ(Dates("am 02.08.2025"), std::vector<std::string>{"2025-08-02"});
  EXPECT_EQ(Dates("am 2. August 2025"), std::vector<std::string>{"2025-08-02"});
  EXPECT_EQ(Dates("zum 31. März 2027"), std::vector<std::string>{"2027-03-31"});
  EXPECT_EQ(Dates("on 1 March 2025"), std::vector<std::string>{"2025-03-01"});
  EXPECT_EQ(Dates("on March 1, 2025"), std::vector<std::string>{"2025-03-01"});
  EXPECT_EQ(Dates("on 1st March 2025"), std::vector<std::string>{"2025-03-01"});
  EXPECT_EQ(Dates("dated 2025-03-01"), std::vector<std::string>{"2025-03-01"});
  EXPECT_EQ(Dates("Sept. 3, 2024 and 4 Dez. 2024"), (std::vector<std::string>{"2024-09-03", "2024-12-04"}));
}

TEST(DatesTest, AbbreviationsSlashesAndNoSpaceAfterTheDay) {
  EXPECT_EQ(Dates("on 2 Feb 2026"), std::vector<std::string>{"2026-02-02"});
  EXPECT_EQ(Dates("signed Feb 3, 2026"), std::vector<std::string>{"2026-02-03"});
  EXPECT_EQ(Dates("bis 4 Mär 2026"), std::vector<std::string>{"2026-03-04"});
  EXPECT_EQ(Dates("ab dem 1.Oktober 2026"), std::vector<std::string>{"2026-10-01"});
  EXPECT_EQ(Dates("received 10/04/2026"), std::vector<std::string>{"2026-04-10"});  // day first
  EXPECT_EQ(Dates("received 12/31/2026"), std::vector<std::string>{"2026-12-31"});  // only month first fits
  // Abbreviations are whole words: no month in "Marburg 2026" or "Junior 2025".
  EXPECT_TRUE(Dates("5 Marburg 2026").empty());
  EXPECT_TRUE(Dates("3 Junior 2025").empty());
  EXPECT_TRUE(Dates("Az. 12/34/2026").empty());
  EXPECT_TRUE(Dates("1/2/2026/7").empty());
}

TEST(DatesTest, RejectsImpossibleDatesAndBareYears) {
  EXPECT_TRUE(Dates("31.02.2025").empty());
  EXPECT_TRUE(Dates("29.02.2025").empty());
  EXPECT_EQ(Dates("29.02.2024"), std::vector<std::string>{"2024-02-29"});
  EXPECT_TRUE(Dates("für die Jahre 2025 bis 2029").empty());
  EXPECT_TRUE(Dates("Version 1.2.2025x").empty() || Dates("Version 1.2.2025x").size() == 1);
}

// The dates of `lines` (as Doc lays them out) and their kinds.
std::vector<K> DatesAndKinds(const std::vector<L>& lines) { return testing::DateKindsIn(Doc(lines)); }

TEST(DatesTest, KindsFromWording) {
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "Der Vertrag tritt am 1. April 2024 in Kraft und endet mit Ablauf des 31. März 2027."}}),
            (std::vector<K>{{"2024-04-01", DateKind::kEffective}, {"2027-03-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "Die Laufzeit beginnt am 1.1.2024 und endet am 31.12.2025."}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "Förderzeitraum vom 1. Januar 2024 bis 31. Dezember 2025"}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "Der Verwendungsnachweis ist spätestens bis zum 30.6.2026 vorzulegen."}}),
            (std::vector<K>{{"2026-06-30", DateKind::kDeadline}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "The project runs from 1 January 2024 to 31 December 2025."}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "The Grantee shall submit a final report no later than May 31, 2029."}}),
            (std::vector<K>{{"2029-05-31", DateKind::kDeadline}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "auf Grundlage des Antrags vom 20. Juni 2023."}}),
            (std::vector<K>{{"2023-06-20", DateKind::kOther}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "The Agreement starts on 1 April 2026 and ends on 31 March 2028."}}),
            (std::vector<K>{{"2026-04-01", DateKind::kEffective}, {"2028-03-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "A term commencing on 1 May 2026 and ending on 30 April 2031."}}),
            (std::vector<K>{{"2026-05-01", DateKind::kEffective}, {"2031-04-30", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "The Contractor delivers the final report by 31 January 2027."}}),
            (std::vector<K>{{"2027-01-31", DateKind::kDeadline}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "The first instalment is due by 15 June 2026."}}),
            (std::vector<K>{{"2026-06-15", DateKind::kDeadline}}));
}

TEST(DatesTest, SignatureLines) {
  EXPECT_EQ(DatesAndKinds({{4, 70, 600, "Wiesbaden, den 2.8.2025"}, {4, 300, 600, "Bad Homburg, den 13.10.2025"}}),
            (std::vector<K>{{"2025-08-02", DateKind::kSignature}, {"2025-10-13", DateKind::kSignature}}));
  EXPECT_EQ(DatesAndKinds({{1, 70, 600, "Signed in Brussels on 14 January 2026"}}),
            (std::vector<K>{{"2026-01-14", DateKind::kSignature}}));
  EXPECT_EQ(DatesAndKinds({{1, 70, 600, "Frankfurt am Main, 4. März 2024"}}),
            (std::vector<K>{{"2024-03-04", DateKind::kSignature}}));
  // A two-digit year only on a place-and-date line, never in running text.
  EXPECT_EQ(DatesAndKinds({{1, 70, 600, "Kassel, 12.03.26"}}), (std::vector<K>{{"2026-03-12", DateKind::kSignature}}));
  EXPECT_TRUE(DatesAndKinds({{1, 70, 600, "siehe Ziffer 1.2.26 der Richtlinie"}}).empty());
  EXPECT_TRUE(DatesAndKinds({{1, 70, 600, "Kassel, 31.02.26"}}).empty());
}

TEST(DatesTest, ADateBrokenAcrossTwoLinesOfABlockIsRead) {
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "This Agreement shall continue until 28th February", 0},
                       {1, 50, 113, "2027 unless terminated earlier.", 0}}),
            (std::vector<K>{{"2027-02-28", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{1, 50, 100, "Der Vertrag endet mit Ablauf des 31. März", 0},
                       {1, 50, 113, "2028. Eine Verlängerung ist möglich.", 0}}),
            (std::vector<K>{{"2028-03-31", DateKind::kExpiry}}));
  // Lines of different blocks are not joined.
  EXPECT_TRUE(DatesAndKinds({{1, 50, 100, "Anlage 3 vom 28. Februar"}, {1, 300, 100, "2027"}}).empty());
}

std::vector<std::string> PartyNames(const std::vector<L>& lines, std::vector<std::string>* shorts = nullptr) {
  Agreement a;
  ExtractParties(Read(lines), &a);
  std::vector<std::string> out;
  for (const auto& p : a.parties) {
    out.push_back(p.name);
    if (shorts) shorts->push_back(p.short_name.value_or(""));
  }
  return out;
}

TEST(PartiesTest, NominativeWithoutArticle) {
  EXPECT_EQ(PartyNames({{1, 200, 50, "Kooperationsvertrag 2026"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "der Hessischen Staatskanzlei"},
                        {1, 150, 115, "Georg-August-Zeil 3, 65183 Wiesbaden"},
                        {1, 280, 130, "und"},
                        {1, 150, 145, "dem Evangelischen Jugendwerk Hessen e. V."},
                        {1, 150, 160, "zur Förderung der Jugendarbeit"},
                        {1, 50, 200, "§ 1 Gegenstand"}}),
            (std::vector<std::string>{"Hessische Staatskanzlei", "Evangelisches Jugendwerk Hessen e. V."}));
  EXPECT_EQ(PartyNames({{1, 200, 50, "Vereinbarung"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "dem Landkreis Kassel"},
                        {1, 150, 115, "vertreten durch den Landrat"},
                        {1, 150, 130, "und dem Bildungswerk der Hessischen Wirtschaft e. V."},
                        {1, 50, 200, "Präambel"}}),
            (std::vector<std::string>{"Landkreis Kassel", "Bildungswerk der Hessischen Wirtschaft e. V."}));
}

// German treaties: a plural head before a list of Länder, a kind of
// agreement before a party's genitive, and the subject after "über".
TEST(PartiesTest, PluralHeadsKindsBeforeTheNameAndTheSubjectAfterIt) {
  EXPECT_EQ(PartyNames({{1, 150, 50, "Staatsvertrag über die Gemeinsame Prüfstelle"},
                        {1, 50, 80, "Die Länder Hessen, Rheinland-Pfalz, der Freistaat Bayern und das Saarland"},
                        {1, 50, 95, "schließen nachstehenden Staatsvertrag:"},
                        {1, 50, 130, "§ 1 Errichtung"},
                        {1, 50, 145, "Nach Inkrafttreten werden die Länder Bremen und Hamburg beteiligt."}}),
            (std::vector<std::string>{"Freistaat Bayern", "Saarland", "Land Hessen", "Land Rheinland-Pfalz"}));
  std::vector<std::string> kind_first = PartyNames(
      {{1, 100, 50, "Vertrag des Freistaates Thüringen mit der Thüringer Tafel e. V."},
       {1, 50, 80, "Der Freistaat Thüringen und die Thüringer Tafel e. V. schließen folgenden Vertrag:"},
       {1, 50, 120, "Artikel 1 Zweck"}});
  std::sort(kind_first.begin(), kind_first.end());
  EXPECT_EQ(kind_first, (std::vector<std::string>{"Freistaat Thüringen", "Thüringer Tafel e. V."}));
  EXPECT_EQ(PartyNames({{1, 50, 50, "Staatsvertrag zwischen dem Land Hessen und dem Freistaat Thüringen über die"},
                        {1, 50, 65, "Zusammenarbeit bei der Landesplanung im Raum Eisenach-Werra"},
                        {1, 50, 100, "Artikel 1 Zweck"}}),
            (std::vector<std::string>{"Land Hessen", "Freistaat Thüringen"}));
}

// German short names opened by a definition cue in parentheses, with or
// without their article, each the term of the name before it.
TEST(PartiesTest, GermanShortNamesAfterADefinitionCue) {
  std::vector<std::string> shorts;
  EXPECT_EQ(PartyNames({{1, 150, 50, "Abkommen über die Finanzierung der Musikschule"},
                        {1, 50, 80, "Die Bundesrepublik Deutschland (im folgenden Bund genannt), vertreten durch den"},
                        {1, 50, 95, "Bundesminister der Finanzen,"},
                        {1, 50, 110, "der Freistaat Sachsen"},
                        {1, 50, 125, "(im folgenden: der Freistaat)"},
                        {1, 50, 140, "und die Sächsische Musikschulstiftung, derzeit mit Sitz in Leipzig und"},
                        {1, 50, 155, "Geschäftsstellen in Dresden und Chemnitz"},
                        {1, 50, 170, "(im folgenden: die Stiftung)"},
                        {1, 50, 185, "schließen folgendes Abkommen:"},
                        {1, 50, 220, "Artikel 1 Zweck"}},
                       &shorts),
            (std::vector<std::string>{"Bundesrepublik Deutschland", "Freistaat Sachsen",
                                      "Sächsische Musikschulstiftung"}));
  EXPECT_EQ(shorts, (std::vector<std::string>{"Bund", "Freistaat", "Stiftung"}));
}

TEST(PartiesTest, EnglishWithShortNames) {
  std::vector<std::string> shorts;
  EXPECT_EQ(PartyNames({{1, 200, 50, "MEMORANDUM OF UNDERSTANDING"},
                        {1, 280, 80, "between"},
                        {1, 150, 100, "the Northern Skills Council (NSC)"},
                        {1, 150, 115, "(hereinafter referred to as “the Council”)"},
                        {1, 280, 130, "and"},
                        {1, 150, 145, "Riverside College"},
                        {1, 150, 160, "hereinafter \"RC\""},
                        {1, 150, 175, "on joint training activities"},
                        {1, 50, 200, "Article 1 – Purpose"}},
                       &shorts),
            (std::vector<std::string>{"Northern Skills Council", "Riverside College"}));
  EXPECT_EQ(shorts, (std::vector<std::string>{"NSC", "RC"}));
}

TEST(TitleTest, TypeYearSubject) {
  Agreement a;
  ExtractFields(Doc({{1, 200, 50, "FÖRDERVEREINBARUNG"},
                     {1, 280, 70, "2026"},
                     {1, 50, 110, "zwischen der Stadt Kassel und dem Verein Hilfe e. V. wird folgende Vereinbarung geschlossen:"},
                     {1, 50, 200, "§ 1 Zweck"}}),
                &a);
  EXPECT_EQ(a.type, "Fördervereinbarung");
  EXPECT_EQ(a.year, 2026);  // a year of its own in the title block
}

TEST(TitleTest, ReferenceNumbersAndDatesAreNotTheKindOrTheYear) {
  Agreement a;
  ExtractFields(Doc({{1, 200, 50, "GRANT AGREEMENT No. HSF-2026-017"},
                     {1, 280, 80, "between"},
                     {1, 150, 100, "the Foundation"},
                     {1, 280, 120, "and"},
                     {1, 150, 140, "the University"}}),
                &a);
  EXPECT_EQ(a.type, "Grant Agreement");
  EXPECT_FALSE(a.year.has_value());  // part of a reference, not a year

  // The agreement's own date in the preamble gives the year; a date in a
  // clause further down does not.
  Agreement b;
  ExtractFields(Doc({{1, 200, 50, "SERVICE AGREEMENT"},
                     {1, 50, 80, "This Service Agreement is entered into as of 1st March 2025 by and between Northwind GmbH"},
                     {1, 50, 95, "and Blue Harbour Ltd. Client and Contractor are each referred to as a Party."},
                     {1, 50, 140, "1. Services"},
                     {1, 50, 160, "On or before 25 March 2026 the Client shall pay a deposit."}}),
                &b);
  EXPECT_EQ(b.type, "Service Agreement");
  EXPECT_EQ(b.year, 2025);
  EXPECT_FALSE(b.subject.has_value());  // a clause far down is no subject
}

// The year of a preamble date left blank to be filled in at signing.
TEST(TitleTest, YearOfADateLeftBlank) {
  const std::vector<std::pair<std::string, std::optional<int>>> cases = {
      {"This Supply Agreement is made as of [ ], 2019 by and between Arcfile Inc. and Lumen Labs LLC.", 2019},
      {"This Supply Agreement is entered into this ____ day of ________, 2009 by and between Arcfile Inc. and "
       "Lumen Labs LLC.", 2009},
      {"This Supply Agreement is made this day of , 2012 by and between Arcfile Inc. and Lumen Labs LLC.", 2012},
      {"This Supply Agreement, effective as of June , 2010, is made by and between Arcfile Inc. and Lumen Labs LLC.",
       2010},
      // A street number after a comma is no year.
      {"This Supply Agreement is made by and between Arcfile Inc., 2000 Duke Street, and Lumen Labs LLC.",
       std::nullopt},
  };
  for (const auto& [preamble, year] : cases) {
    Agreement a;
    ExtractFields(Doc({{1, 200, 50, "SUPPLY AGREEMENT"}, {1, 50, 80, preamble}, {1, 50, 120, "1. Supply"}}), &a);
    EXPECT_EQ(a.year, year) << preamble;
  }
}

// The kind of agreement where the title block is not alone: notes printed
// above it, a name over several lines, no title block at all.
TEST(TitleTest, KindBesideNotesAndOverSeveralLines) {
  const std::vector<std::pair<std::vector<L>, std::string>> cases = {
      // The end of a note in capitals right above the title is not part of the kind.
      {{{1, 72, 60, "PORTIONS MARKED [***] WERE LEFT OUT BECAUSE THEY ARE NOT MATERIAL AND"},
        {1, 72, 72, "WOULD CAUSE HARM TO THE"},
        {1, 72, 84, "OWNER IF DISCLOSED"},
        {1, 200, 96, "ROOFING SERVICES AGREEMENT"},
        {1, 72, 130, "This Roofing Services Agreement is made between Greystone Builders Inc. and Tilecraft LLC."},
        {1, 72, 160, "1. Services"}},
       "Roofing Services Agreement"},
      // A sentence ending before the kind's line, with no title block: the line that names the kind.
      {{{1, 72, 60, "Confidential portions of this exhibit were omitted and filed with the Commission."},
        {1, 200, 80, "MASTER EQUIPMENT LEASE"},
        {1, 72, 110, "This Lease is made on 3 May 2021 between Harbor Cranes Inc. (\"Lessor\") and Delta Ports LLC."},
        {1, 72, 140, "1. Equipment"}},
       "Master Equipment Lease"},
      // A note in brackets, a lead-in and a number with its dot.
      {{{1, 200, 60, "[Form] Online Storage Agreement"},
        {1, 72, 90, "This Online Storage Agreement is made between Arcfile Inc. and Lumen Labs LLC."}},
       "Online Storage Agreement"},
      {{{1, 200, 60, "FORM OF CONSULTING AGREEMENT"},
        {1, 72, 90, "This Consulting Agreement is made between Arcfile Inc. and Jane Porter."}},
       "Consulting Agreement"},
      {{{1, 150, 60, "AMENDMENT NO. 4 TO THE SUPPLY AGREEMENT"},
        {1, 72, 90, "This Amendment is made between Arcfile Inc. and Lumen Labs LLC."}},
       "Amendment No. 4 to the Supply Agreement"},
      // A name that runs on ("... AND") and a first line set apart above it.
      {{{1, 72, 40, "Exhibit 10.7"},
        {1, 200, 90, "SECOND AMENDED AND RESTATED"},
        {1, 200, 102, "EXCLUSIVE SUPPLY AND"},
        {1, 200, 114, "LOGISTICS AGREEMENT"},
        {1, 200, 130, "by and between"},
        {1, 200, 142, "NORTHWIND TRADING INC."}},
       "Second Amended and Restated Exclusive Supply and Logistics Agreement"},
      // "EXECUTION / VERSION" over the title is a stamp in two lines, not the name's start.
      {{{1, 72, 40, "EXECUTION"},
        {1, 72, 50, "VERSION"},
        {1, 200, 80, "JOINT MARKETING AGREEMENT"},
        {1, 72, 110, "This Joint Marketing Agreement is made between Arcfile Inc. and Lumen Labs LLC."}},
       "Joint Marketing Agreement"},
      // No title block: the preamble's capitalised name, with every designation in it.
      {{{1, 72, 60, "THIS SOFTWARE LICENSE AND HOSTING AGREEMENT dated as of May 1, 2024 is made"},
        {1, 72, 72, "BETWEEN: Arcfile Inc., a Delaware corporation, and Lumen Labs LLC."}},
       "Software License and Hosting Agreement"},
  };
  for (const auto& [lines, type] : cases) {
    Agreement a;
    ExtractFields(Doc(lines), &a);
    EXPECT_EQ(a.type.value_or(""), type) << lines.front().text;
  }
}

TEST(ProjectsTest, NumberedCategoriesWithWrappedHeadingsAcrossPages) {
  Agreement a;
  ExtractProjects(Read({{2, 70, 600, "Der Landkreis finanziert folgende Projekte:"},
                       {2, 70, 620, "1. Berufsorientierung und Übergang Schule-"},
                       {2, 85, 635, "Beruf"},
                       {2, 85, 650, "– „Zukunft Handwerk“"},
                       {2, 85, 665, "– Praxistage im Betrieb und in über-"},
                       {2, 95, 680, "betrieblichen Werkstätten"},
                       {2, 500, 780, "Seite 2"},
                       {3, 70, 60, "2. Qualifizierung"},
                       {3, 85, 75, "• IT-Fit 2026"},
                       {3, 70, 100, "Die Förderung erfolgt nach Maßgabe des Bescheides."},
                       {3, 70, 120, "Pflichten des Trägers:"},
                       {3, 85, 135, "– Berichte vorlegen"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 3u);
  EXPECT_EQ(a.projects[0].category, "Berufsorientierung und Übergang Schule-Beruf");
  EXPECT_EQ(a.projects[0].name, "Zukunft Handwerk");
  EXPECT_EQ(a.projects[1].name, "Praxistage im Betrieb und in überbetrieblichen Werkstätten");
  EXPECT_EQ(a.projects[2].category_number, 2);
  EXPECT_EQ(a.projects[2].name, "IT-Fit 2026");
}

TEST(ProjectsTest, NamedAndHierarchicalCategoriesAndTablesThatAreNotLists) {
  Agreement a;
  ExtractProjects(Read({{1, 50, 100, "§ 2 Geförderte Vorhaben"},
                       {1, 70, 120, "Maßnahmenbereich 1: Digitale Lehr- und Lernformate"},
                       {1, 70, 135, "– Hybrid-Hörsaal-Programm"},
                       {1, 70, 150, "Work Package 2 – Coastal Monitoring"},
                       {1, 90, 165, "(a) Sensor Buoy Network"},
                       {1, 50, 190, "§ 3 Vorhaben"},
                       {1, 70, 205, "1 Berufsorientierung"},
                       {1, 70, 220, "1.1 Talentscouting an Schulen"},
                       {1, 70, 235, "1.2 MINT-Sommerakademie"},
                       {1, 70, 250, "2 Willkommenskultur"},
                       {1, 70, 265, "2.1 Welcome Center"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 5u);
  EXPECT_EQ(a.projects[0].category_number, 1);
  EXPECT_EQ(a.projects[0].category, "Digitale Lehr- und Lernformate");
  EXPECT_EQ(a.projects[0].name, "Hybrid-Hörsaal-Programm");
  EXPECT_EQ(a.projects[1].category_number, 2);
  EXPECT_EQ(a.projects[1].category, "Coastal Monitoring");
  EXPECT_EQ(a.projects[1].name, "Sensor Buoy Network");
  EXPECT_EQ(a.projects[2].category_number, 1);
  EXPECT_EQ(a.projects[2].category, "Berufsorientierung");
  EXPECT_EQ(a.projects[2].name, "Talentscouting an Schulen");
  EXPECT_EQ(a.projects[3].name, "MINT-Sommerakademie");
  EXPECT_EQ(a.projects[4].category_number, 2);
  EXPECT_EQ(a.projects[4].name, "Welcome Center");

  // A funding table under a lead-in that speaks of the projects is no list.
  Agreement b;
  ExtractProjects(Read({{1, 50, 100, "Für die Vorhaben stehen Mittel bereit, die wie folgt aufgebracht werden:"},
                       {1, 150, 120, "Partner"},
                       {1, 400, 120, "Beitrag"},
                       {1, 150, 135, "Stadt Marburg            EUR 300.000"},
                       {1, 150, 150, "Summe                    EUR 600.000"}}),
                  &b);
  EXPECT_TRUE(b.projects.empty());
}

TEST(ProjectsTest, UnnumberedListTakesSectionHeading) {
  Agreement a;
  ExtractProjects(Read({{1, 50, 400, "§ 3 Geförderte Maßnahmen"},
                       {1, 50, 420, "Gefördert werden:"},
                       {1, 60, 440, "▪ Sprachcafé Beruf"},
                       {1, 60, 455, "▪ Elterncoaching"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 2u);
  EXPECT_FALSE(a.projects[0].category_number.has_value());
  EXPECT_EQ(a.projects[0].category, "Geförderte Maßnahmen");
}

TEST(SignatoriesTest, SideBySideBlocksWithDuplicateNameAndTitleFirst) {
  Agreement a;
  a.parties.push_back({"Landkreis Kassel", std::nullopt, {}});
  ExtractSignatories(Read({{3, 70, 500, "Kassel, den 3.3.2026"},
                          {3, 320, 500, "Hofgeismar, 5. März 2026"},
                          {3, 70, 560, "Dr. Jana Weber-Kühn"},
                          {3, 70, 575, "Dr. Jana Weber-Kühn"},
                          {3, 320, 580, "Der Bürgermeister"},
                          {3, 70, 590, "Landrätin"},
                          {3, 320, 595, "Karl-Heinz von der Lahn"},
                          {3, 70, 605, "des Landkreises Kassel"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Dr. Jana Weber-Kühn");
  EXPECT_EQ(a.signatories[0].title, "Landrätin");
  EXPECT_EQ(a.signatories[0].organization, "Landkreis Kassel");
  EXPECT_EQ(a.signatories[0].place, "Kassel");
  EXPECT_EQ(a.signatories[0].date, "2026-03-03");
  EXPECT_EQ(a.signatories[1].name, "Karl-Heinz von der Lahn");
  EXPECT_EQ(a.signatories[1].title, "Bürgermeister");  // the office as printed, without its article
  EXPECT_EQ(a.signatories[1].place, "Hofgeismar");
  EXPECT_EQ(a.signatories[1].date, "2026-03-05");
}


TEST(SignatoriesTest, BlankDatesCaptionsMarksAndTitlesOnTheNameLine) {
  Agreement a;
  ExtractSignatories(Read({{3, 70, 500, "Wiesbaden, den ____________"},
                          {3, 320, 500, "Kassel, den 12.03.2026"},
                          {3, 70, 540, "________________________"},
                          {3, 320, 540, "________________________"},
                          {3, 70, 552, "Ort, Datum"},
                          {3, 320, 552, "(Unterschrift, Stempel)"},
                          {3, 70, 566, "Im Auftrag"},
                          {3, 320, 566, "Jan Müller, Geschäftsführer"},
                          {3, 70, 580, "Dr. Jutta Berg"},
                          {3, 320, 580, "Müller Logistik GmbH"},
                          {3, 70, 594, "Ministerialdirigentin"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Dr. Jutta Berg");
  EXPECT_EQ(a.signatories[0].title, "Ministerialdirigentin");
  EXPECT_EQ(a.signatories[0].place, "Wiesbaden");
  EXPECT_FALSE(a.signatories[0].date.has_value());  // left blank: never guessed
  EXPECT_EQ(a.signatories[1].name, "Jan Müller");
  EXPECT_EQ(a.signatories[1].title, "Geschäftsführer");
  EXPECT_EQ(a.signatories[1].organization, "Müller Logistik GmbH");
  EXPECT_EQ(a.signatories[1].date, "2026-03-12");
}

TEST(SignatoriesTest, SignedForBlocksWithLabelledPlaceAndDateBelowTheName) {
  Agreement a;
  ExtractSignatories(Read({{2, 70, 100, "Signed for Leeds City Council"},
                          {2, 320, 100, "Signed for Technische Universität Dresden"},
                          {2, 70, 150, "______________________________"},
                          {2, 320, 150, "______________________________"},
                          {2, 70, 165, "Tom Riordan"},
                          {2, 320, 165, "Prof. Ursula M. Staudinger"},
                          {2, 70, 180, "Chief Executive"},
                          {2, 320, 180, "Rector"},
                          {2, 70, 195, "Place: Leeds"},
                          {2, 320, 195, "Place: Dresden"},
                          {2, 70, 210, "Date: 10/04/2026"},
                          {2, 320, 210, "Date: April 14, 2026"},
                          {2, 70, 300, "For and on behalf of Blue Harbour Consulting Ltd."},
                          {2, 70, 340, "Signature: ______________"},
                          {2, 70, 355, "Name: Oliver Pennington"},
                          {2, 70, 370, "Title: Director"},
                          {2, 70, 385, "Place/Date: Leeds, 5th March 2026"}}),
                     &a);
  // Blocks in reading order: the row of two, then the labelled block below.
  ASSERT_EQ(a.signatories.size(), 3u);
  EXPECT_EQ(a.signatories[0].name, "Tom Riordan");
  EXPECT_EQ(a.signatories[0].title, "Chief Executive");
  EXPECT_EQ(a.signatories[0].organization, "Leeds City Council");
  EXPECT_EQ(a.signatories[0].place, "Leeds");
  EXPECT_EQ(a.signatories[0].date, "2026-04-10");
  EXPECT_EQ(a.signatories[1].name, "Prof. Ursula M. Staudinger");
  EXPECT_EQ(a.signatories[1].title, "Rector");
  EXPECT_EQ(a.signatories[1].organization, "Technische Universität Dresden");
  EXPECT_EQ(a.signatories[1].date, "2026-04-14");
  EXPECT_EQ(a.signatories[2].name, "Oliver Pennington");
  EXPECT_EQ(a.signatories[2].title, "Director");
  EXPECT_EQ(a.signatories[2].organization, "Blue Harbour Consulting Ltd.");
  EXPECT_EQ(a.signatories[2].place, "Leeds");
  EXPECT_EQ(a.signatories[2].date, "2026-03-05");
}

TEST(SignatoriesTest, EnglishNamesWithTitlesWithoutDotsAndApostrophes) {
  Agreement a;
  ExtractSignatories(Read({{2, 70, 500, "Brussels, November 17, 2024"},
                          {2, 320, 500, "Gießen, November 25, 2024"},
                          {2, 70, 550, "Dr Priya Raman"},
                          {2, 320, 550, "James O'Connor"},
                          {2, 70, 565, "Chief Executive Officer"},
                          {2, 320, 565, "Head of Programmes"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Dr Priya Raman");
  EXPECT_EQ(a.signatories[0].date, "2024-11-17");
  EXPECT_EQ(a.signatories[1].name, "James O'Connor");
  EXPECT_EQ(a.signatories[1].title, "Head of Programmes");
}

TEST(PartiesTest, DefinedLabelsAreShortNamesButRolePhrasesAreNot) {
  std::vector<std::string> shorts;
  EXPECT_EQ(PartyNames({{1, 200, 50, "Zuwendungsvertrag 2025"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "dem Förderverein Ausbildung Nordhessen e. V."},
                        {1, 150, 115, "– nachstehend „Auftraggeber“ genannt –"},
                        {1, 280, 130, "und"},
                        {1, 150, 145, "dem Jobcenter Lahn-Dill"},
                        {1, 150, 160, "– nachstehend „der Zuwendungsempfänger“ genannt –"},
                        {1, 50, 200, "§ 1 Gegenstand"}},
                       &shorts),
            (std::vector<std::string>{"Förderverein Ausbildung Nordhessen e. V.", "Jobcenter Lahn-Dill"}));
  EXPECT_EQ(shorts, (std::vector<std::string>{"Auftraggeber", ""}));
}


TEST(SignatoriesTest, LabelledBlocksUnderOnBehalfOfLines) {
  Agreement a;
  ExtractSignatories(Read({{1, 75, 534, "The Grantee shall submit a final report no later than 30 April 2027."},
                          {1, 76, 566, "For the European Foundation for Vocational"},
                          {1, 77, 580, "Learning:"},
                          {1, 302, 563, "Für die Stadt Kassel:"},
                          {1, 77, 623, "Name: Dr Priya Raman"},
                          {1, 77, 637, "Title: Chief Executive Officer"},
                          {1, 78, 650, "Place: Brussels"},
                          {1, 78, 662, "Date: November 17, 2024"},
                          {1, 303, 619, "Name: Jörg Müller-Lüdenscheidt"},
                          {1, 303, 634, "Funktion: Oberbürgermeister"},
                          {1, 303, 647, "Ort: Kassel"},
                          {1, 303, 659, "Datum: 25.11.2024"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Dr Priya Raman");
  EXPECT_EQ(a.signatories[0].title, "Chief Executive Officer");
  EXPECT_EQ(a.signatories[0].place, "Brussels");
  EXPECT_EQ(a.signatories[0].date, "2024-11-17");
  EXPECT_EQ(a.signatories[0].organization, "European Foundation for Vocational Learning");
  EXPECT_EQ(a.signatories[1].name, "Jörg Müller-Lüdenscheidt");
  EXPECT_EQ(a.signatories[1].title, "Oberbürgermeister");
  EXPECT_EQ(a.signatories[1].organization, "Stadt Kassel");
  EXPECT_EQ(a.signatories[1].date, "2024-11-25");
}

TEST(ProjectsTest, OcrBulletsAndEnumeratedItems) {
  Agreement a;
  ExtractProjects(Read({{1, 70, 320, "& 3 Gegenstand der Förderung"},
                       {1, 70, 336, "Gefördert werden folgende Maßnahmen:"},
                       {1, 78, 350, "a Elterncoaching Ausbildung"},
                       {1, 77, 362, "w Sprachcafe Beruf"},
                       {1, 69, 381, "$ 4 Höhe der Zuwendung"},
                       {1, 74, 414, "The following work packages and projects are funded:"},
                       {1, 75, 432, "1. Evaluation and dissemination"},
                       {1, 93, 446, "(a) Women in Tech Lab"},
                       {1, 93, 459, "(b) Mentoring for Apprentices"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 4u);
  EXPECT_EQ(a.projects[0].name, "Elterncoaching Ausbildung");
  EXPECT_EQ(a.projects[0].category, "Gegenstand der Förderung");
  EXPECT_EQ(a.projects[1].name, "Sprachcafe Beruf");
  EXPECT_EQ(a.projects[2].name, "Women in Tech Lab");
  EXPECT_EQ(a.projects[2].category_number, 1);
  EXPECT_EQ(a.projects[3].name, "Mentoring for Apprentices");
}


TEST(ProjectsTest, ListWithoutBulletsAndItemsWhoseBulletWasLost) {
  Agreement a;
  ExtractProjects(Read({{1, 55, 354, "§ 3 Geförderte Maßnahmen"},
                       {1, 55, 374, "Die Partner setzen gemeinsam folgende Maßnahmen um:"},
                       {1, 77, 393, "Praxistage im Handwerk"},
                       {1, 77, 409, "Elterncoaching Ausbildung"},
                       {1, 55, 430, "Die Umsetzung beginnt im Herbst."},
                       {2, 70, 700, "1. Ausbildungsvorbereitung"},
                       {2, 78, 730, "- K.O.M.P.A.S.S."},
                       {2, 91, 746, "„Fit für die Ausbildung“"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 4u);
  EXPECT_EQ(a.projects[0].name, "Praxistage im Handwerk");
  EXPECT_EQ(a.projects[0].category, "Geförderte Maßnahmen");
  EXPECT_EQ(a.projects[1].name, "Elterncoaching Ausbildung");
  EXPECT_EQ(a.projects[2].name, "K.O.M.P.A.S.S.");
  EXPECT_EQ(a.projects[3].name, "Fit für die Ausbildung");
  EXPECT_EQ(a.projects[3].category_number, 1);
}

TEST(DatesTest, AnnotatedRangesAndLabelledSignatureDates) {
  EXPECT_EQ(DatesAndKinds({{1, 79, 408, "The term runs from January 1, 2024 (effective date) to December 31, 2025 (expiry"}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DatesAndKinds({{2, 84, 134, "Name: Mark Ellison"}, {2, 84, 163, "Place: Stockholm"}, {2, 84, 177, "Date: 4 November 2023"}}),
            (std::vector<K>{{"2023-11-04", DateKind::kSignature}}));
}

TEST(AmountsTest, OcrSectionSignIsNotADollarAmount) {
  EXPECT_TRUE(Amounts("$ 4 Haushaltsmittel und Eckdaten").empty());
  EXPECT_TRUE(Amounts("die in $ 3 genannten Maßnahmen").empty());
  EXPECT_EQ(Amounts("a fee of $ 2,500"), (std::vector<P>{{"2500.00", "USD"}}));
}

TEST(PartiesTest, ForeignAddressesAreNotPartOfTheName) {
  const auto names = PartyNames({{1, 200, 50, "MEMORANDUM OF UNDERSTANDING"},
                                 {1, 280, 80, "between"},
                                 {1, 150, 100, "the Nordic Youth Employment Trust, Storgatan 9, 111 23 Stockholm, Sweden"},
                                 {1, 280, 130, "and"},
                                 {1, 150, 145, "Aarhus Skills Partnership ApS, 12 Havnegade, 8000 Aarhus C, Denmark"}});
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "Nordic Youth Employment Trust");
  for (const auto& n : names) EXPECT_EQ(n.find_first_of("0123456789"), std::string::npos) << n;
}


TEST(AmountsTest, AmountRightAfterAYear) {
  EXPECT_EQ(Amounts("Davon entfallen auf das Haushaltsjahr 2024 103.000 Euro und auf 2025 166.000 Euro."),
            (std::vector<P>{{"103000.00", "EUR"}, {"166000.00", "EUR"}}));
}

TEST(ProjectsTest, NotesAreNotProjectsAndDottedAcronymsAreLetters) {
  Agreement a;
  ExtractProjects(Read({{2, 70, 700, "Folgende Projekte werden gefördert:"},
                       {2, 70, 715, "1. Ausbildungsvorbereitung"},
                       {2, 78, 730, "- K.0.M.P.A.S.S."},
                       {2, 78, 738, "- QU.A.L.I.-Netz"},
                       {2, 70, 745, "2. Qualifizierung"},
                       {2, 85, 760, "(Im Jahr 2025 keine Projekte in dieser Maßnahmenart)"}}),
                  &a);
  ASSERT_EQ(a.projects.size(), 2u);
  EXPECT_EQ(a.projects[0].name, "K.O.M.P.A.S.S.");
  EXPECT_EQ(a.projects[1].name, "Q.U.A.L.I.-Netz");
}


TEST(PartiesTest, AddressOnTheNameLineFormOfAddressAndDescriptionLinesAreCut) {
  // The address after the name is cut (an individual as a party is a known
  // limit of the labeller: see extract/models/parties.md).
  const auto lease = PartyNames({{1, 200, 50, "Mietvertrag"},
                                 {1, 280, 80, "zwischen"},
                                 {1, 150, 100, "der Berger Immobilien GmbH, Goethestraße 12, 60313 Frankfurt am Main"},
                                 {1, 280, 130, "und"},
                                 {1, 150, 145, "der Müller Logistik GmbH, Industriestraße 5, 34123 Kassel"}});
  EXPECT_EQ(lease, (std::vector<std::string>{"Berger Immobilien GmbH", "Müller Logistik GmbH"}));
  EXPECT_EQ(PartyNames({{1, 200, 50, "Rahmenvereinbarung"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "dem Landkreis Kassel"},
                        {1, 150, 115, "Der Kreisausschuss"},
                        {1, 280, 130, "und"},
                        {1, 150, 145, "dem Ingenieurbüro Hartmann & Özdemir PartG mbB wird folgende Vereinbarung geschlossen:"}}),
            (std::vector<std::string>{"Landkreis Kassel", "Ingenieurbüro Hartmann & Özdemir PartG mbB"}));
  // A comma inside a name without an address after it stays.
  EXPECT_EQ(PartyNames({{1, 200, 50, "Zielvereinbarung"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "dem Ministerium für Arbeit, Integration und Soziales"},
                        {1, 280, 130, "und"},
                        {1, 150, 145, "der Stadt Kassel"}}),
            (std::vector<std::string>{"Ministerium für Arbeit, Integration und Soziales", "Stadt Kassel"}));
}

TEST(PartiesTest, LegalFormsDefinedTermsAndDetailsOfUSPreambles) {
  std::vector<std::string> shorts;
  EXPECT_EQ(PartyNames({{1, 230, 50, "DISTRIBUTION AGREEMENT"},
                        {1, 50, 80, "This Distribution Agreement (the \"Agreement\") is entered into as of March 3, 2004 by and"},
                        {1, 50, 95, "between ACME WIDGETS, INC., a Delaware corporation with offices at 12 Main Street, Dover"},
                        {1, 50, 110, "(\"Supplier\"), and Northwind Trading Co., Ltd., a company organized under the laws of"},
                        {1, 50, 125, "Hong Kong (\"Distributor\")."},
                        {1, 50, 150, "1. Definitions"}},
                       &shorts),
            (std::vector<std::string>{"ACME WIDGETS, INC.", "Northwind Trading Co., Ltd."}));
  EXPECT_EQ(shorts, (std::vector<std::string>{"Supplier", "Distributor"}));
}

TEST(PartiesTest, InlinePartiesComeFromThePreambleNotFromLaterClauses) {
  EXPECT_EQ(PartyNames({{1, 200, 50, "SERVICE AGREEMENT"},
                        {1, 50, 80, "This Agreement is entered into by and between Northwind GmbH (“Client”), and"},
                        {1, 50, 95, "Blue Harbour Ltd (“Contractor”)."},
                        {1, 50, 120, "1. Services"},
                        {1, 50, 135, "Contractor delivers the plan and the final report by 31 January 2027."}}),
            (std::vector<std::string>{"Northwind GmbH", "Blue Harbour Ltd"}));
}

TEST(PartiesTest, InlineBetweenSentence) {
  const auto english = PartyNames({{1, 200, 50, "SERVICE AGREEMENT"},
                                   {1, 50, 80, "This Agreement is entered into by and between Leeds Training Limited, represented"},
                                   {1, 50, 95, "by its Chief Executive, and the Northern Training Company Ltd (hereinafter \"NTC\")."},
                                   {1, 50, 130, "Article 1 – Subject"}});
  EXPECT_EQ(english, (std::vector<std::string>{"Leeds Training Limited", "Northern Training Company Ltd"}));
  const auto german = PartyNames({{1, 200, 50, "Vereinbarung"},
                                  {1, 50, 80, "Diese Vereinbarung wird zwischen dem Ministerium für Soziales und Integration, vertreten"},
                                  {1, 50, 95, "durch die Ministerin, und der Stadt Kassel geschlossen."},
                                  {1, 50, 130, "§ 1 Gegenstand"}});
  ASSERT_FALSE(german.empty());
  EXPECT_EQ(german.front(), "Ministerium für Soziales und Integration");
}

// A preamble that leaves its parties to the signature page ("the
// undersigned agree") has as parties the organisations heading the signature
// blocks, in order, without the general partners they sign through; one that
// names its parties does not take the signing organisations as well.
TEST(PartiesTest, PartiesLeftToTheSignaturePageAreTheOrganisationsThatSign) {
  const std::vector<L> blocks = {{2, 50, 100, "IN WITNESS WHEREOF, the undersigned have signed this Agreement on May 2, 2021."},
                                 {2, 300, 130, "NORTHWIND CAPITAL PARTNERS, L.P."},
                                 {2, 300, 145, "By: Northwind Capital GP, LLC, its general partner"},
                                 {2, 300, 175, "By: /s/ Alex Demo"},
                                 {2, 300, 190, "Name: Alex Demo"},
                                 {2, 300, 205, "Title: Managing Member"},
                                 {2, 300, 240, "SAMPLE HARBOUR HOLDINGS LTD"},
                                 {2, 300, 255, "By: /s/ Sam Placeholder"},
                                 {2, 300, 270, "Name: Sam Placeholder"},
                                 {2, 300, 285, "Title: Director"},
                                 {2, 300, 320, "EXAMPLE TRUST COMPANY"},
                                 {2, 300, 335, "By: /s/ Kim Sample"},
                                 {2, 300, 350, "Name: Kim Sample"},
                                 {2, 300, 365, "Title: Trustee"}};
  std::vector<L> undersigned = {{1, 230, 50, "JOINT REPORTING AGREEMENT"},
                                {1, 50, 80, "Each of the undersigned agrees that the report on the shares of the issuer is filed on"},
                                {1, 50, 95, "behalf of each of them, and that this agreement is attached to that report as an exhibit."},
                                {1, 50, 110, "Each of them answers for the accuracy of what it states about itself only."}};
  undersigned.insert(undersigned.end(), blocks.begin(), blocks.end());
  EXPECT_EQ(PartyNames(undersigned), (std::vector<std::string>{"NORTHWIND CAPITAL PARTNERS, L.P.",
                                                               "SAMPLE HARBOUR HOLDINGS LTD", "EXAMPLE TRUST COMPANY"}));
  std::vector<L> named = {{1, 230, 50, "SERVICES AGREEMENT"},
                          {1, 50, 80, "This Services Agreement is made on May 2, 2021 by and between Northwind Capital"},
                          {1, 50, 95, "Partners, L.P., a Delaware limited partnership (\"Client\"), and Sample Harbour Holdings"},
                          {1, 50, 110, "Ltd, a Bermuda company (\"Provider\")."},
                          {1, 50, 140, "1. Services"},
                          {1, 50, 155, "Provider renders the services of Exhibit A to Client."}};
  named.insert(named.end(), blocks.begin(), blocks.end());
  EXPECT_EQ(PartyNames(named),
            (std::vector<std::string>{"Northwind Capital Partners, L.P.", "Sample Harbour Holdings Ltd"}));
  // "For and on behalf of" on a line of its own, the organisation under it,
  // blocks cut anywhere between them.
  std::vector<L> behalf = {{1, 50, 80, "12. COUNTERPARTS. This Agreement may be signed in counterparts."},
                           {1, 50, 110, "IN WITNESS WHEREOF the parties have signed this Agreement."}};
  const char* orgs[] = {"Example Telecom Limited", "Sample Cable Corporation", "Northwind Networks"};
  for (int i = 0; i < 3; ++i) {
    const double y = 140 + 60 * i;
    behalf.insert(behalf.end(), {{1, 50, y, "For and on behalf of"}, {1, 50, y + 12, orgs[i]}, {1, 50, y + 40, "By:"}});
  }
  EXPECT_EQ(PartyNames(behalf), (std::vector<std::string>{"Example Telecom Limited", "Sample Cable Corporation",
                                                          "Northwind Networks"}));
  // A role label above the organisation ("SPONSOR:"); "By: X" signs for the block's organisation.
  const std::vector<L> sponsors = {
      {1, 230, 50, "SUPPORT AGREEMENT"},
      {1, 50, 80, "This Support Agreement is made as of May 2, 2021 by and among Example Bidco LLC (\"Buyer\"), and each"},
      {1, 50, 95, "other party identified on the signature page(s) hereto (each, a \"Supporter\")."},
      {1, 50, 125, "1. Support"},
      {1, 50, 140, "Each Supporter supports the offer of Buyer."},
      {2, 50, 100, "IN WITNESS WHEREOF, this Agreement is executed as of the date above."},
      {2, 300, 130, "SUPPORTER:"},
      {2, 300, 145, "Example Value Fund L.P."},
      {2, 300, 160, "By: Example Management LLC"},
      {2, 300, 175, "Its: General Partner"},
      {2, 300, 215, "Sample Opportunity Fund I LP"},
      {2, 300, 230, "By: /s/ Sam Placeholder"},
      {2, 300, 245, "Name: Sam Placeholder"}};
  EXPECT_EQ(PartyNames(sponsors), (std::vector<std::string>{"Example Bidco LLC", "Example Value Fund L.P.",
                                                            "Sample Opportunity Fund I LP"}));
  // Stacked blocks where the next organisation is left under the signer's
  // title, one named like an office but a company by its legal form, and a
  // date caption above the first.
  std::vector<L> stacked = {undersigned.begin(), undersigned.begin() + 4};
  stacked.insert(stacked.end(), {{2, 300, 100, "June 1, 2021"},
                                 {2, 300, 112, "(Date)"},
                                 {2, 300, 130, "EXAMPLE HOLDINGS MANAGER L.L.C."},
                                 {2, 300, 145, "By: /s/ Alex Demo"},
                                 {2, 300, 160, "Name: Alex Demo"},
                                 {2, 300, 175, "Title: Authorized Signatory"},
                                 {2, 300, 187, "SAMPLE PARTNERS II LUX S.A R.L II"},
                                 {2, 300, 215, "/s/ Alex Demo"},
                                 {2, 300, 230, "Name: Alex Demo"},
                                 {2, 300, 245, "Title: Authorized Signatory"}});
  EXPECT_EQ(PartyNames(stacked), (std::vector<std::string>{"EXAMPLE HOLDINGS MANAGER L.L.C.",
                                                           "SAMPLE PARTNERS II LUX S.A R.L II"}));
}

// Names led by a small letter (a brand, a web domain) or by a registration
// number are names; a span that repeats the end of a party's name is that
// party again.
TEST(PartiesTest, BrandsLedBySmallLettersNumberedCompaniesAndNameTails) {
  EXPECT_EQ(PartyNames({{1, 230, 50, "HOSTING AGREEMENT"},
                        {1, 50, 80, "This Hosting Agreement is made on June 1, 2001 by and between eSample Networks, Inc., a"},
                        {1, 50, 95, "Delaware corporation (\"Provider\"), and 1234567 Ontario Limited, an Ontario corporation"},
                        {1, 50, 110, "(\"Customer\")."},
                        {1, 50, 140, "1. Hosting"}}),
            (std::vector<std::string>{"eSample Networks, Inc.", "1234567 Ontario Limited"}));
  EXPECT_EQ(PartyNames({{1, 230, 50, "SPONSORSHIP AGREEMENT"},
                        {1, 50, 80, "This Sponsorship Agreement is made on June 1, 2001 by and between iExample.com, Inc., a"},
                        {1, 50, 95, "Delaware corporation (\"Sponsor\"), and First Example Merchant Services Corporation, a"},
                        {1, 50, 110, "Delaware corporation (\"Example Merchant Services Corporation\")."},
                        {1, 50, 140, "1. Sponsorship"}}),
            (std::vector<std::string>{"iExample.com, Inc.", "First Example Merchant Services Corporation"}));
  // What opens a name: a capital, a capital after a small first letter, a web
  // domain; not a lower-case word, a hyphenated one or a number.
  for (const char* word : {"Example", "eSample", "iExample.com", "example.net", "ÄBC"}) {
    EXPECT_TRUE(fields::OpensName(word)) << word;
  }
  for (const char* word : {"example", "e-mail", "and", "1234567", "", "(Example"}) {
    EXPECT_FALSE(fields::OpensName(word)) << word;
  }
}

// A legal form after a comma stays with the name when an address follows it;
// a trade name ("d/b/a …") and a trailing conjunction are cut; and where no
// preamble names any party, the organisations that sign are the parties.
TEST(PartiesTest, LegalFormsBeforeAddressesTradeNamesAndPartiesOnlyWhereTheySign) {
  EXPECT_EQ(PartyNames({{1, 230, 50, "SUPPLY AGREEMENT"},
                        {1, 50, 80, "This Supply Agreement is made on June 1, 2001 by and between EXAMPLE TEST SYSTEMS, INC. OF"},
                        {1, 50, 95, "12 SAMPLE ROAD, SUITE 3, SPRINGFIELD (\"Supplier\") and Sample Parts, LLC with an address at"},
                        {1, 50, 110, "40 Example Avenue, Riverton (\"Buyer\")."},
                        {1, 50, 140, "1. Supply"}}),
            (std::vector<std::string>{"EXAMPLE TEST SYSTEMS, INC.", "Sample Parts, LLC"}));
  const auto trade = PartyNames({{1, 230, 50, "DISTRIBUTION AGREEMENT"},
                                 {1, 50, 80, "This Distribution Agreement is made on June 1, 2001 by and between EXAMPLE OPERATIONS"},
                                 {1, 50, 95, "INC. d/b/a EXAMPLE INC. (\"Supplier\") and Sample Trading Pte Ltd (\"Distributor\")."},
                                 {1, 50, 140, "1. Appointment"}});
  ASSERT_FALSE(trade.empty());
  EXPECT_EQ(trade.front(), "EXAMPLE OPERATIONS INC.");
  EXPECT_EQ(PartyNames({{1, 50, 80, "12. MISCELLANEOUS. This Agreement may be signed in counterparts, each an original,"},
                        {1, 50, 95, "and all of them one instrument."},
                        {1, 50, 130, "IN WITNESS WHEREOF, the parties have signed this Agreement as of the date above."},
                        {1, 50, 160, "EXAMPLE GOLF COMPANY, INC."},
                        {1, 50, 175, "By: /s/ Alex Demo"},
                        {1, 50, 190, "Name: Alex Demo"},
                        {1, 50, 205, "Title: President"},
                        {1, 300, 160, "SAMPLE SPORTS LIMITED"},
                        {1, 300, 175, "By: /s/ Sam Placeholder"},
                        {1, 300, 190, "Name: Sam Placeholder"},
                        {1, 300, 205, "Title: Director"}}),
            (std::vector<std::string>{"EXAMPLE GOLF COMPANY, INC.", "SAMPLE SPORTS LIMITED"}));
}

// A party printed again, with other punctuation or without its legal form,
// or the end of its name printed first, is one party, named fully.
TEST(PartiesTest, OnePartyPrintedTwiceIsOneParty) {
  const std::vector<L> preamble = {
      {1, 230, 50, "JOINT REPORTING AGREEMENT"},
      {1, 50, 80, "Each of the undersigned agrees that the report on the shares of the issuer is filed on"},
      {1, 50, 95, "behalf of each of them, and that this agreement is attached to that report as an exhibit."}};
  auto signed_by = [&](const std::string& first, const std::string& second) {
    std::vector<L> d = preamble;
    d.insert(d.end(), {{2, 300, 130, first},
                       {2, 300, 145, "By: /s/ Alex Demo"},
                       {2, 300, 160, "Name: Alex Demo"},
                       {2, 300, 240, second},
                       {2, 300, 255, "By: /s/ Sam Placeholder"},
                       {2, 300, 270, "Name: Sam Placeholder"}});
    return PartyNames(d);
  };
  EXPECT_EQ(signed_by("SAMPLE WIDGETS,INC.", "Sample Widgets, Inc."), (std::vector<std::string>{"SAMPLE WIDGETS,INC."}));
  EXPECT_EQ(signed_by("EXAMPLE U.S. HOLDINGS", "EXAMPLE US HOLDINGS, INC."),
            (std::vector<std::string>{"EXAMPLE US HOLDINGS, INC."}));
  EXPECT_EQ(signed_by("EXAMPLE HOLDINGS, INC.", "EXAMPLE HOLDINGS"), (std::vector<std::string>{"EXAMPLE HOLDINGS, INC."}));
  EXPECT_EQ(signed_by("RIVER FUND II, L.P.", "SAMPLE RIVER FUND II, L.P."),
            (std::vector<std::string>{"SAMPLE RIVER FUND II, L.P."}));
  EXPECT_EQ(signed_by("SAMPLE RIVER FUND II, L.P.", "SAMPLE RIVER FUND III, L.P."),
            (std::vector<std::string>{"SAMPLE RIVER FUND II, L.P.", "SAMPLE RIVER FUND III, L.P."}));
}

// A cover page that names the parties above the title, a conjunction alone
// on the line between them, gives them as parties; words above a title that
// are no names do not.
TEST(PartiesTest, CoverPageNamesAboveTheTitle) {
  const std::vector<L> body = {{2, 50, 80, "1. DEFINITIONS"},
                               {2, 50, 95, "In this Agreement the words below have the meanings given to them."}};
  std::vector<L> cover = {{1, 250, 200, "Example Holdings Inc."},
                          {1, 290, 240, "and"},
                          {1, 230, 280, "SAMPLE PHARMA COMPANY LTD."},
                          {1, 220, 380, "Distributorship Agreement"}};
  cover.insert(cover.end(), body.begin(), body.end());
  EXPECT_EQ(PartyNames(cover), (std::vector<std::string>{"Example Holdings Inc.", "SAMPLE PHARMA COMPANY LTD."}));
  std::vector<L> letterhead = {{1, 50, 200, "offices in three cities"},
                               {1, 50, 215, "and"},
                               {1, 50, 230, "a network of partners"},
                               {1, 220, 380, "Distributorship Agreement"}};
  letterhead.insert(letterhead.end(), body.begin(), body.end());
  EXPECT_TRUE(PartyNames(letterhead).empty());
  // A piece of a name cut inside its parentheses is no name.
  std::vector<L> cut = {{1, 250, 200, "Example Holdings Inc."},
                        {1, 290, 240, "and"},
                        {1, 230, 280, "PTY) LIMITED"},
                        {1, 220, 380, "Distributorship Agreement"}};
  cut.insert(cut.end(), body.begin(), body.end());
  EXPECT_EQ(PartyNames(cut), (std::vector<std::string>{"Example Holdings Inc."}));
}

TEST(TitleTest, SubjectOnTheTitleLine) {
  Agreement a;
  ExtractTitle(Read({{1, 100, 50, "KOOPERATIONSVERTRAG ÜBER DIE ZUSAMMENARBEIT IN DER JUGENDBERUFSHILFE"},
                     {1, 280, 110, "zwischen"},
                     {1, 150, 130, "der Stadt Kassel"},
                     {1, 280, 150, "und"},
                     {1, 150, 170, "dem Verein Hilfe e. V."},
                     {1, 50, 200, "§ 1 Zweck"}}),
               &a);
  EXPECT_EQ(a.type, "Kooperationsvertrag");
  EXPECT_EQ(a.subject, "Zusammenarbeit in der Jugendberufshilfe");
}

TEST(SignatoriesTest, SigningMarksBeforeNames) {
  Agreement a;
  ExtractSignatories(Read({{2, 70, 500, "Kassel, den 3.3.2026"},
                          {2, 70, 540, "gez. Maria Schneider"},
                          {2, 70, 555, "Bürgermeisterin"},
                          {2, 320, 500, "Fulda, 5.3.2026"},
                          {2, 320, 540, "i. V. Tobias Klein"},
                          {2, 320, 555, "Geschäftsführer"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Maria Schneider");
  EXPECT_EQ(a.signatories[0].title, "Bürgermeisterin");
  EXPECT_EQ(a.signatories[1].name, "Tobias Klein");
}


TEST(AmountsTest, ThousandsOfEuros) {
  EXPECT_EQ(Amounts("Budget 2026: 250 TEUR"), (std::vector<P>{{"250000.00", "EUR"}}));
  EXPECT_EQ(Amounts("davon 1.250,5 T€ Personalkosten"), (std::vector<P>{{"1250500.00", "EUR"}}));
}

TEST(SignatoriesTest, OnBehalfBlocksWithoutPlaceAndDate) {
  Agreement a;
  ExtractSignatories(Read({{3, 70, 500, "Für die Stadt Kassel:"},
                          {3, 320, 500, "Für den Verein Hilfe e. V.:"},
                          {3, 70, 520, "_______________________"},
                          {3, 320, 520, "_______________________"},
                          {3, 70, 535, "Sabine Roth"},
                          {3, 70, 550, "Oberbürgermeisterin"},
                          {3, 320, 535, "Jens Albrecht"},
                          {3, 320, 550, "Vorsitzender"}}),
                     &a);
  ASSERT_EQ(a.signatories.size(), 2u);
  EXPECT_EQ(a.signatories[0].name, "Sabine Roth");
  EXPECT_EQ(a.signatories[0].title, "Oberbürgermeisterin");
  EXPECT_EQ(a.signatories[0].organization, "Stadt Kassel");
  EXPECT_FALSE(a.signatories[0].date.has_value());
  EXPECT_EQ(a.signatories[1].name, "Jens Albrecht");
  EXPECT_EQ(a.signatories[1].organization, "Verein Hilfe e. V.");
}

// Signatories of a document, as "name | title | organization | place | date".
std::vector<std::string> Signers(const std::vector<L>& lines) {
  Agreement a;
  ExtractSignatories(Read(lines), &a);
  std::vector<std::string> out;
  for (const auto& s : a.signatories) {
    out.push_back(s.name + " | " + s.title.value_or("-") + " | " + s.organization.value_or("-") + " | " +
                  s.place.value_or("-") + " | " + s.date.value_or("-"));
  }
  return out;
}

// "Für …" / name / office, in one, two and three columns: the "Für" line is
// the organisation (nominative, no article), never the name; the office
// line is the title, never a person.
TEST(SignatoriesTest, ForLineNameAndOfficeInOneToThreeColumns) {
  EXPECT_EQ(Signers({{4, 70, 300, "Für den Freistaat Musterland"},
                     {4, 70, 315, "Dr. Hanna Beispiel"},
                     {4, 70, 330, "Ministerpräsidentin"}}),
            (std::vector<std::string>{"Dr. Hanna Beispiel | Ministerpräsidentin | Freistaat Musterland | - | -"}));
  EXPECT_EQ(Signers({{4, 70, 300, "Für das Land Nordmark"},
                     {4, 70, 315, "Prof. Dr. Otto Probst"},
                     {4, 70, 330, "Ministerpräsident"},
                     {4, 320, 300, "Für die Freie Stadt Südhafen"},
                     {4, 320, 315, "Ilse Vorlage"},
                     {4, 320, 330, "Erste Bürgermeisterin"}}),
            (std::vector<std::string>{"Prof. Dr. Otto Probst | Ministerpräsident | Land Nordmark | - | -",
                                      "Ilse Vorlage | Erste Bürgermeisterin | Freie Stadt Südhafen | - | -"}));
  EXPECT_EQ(Signers({{4, 60, 300, "Für den Landkreis Ost"},
                     {4, 60, 315, "Der Landrat"},
                     {4, 60, 345, "____________________"},
                     {4, 60, 360, "Karl Muster"},
                     {4, 240, 300, "Für die Stadt West"},
                     {4, 240, 315, "Die Oberbürgermeisterin"},
                     {4, 240, 345, "____________________"},
                     {4, 240, 360, "Dr. Eva Platzhalter"},
                     {4, 420, 300, "Für den Verband Mitte"},
                     {4, 420, 315, "Der Vorsitzende"},
                     {4, 420, 345, "____________________"},
                     {4, 420, 360, "Jens Vorbild"}}),
            (std::vector<std::string>{"Karl Muster | Landrat | Landkreis Ost | - | -",
                                      "Dr. Eva Platzhalter | Oberbürgermeisterin | Stadt West | - | -",
                                      // "Der Vorsitzende", as printed without its article
                                      "Jens Vorbild | Vorsitzende | Verband Mitte | - | -"}));
}

// A wrapped "Für" line, an office over two lines, a delegation ("Für den
// Ministerpräsidenten" is whom the signer stands for; "vertreten durch den
// Minister …" is the signer's own office) and a form of address above the name.
TEST(SignatoriesTest, WrappedOrganisationsDelegationsAndFormsOfAddress) {
  EXPECT_EQ(Signers({{2, 70, 400, "Für die Bundesrepublik"},
                     {2, 70, 415, "Nordland"},
                     {2, 70, 430, "Der Bundesminister der"},
                     {2, 70, 445, "Finanzen"},
                     {2, 70, 480, "______________________"},
                     {2, 70, 495, "Frank Beispielmann"}}),
            (std::vector<std::string>{
                "Frank Beispielmann | Bundesminister der Finanzen | Bundesrepublik Nordland | - | -"}));
  EXPECT_EQ(Signers({{2, 70, 400, "Für das Land Weststaat:"},
                     {2, 70, 415, "Für den Ministerpräsidenten"},
                     {2, 70, 430, "Die Umweltministerin"},
                     {2, 70, 445, "Greta Vorlage"},
                     {2, 70, 460, "Lindenau, den 3. Mai 2021"},
                     {2, 70, 500, "Für den Freistaat Oststaat:"},
                     {2, 70, 515, "Der Ministerpräsident"},
                     {2, 70, 530, "vertreten durch den Minister für Verkehr"},
                     {2, 70, 545, "und Bau"},
                     {2, 70, 560, "Paul Platzhalter"},
                     {2, 70, 575, "Birkenstadt, den 7. Mai 2021"}}),
            (std::vector<std::string>{
                "Greta Vorlage | Umweltministerin | Land Weststaat | Lindenau | 2021-05-03",
                "Paul Platzhalter | Minister für Verkehr und Bau | Freistaat Oststaat | Birkenstadt | 2021-05-07"}));
  EXPECT_EQ(Signers({{2, 70, 400, "Für den Zentralverband Muster"},
                     {2, 70, 415, "Herr Dr."},
                     {2, 70, 445, "______________________"},
                     {2, 70, 460, "Kurt Exempel"},
                     {2, 70, 475, "Präsident"}}),
            (std::vector<std::string>{"Dr. Kurt Exempel | Präsident | Zentralverband Muster | - | -"}));
}

// Official texts often print the surname alone: under a rule, after "gez."
// or under the office; a wrapped office or organisation is no name.
TEST(SignatoriesTest, SurnamesAlone) {
  EXPECT_EQ(Signers({{2, 70, 300, "Bergheim, den 4. Juni 1996"},
                     {2, 70, 320, "Für das Land Nordmark"},
                     {2, 70, 335, "Der Ministerpräsident"},
                     {2, 70, 350, "Mustermann"},
                     {2, 320, 300, "Talstadt, den 5. Juni 1996"},
                     {2, 320, 320, "Für den Freistaat"},
                     {2, 320, 335, "Südmark"},
                     {2, 320, 350, "Der Minister der"},
                     {2, 320, 365, "Finanzen"},
                     {2, 320, 395, "______________________"},
                     {2, 320, 410, "Beispielmann"},
                     {2, 70, 450, "Für die Stadt Mittelburg"},
                     {2, 70, 465, "gez. Vorlagen"}}),
            (std::vector<std::string>{
                "Mustermann | Ministerpräsident | Land Nordmark | Bergheim | 1996-06-04",
                "Beispielmann | Minister der Finanzen | Freistaat Südmark | Talstadt | 1996-06-05",
                "Vorlagen | - | Stadt Mittelburg | Bergheim | 1996-06-04"}));
}

// One place and date for all blocks: a line above them, a closing formula,
// or a line below them; a block's own line wins.
TEST(SignatoriesTest, SharedPlaceAndDateAboveOrBelowTheBlocks) {
  EXPECT_EQ(Signers({{3, 80, 200, "Neustadt, den 12. März 2004"},
                     {3, 70, 230, "Für das Land Nordmark"},
                     {3, 70, 245, "Ole Beispiel"},
                     {3, 320, 230, "Für das Land Südmark"},
                     {3, 320, 245, "Ute Muster"}}),
            (std::vector<std::string>{"Ole Beispiel | - | Land Nordmark | Neustadt | 2004-03-12",
                                      "Ute Muster | - | Land Südmark | Neustadt | 2004-03-12"}));
  EXPECT_EQ(Signers({{3, 80, 200, "Geschehen zu Altstadt am 1. Juli 1999 in zwei Urschriften in deutscher Sprache."},
                     {3, 70, 230, "Für die Republik Nord"},
                     {3, 70, 260, "______________________"},
                     {3, 70, 275, "Lars Vorlage"},
                     {3, 320, 230, "Für die Republik Süd"},
                     {3, 320, 260, "______________________"},
                     {3, 320, 275, "Mira Exempel"}}),
            (std::vector<std::string>{"Lars Vorlage | - | Republik Nord | Altstadt | 1999-07-01",
                                      "Mira Exempel | - | Republik Süd | Altstadt | 1999-07-01"}));
  EXPECT_EQ(Signers({{3, 70, 230, "Für den Kreis Ost"},
                     {3, 70, 245, "Jan Probe"},
                     {3, 70, 260, "Landrat"},
                     {3, 320, 230, "Für die Stadt West"},
                     {3, 320, 245, "Lea Probe"},
                     {3, 320, 260, "Bürgermeisterin"},
                     {3, 70, 300, "Mittelburg, den 2. Februar 2012"}}),
            (std::vector<std::string>{"Jan Probe | Landrat | Kreis Ost | Mittelburg | 2012-02-02",
                                      "Lea Probe | Bürgermeisterin | Stadt West | Mittelburg | 2012-02-02"}));
}

// In one column, a place and date under a name belong to that block, not to
// the next one, when the blocks write them below the names.
TEST(SignatoriesTest, PlaceAndDateUnderTheNameStayWithItsBlock) {
  EXPECT_EQ(Signers({{5, 62, 350, "Für das Land Nordmark:"},
                     {5, 62, 363, "Der Minister für Umwelt"},
                     {5, 62, 376, "Tom Beispiel"},
                     {5, 62, 389, "Hafenstadt, den 26. Oktober 1999"},
                     {5, 62, 420, "Für das Land Südmark:"},
                     {5, 62, 433, "Die Ministerin für Finanzen"},
                     {5, 62, 446, "Ina Muster"},
                     {5, 62, 459, "Bergdorf, den 2. November 1999"}}),
            (std::vector<std::string>{
                "Tom Beispiel | Minister für Umwelt | Land Nordmark | Hafenstadt | 1999-10-26",
                "Ina Muster | Ministerin für Finanzen | Land Südmark | Bergdorf | 1999-11-02"}));
}

// English blocks: a company line above "By:", conformed signatures, "Name:",
// "Title:" and "Its:" labels, "For and on behalf of …" and a date label.
TEST(SignatoriesTest, EnglishByNameTitleBlocks) {
  EXPECT_EQ(Signers({{9, 50, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first "
                                  "written above."},
                     {9, 50, 130, "EXAMPLE HOLDINGS, INC."},
                     {9, 50, 145, "By: /s/ R.C. Sample"},
                     {9, 50, 160, "Name: R.C. Sample"},
                     {9, 50, 175, "Title: Chief Financial Officer"},
                     {9, 300, 130, "SAMPLE WIDGETS LLC"},
                     {9, 300, 145, "By: /s/ Dana Example"},
                     {9, 300, 160, "Its: President"},
                     {9, 300, 175, "Date: March 3, 2015"}}),
            (std::vector<std::string>{
                "R.C. Sample | Chief Financial Officer | EXAMPLE HOLDINGS, INC. | - | -",
                "Dana Example | President | SAMPLE WIDGETS LLC | - | 2015-03-03"}));
  EXPECT_EQ(Signers({{9, 50, 100, "FOR AND ON BEHALF OF EXAMPLE TRADING LTD"},
                     {9, 50, 130, "______________________"},
                     {9, 50, 145, "Name: Priya Sample"},
                     {9, 50, 160, "Title: Director"}}),
            (std::vector<std::string>{"Priya Sample | Director | EXAMPLE TRADING LTD | - | -"}));
  // Stacked in one column: the second company line opens the second block.
  EXPECT_EQ(Signers({{9, 50, 100, "IN WITNESS WHEREOF, the parties hereto have caused this Agreement to be executed."},
                     {9, 50, 130, "NORTHWIND SAMPLE CORPORATION"},
                     {9, 50, 145, "By: /s/ Alex Demo"},
                     {9, 50, 160, "Name: Alex Demo"},
                     {9, 50, 175, "Title: Vice President"},
                     {9, 50, 205, "EXAMPLE PARTNERS, L.P."},
                     {9, 50, 220, "By: /s/ Sam Placeholder"},
                     {9, 50, 235, "Name: Sam Placeholder"},
                     {9, 50, 250, "Title: General Counsel"}}),
            (std::vector<std::string>{"Alex Demo | Vice President | NORTHWIND SAMPLE CORPORATION | - | -",
                                      "Sam Placeholder | General Counsel | EXAMPLE PARTNERS, L.P. | - | -"}));
}

// A short name given where a party is named again after the preamble, in
// another case ending, quoted or not.
TEST(PartiesTest, ShortNamesGivenAfterThePreamble) {
  Agreement a;
  ExtractFields(Doc({{1, 200, 50, "ZIELVEREINBARUNG"},
                     {1, 250, 70, "zwischen"},
                     {1, 120, 90, "dem Hessischen Ministerium für Soziales und Integration"},
                     {1, 120, 105, "und dem Landkreis Fulda"},
                     {1, 50, 140, "Präambel"},
                     {1, 50, 160, "Dafür will das Hessische Ministerium für Soziales und Integration (HMSI) regionale"},
                     {1, 50, 175, "Spielräume eröffnen. Der Landkreis Fulda (LKF) setzt die Ziele um."},
                     {1, 50, 200, "§ 1 Ziele"}}),
                &a);
  std::vector<std::string> got;
  for (const Party& p : a.parties) got.push_back(p.name + " | " + p.short_name.value_or("-"));
  EXPECT_EQ(got, (std::vector<std::string>{"Hessisches Ministerium für Soziales und Integration | HMSI",
                                           "Landkreis Fulda | LKF"}));
  Agreement b;
  ExtractFields(Doc({{1, 200, 50, "SUPPLY AGREEMENT"},
                     {1, 50, 80, "This Supply Agreement is made on 3 May 2021 by and between Northwind Sample Corporation"},
                     {1, 50, 95, "and Example Widgets LLC."},
                     {1, 50, 130, "1. Supply"},
                     {1, 50, 150, "Northwind Sample Corporation (\u201cNSC\u201d) shall deliver the goods to Example Widgets LLC."}}),
                &b);
  ASSERT_EQ(b.parties.size(), 2u);
  EXPECT_EQ(b.parties[0].short_name, "NSC");
  EXPECT_FALSE(b.parties[1].short_name.has_value());
}

// A block that names a party as the preamble does, in capitals or with
// another spelling of its legal form, signs for that party: its organisation
// is the party's name. One naming someone else keeps its own.
TEST(SignatoriesTest, BlocksAreLinkedToThePartiesTheySignFor) {
  Agreement a;
  ExtractFields(Doc({{1, 200, 50, "SUPPLY AGREEMENT"},
                     {1, 50, 80, "This Supply Agreement is made on 3 May 2021 by and between Northwind Sample Corporation "
                                 "(\"Supplier\"), Example Widgets LLC (\"Buyer\") and"},
                     {1, 50, 95, "Harbor Demo Holdings, Inc. (\"Guarantor\")."},
                     {1, 50, 130, "1. Supply"},
                     {1, 50, 150, "Supplier shall deliver the goods."},
                     {2, 50, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement."},
                     {2, 50, 130, "NORTHWIND SAMPLE CORP."},
                     {2, 50, 145, "By: /s/ Alex Demo"},
                     {2, 50, 160, "Title: President"},
                     {2, 300, 130, "EXAMPLE WIDGETS, L.L.C."},
                     {2, 300, 145, "By: /s/ Dana Example"},
                     {2, 300, 160, "Title: Director"},
                     {2, 50, 220, "EXAMPLE AGENCY SERVICES, INC., as agent"},
                     {2, 50, 235, "By: /s/ Sam Placeholder"},
                     {2, 50, 250, "Title: Manager"}}),
                &a);
  std::vector<std::string> got;
  for (const Signatory& s : a.signatories) got.push_back(s.name + " | " + s.organization.value_or("-"));
  EXPECT_EQ(got, (std::vector<std::string>{"Alex Demo | Northwind Sample Corporation", "Dana Example | Example Widgets LLC",
                                           "Sam Placeholder | EXAMPLE AGENCY SERVICES, INC."}));
}

// An organisation's name without its description or defined term, a label
// run on from the next line, and a title wrapped under its label.
TEST(SignatoriesTest, EnglishOrganisationDescriptionsDefinedTermsAndWrappedTitles) {
  EXPECT_EQ(Signers({{1, 50, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first "
                                  "written above."},
                     {1, 50, 130, "A3 EXAMPLE GROUP, LLC, a Texas limited liability company"},
                     {1, 50, 145, "By: /s/ Tracy Sample"},
                     {1, 50, 160, "Name: Tracy Sample"},
                     {1, 50, 175, "Title: Partner"},
                     {1, 50, 205, "TRI CITY SAMPLE BANK (\"Customer\")"},
                     {1, 50, 220, "By: /s/ RON T. EXAMPLE"},
                     {1, 50, 235, "Name: Ron T. Example"},
                     {1, 50, 250, "Title: Executive Vice"},
                     {1, 50, 258, "President"},
                     {1, 50, 280, "DELTA EXAMPLE.COM, INC. By"},
                     {1, 50, 295, "/s/ Amos Demo"},
                     {1, 50, 310, "Amos Demo, Chief Executive Officer"}}),
            (std::vector<std::string>{"Tracy Sample | Partner | A3 EXAMPLE GROUP, LLC | - | -",
                                      "Ron T. Example | Executive Vice President | TRI CITY SAMPLE BANK | - | -",
                                      "Amos Demo | Chief Executive Officer | DELTA EXAMPLE.COM, INC. | - | -"}));
}

// Blocks that name no person sign for nobody: blank forms, offices alone.
TEST(SignatoriesTest, BlocksWithoutNamesAndOfficeLinesAreNoSignatories) {
  EXPECT_TRUE(Signers({{9, 50, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement."},
                       {9, 50, 130, "EXAMPLE HOLDINGS, INC."},
                       {9, 50, 145, "By: ______________________"},
                       {9, 50, 160, "Name:"},
                       {9, 50, 175, "Title:"},
                       {9, 50, 205, "SAMPLE WIDGETS LLC"},
                       {9, 50, 220, "By:"},
                       {9, 50, 235, "Name:"},
                       {9, 50, 250, "Title:"}})
                  .empty());
  EXPECT_TRUE(Signers({{3, 70, 200, "Musterstadt, den 4. April 2020"},
                       {3, 70, 230, "Für das Land Nordmark"},
                       {3, 70, 245, "Die Umweltministerin"},
                       {3, 70, 275, "______________________"},
                       {3, 320, 230, "Für die Stadt Südhafen"},
                       {3, 320, 245, "Der Oberbürgermeister"},
                       {3, 320, 275, "______________________"}})
                  .empty());
}

// Regressions found in review: each of these once hung, threw or overflowed.
TEST(ReviewRegressionTest, AllCapsGermanTitleIsTitleCasedAndTerminates) {
  Agreement a;
  ExtractFields(Doc({{1, 150, 50, "VEREINBARUNG ÜBER DIE FÖRDERUNG"},
                     {1, 280, 70, "2026"},
                     {1, 280, 110, "zwischen"},
                     {1, 150, 130, "der Stadt Kassel"},
                     {1, 280, 150, "und"},
                     {1, 150, 170, "dem Verein Hilfe e. V."},
                     {1, 50, 200, "§ 1 Zweck"}}),
                &a);
  EXPECT_EQ(a.type, "Vereinbarung");
  EXPECT_EQ(a.subject, "Förderung");
  EXPECT_EQ(a.year, 2026);
}

TEST(ReviewRegressionTest, NonAsciiDigitsAreNotDatesOrAmounts) {
  EXPECT_TRUE(FindDates("Vertrag 2024 gilt ab \xd9\xa1\xd9\xa2.03.2024").empty());      // Arabic-Indic 12
  EXPECT_TRUE(FindDates("ab \xef\xbc\x91\xef\xbc\x92.03.2024 gültig").empty());          // full-width 12
  EXPECT_TRUE(Amounts("\xd9\xa1\xd9\xa2\xd9\xa3 EUR").empty());
}

TEST(ReviewRegressionTest, AbsurdMultipliersAreNoAmount) {
  EXPECT_TRUE(Amounts("0.999 999 Mrd. TEUR").empty());
  EXPECT_EQ(Amounts("2,5 Mrd. EUR"), (std::vector<P>{{"2500000000.00", "EUR"}}));
}

// tests/fuzz/crashes/amounts: the whole part fits in cents, the fraction
// tipped the sum over LLONG_MAX (signed overflow). Neither that number nor
// one with too many digit groups may leave its tail as an amount.
TEST(FuzzRegressionTest, NumbersBeyondTheLimitAreNoAmount) {
  EXPECT_TRUE(Amounts("92.233.720,99 Mrd. EUR").empty());
  EXPECT_EQ(Amounts("92.233.720,36 Mrd. EUR"), (std::vector<P>{{"92233720360000000.00", "EUR"}}));
  EXPECT_TRUE(Amounts("1.234.567.890.123.456 EUR").empty());
  EXPECT_EQ(Amounts("Summe 2024: 1.000 EUR"), (std::vector<P>{{"1000.00", "EUR"}}));
}

TEST(ReviewRegressionTest, AmountAfterAVeryLongRunIsFound) {
  std::string line;
  for (int i = 0; i < 5000; ++i) line += "999 ";
  line += "Summe: 1.000 EUR";
  EXPECT_EQ(Amounts(line), (std::vector<P>{{"1000.00", "EUR"}}));
}

TEST(ReviewRegressionTest, HugeRowsAndManyPlaceDateLinesStayBounded) {
  PageText page;
  for (int i = 0; i < 8000; ++i) {
    const double x = 10.0 + i * 7.0;
    page.words.push_back({"w", {x, 100, x + 5, 110}, 1.0, true});
  }
  BuildLayout(&page);
  EXPECT_EQ(page.lines.size(), 1u);

  std::vector<L> lines;
  for (int i = 0; i < 3000; ++i) lines.push_back({1, 70, 10.0 + i * 0.25, "Kassel, den 3.3.2026"});
  Agreement a;
  ExtractSignatories(Read(lines), &a);
  EXPECT_TRUE(a.signatories.empty());
}

}  // namespace
}  // namespace pactum::extract
