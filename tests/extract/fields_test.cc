// Field extractors on hard strings: notations, kinds and layouts beyond the
// sample documents.
#include "pactum/extract/fields.h"

#include "fields/extractors.h"

#include <gtest/gtest.h>

namespace pactum::extract {
namespace {

// A document built line by line: {page, x0, y0, text}; each line is its own
// block unless `block` is given.
struct L {
  int page;
  double x;
  double y;
  std::string text;
  int block = -1;
};

DocumentText Doc(const std::vector<L>& lines) {
  DocumentText d;
  int n = 0;
  for (const auto& l : lines) {
    TextLine t;
    t.page = l.page;
    t.text = l.text;
    t.box = {l.x, l.y, l.x + 6.0 * static_cast<double>(l.text.size()) * 0.8, l.y + 11};
    t.block = l.block >= 0 ? l.block : n;
    ++n;
    d.lines.push_back(t);
  }
  return d;
}

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

std::vector<std::pair<std::string, std::string>> Amounts(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : FindAmounts(s)) out.emplace_back(a.value, a.currency);
  return out;
}

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

std::vector<std::string> Dates(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& d : FindDates(s)) out.push_back(d.iso);
  return out;
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

std::vector<K> DateKinds(const std::vector<L>& lines) {
  Agreement a;
  ExtractDates(Read(lines), &a);
  std::vector<K> out;
  for (const auto& d : a.dates) out.emplace_back(d.date, d.kind);
  return out;
}

TEST(DatesTest, KindsFromWording) {
  EXPECT_EQ(DateKinds({{1, 50, 100, "Der Vertrag tritt am 1. April 2024 in Kraft und endet mit Ablauf des 31. März 2027."}}),
            (std::vector<K>{{"2024-04-01", DateKind::kEffective}, {"2027-03-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "Die Laufzeit beginnt am 1.1.2024 und endet am 31.12.2025."}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "Förderzeitraum vom 1. Januar 2024 bis 31. Dezember 2025"}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "Der Verwendungsnachweis ist spätestens bis zum 30.6.2026 vorzulegen."}}),
            (std::vector<K>{{"2026-06-30", DateKind::kDeadline}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "The project runs from 1 January 2024 to 31 December 2025."}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "The Grantee shall submit a final report no later than May 31, 2029."}}),
            (std::vector<K>{{"2029-05-31", DateKind::kDeadline}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "auf Grundlage des Antrags vom 20. Juni 2023."}}),
            (std::vector<K>{{"2023-06-20", DateKind::kOther}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "The Agreement starts on 1 April 2026 and ends on 31 March 2028."}}),
            (std::vector<K>{{"2026-04-01", DateKind::kEffective}, {"2028-03-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "A term commencing on 1 May 2026 and ending on 30 April 2031."}}),
            (std::vector<K>{{"2026-05-01", DateKind::kEffective}, {"2031-04-30", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "The Contractor delivers the final report by 31 January 2027."}}),
            (std::vector<K>{{"2027-01-31", DateKind::kDeadline}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "The first instalment is due by 15 June 2026."}}),
            (std::vector<K>{{"2026-06-15", DateKind::kDeadline}}));
}

TEST(DatesTest, SignatureLines) {
  EXPECT_EQ(DateKinds({{4, 70, 600, "Wiesbaden, den 2.8.2025"}, {4, 300, 600, "Bad Homburg, den 13.10.2025"}}),
            (std::vector<K>{{"2025-08-02", DateKind::kSignature}, {"2025-10-13", DateKind::kSignature}}));
  EXPECT_EQ(DateKinds({{1, 70, 600, "Signed in Brussels on 14 January 2026"}}),
            (std::vector<K>{{"2026-01-14", DateKind::kSignature}}));
  EXPECT_EQ(DateKinds({{1, 70, 600, "Frankfurt am Main, 4. März 2024"}}),
            (std::vector<K>{{"2024-03-04", DateKind::kSignature}}));
  // A two-digit year only on a place-and-date line, never in running text.
  EXPECT_EQ(DateKinds({{1, 70, 600, "Kassel, 12.03.26"}}), (std::vector<K>{{"2026-03-12", DateKind::kSignature}}));
  EXPECT_TRUE(DateKinds({{1, 70, 600, "siehe Ziffer 1.2.26 der Richtlinie"}}).empty());
  EXPECT_TRUE(DateKinds({{1, 70, 600, "Kassel, 31.02.26"}}).empty());
}

TEST(DatesTest, ADateBrokenAcrossTwoLinesOfABlockIsRead) {
  EXPECT_EQ(DateKinds({{1, 50, 100, "This Agreement shall continue until 28th February", 0},
                       {1, 50, 113, "2027 unless terminated earlier.", 0}}),
            (std::vector<K>{{"2027-02-28", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{1, 50, 100, "Der Vertrag endet mit Ablauf des 31. März", 0},
                       {1, 50, 113, "2028. Eine Verlängerung ist möglich.", 0}}),
            (std::vector<K>{{"2028-03-31", DateKind::kExpiry}}));
  // Lines of different blocks are not joined.
  EXPECT_TRUE(DateKinds({{1, 50, 100, "Anlage 3 vom 28. Februar"}, {1, 300, 100, "2027"}}).empty());
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
  ExtractTitle(Read({{1, 200, 50, "FÖRDERVEREINBARUNG"},
                    {1, 280, 70, "2026"},
                    {1, 150, 90, "über die Förderung der Ausbildung junger Geflüchteter"},
                    {1, 280, 110, "zwischen"},
                    {1, 150, 130, "der Stadt Kassel"},
                    {1, 280, 150, "und"},
                    {1, 150, 170, "dem Verein Hilfe e. V."},
                    {1, 50, 200, "§ 1 Zweck"}}),
               &a);
  ASSERT_TRUE(a.type && a.year && a.subject);
  EXPECT_EQ(*a.year, 2026);
  EXPECT_EQ(*a.subject, "Förderung der Ausbildung junger Geflüchteter");
  EXPECT_EQ(*a.title, *a.type + " 2026");
}

TEST(TitleTest, ReferenceNumbersAndDatesAreNotTheKindOrTheYear) {
  Agreement a;
  ExtractTitle(Read({{1, 200, 50, "GRANT AGREEMENT No. HSF-2026-017"},
                    {1, 280, 80, "between"},
                    {1, 150, 100, "the Foundation"},
                    {1, 280, 120, "and"},
                    {1, 150, 140, "the University"}}),
               &a);
  EXPECT_EQ(a.type, "Grant Agreement");
  EXPECT_EQ(a.title, "Grant Agreement No. HSF-2026-017");
  EXPECT_FALSE(a.year.has_value());  // not printed as a year of its own

  Agreement b;
  ExtractTitle(Read({{1, 200, 50, "SERVICE AGREEMENT"},
                    {1, 50, 80, "This Service Agreement is entered into as of 1st March 2026 by and between Northwind GmbH"},
                    {1, 50, 95, "and Blue Harbour Ltd. Client and Contractor are each referred to as a Party."},
                    {1, 50, 140, "1. Services"},
                    {1, 50, 160, "On or before 25 March 2026 the Client shall pay a deposit."}}),
               &b);
  EXPECT_EQ(b.type, "Service Agreement");
  EXPECT_EQ(b.title, "Service Agreement");
  EXPECT_FALSE(b.year.has_value());     // the 2026 belongs to a date in a sentence
  EXPECT_FALSE(b.subject.has_value());  // a clause far down is no subject
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
  EXPECT_EQ(a.signatories[1].title, "Der Bürgermeister");
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
  ASSERT_EQ(a.signatories.size(), 3u);
  EXPECT_EQ(a.signatories[0].name, "Oliver Pennington");  // labelled blocks are read first
  EXPECT_EQ(a.signatories[0].title, "Director");
  EXPECT_EQ(a.signatories[0].organization, "Blue Harbour Consulting Ltd.");
  EXPECT_EQ(a.signatories[0].place, "Leeds");
  EXPECT_EQ(a.signatories[0].date, "2026-03-05");
  EXPECT_EQ(a.signatories[1].name, "Tom Riordan");
  EXPECT_EQ(a.signatories[1].title, "Chief Executive");
  EXPECT_EQ(a.signatories[1].organization, "Leeds City Council");
  EXPECT_EQ(a.signatories[1].place, "Leeds");
  EXPECT_EQ(a.signatories[1].date, "2026-04-10");
  EXPECT_EQ(a.signatories[2].name, "Prof. Ursula M. Staudinger");
  EXPECT_EQ(a.signatories[2].organization, "Technische Universität Dresden");
  EXPECT_EQ(a.signatories[2].date, "2026-04-14");
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
  EXPECT_EQ(DateKinds({{1, 79, 408, "The term runs from January 1, 2024 (effective date) to December 31, 2025 (expiry"}}),
            (std::vector<K>{{"2024-01-01", DateKind::kEffective}, {"2025-12-31", DateKind::kExpiry}}));
  EXPECT_EQ(DateKinds({{2, 84, 134, "Name: Mark Ellison"}, {2, 84, 163, "Place: Stockholm"}, {2, 84, 177, "Date: 4 November 2023"}}),
            (std::vector<K>{{"2023-11-04", DateKind::kSignature}}));
}

TEST(AmountsTest, OcrSectionSignIsNotADollarAmount) {
  EXPECT_TRUE(Amounts("$ 4 Haushaltsmittel und Eckdaten").empty());
  EXPECT_TRUE(Amounts("die in $ 3 genannten Maßnahmen").empty());
  EXPECT_EQ(Amounts("a fee of $ 2,500"), (std::vector<P>{{"2500.00", "USD"}}));
}

TEST(PartiesTest, ForeignAddressesAreNotPartOfTheName) {
  EXPECT_EQ(PartyNames({{1, 200, 50, "MEMORANDUM OF UNDERSTANDING"},
                        {1, 280, 80, "between"},
                        {1, 150, 100, "the Nordic Youth Employment Trust"},
                        {1, 150, 115, "Storgatan 9, 111 23 Stockholm, Sweden"},
                        {1, 280, 130, "and"},
                        {1, 150, 145, "the City of Aarhus"},
                        {1, 150, 160, "Rådhuspladsen 2, 8000 Aarhus C, Denmark"},
                        {1, 50, 200, "I. Purpose"}}),
            (std::vector<std::string>{"Nordic Youth Employment Trust", "City of Aarhus"}));
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
  EXPECT_EQ(PartyNames({{1, 200, 50, "Mietvertrag"},
                        {1, 280, 80, "zwischen"},
                        {1, 150, 100, "Herrn Dr. Klaus Berger, Goethestraße 12, 60313 Frankfurt am Main"},
                        {1, 280, 130, "und"},
                        {1, 150, 145, "der Müller Logistik GmbH, Industriestraße 5, 34123 Kassel"}}),
            (std::vector<std::string>{"Dr. Klaus Berger", "Müller Logistik GmbH"}));
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

TEST(PartiesTest, NumberedPartyListsAndQuotedShortNames) {
  std::vector<std::string> shorts;
  EXPECT_EQ(PartyNames({{1, 200, 50, "MEMORANDUM OF UNDERSTANDING"},
                        {1, 50, 80, "This Memorandum of Understanding is made between:"},
                        {1, 50, 95, "(1) Leeds City Council, Civic Hall, Leeds LS1 1UR, United Kingdom (“LCC”); and"},
                        {1, 50, 110, "(2) Technische Universität Dresden, Helmholtzstraße 10, 01069 Dresden (“TUD”)."},
                        {1, 50, 130, "1. Purpose"},
                        {1, 50, 145, "The cooperation between LCC and TUD in the field of adaptation."}},
                       &shorts),
            (std::vector<std::string>{"Leeds City Council", "Technische Universität Dresden"}));
  EXPECT_EQ(shorts, (std::vector<std::string>{"LCC", "TUD"}));
  EXPECT_EQ(PartyNames({{1, 200, 50, "LEASE OF COMMERCIAL PREMISES"},
                        {1, 50, 80, "PARTIES"},
                        {1, 50, 95, "(1) ROBERT JAMES WHITAKER of 4 Elm Grove, York (the “Landlord”); and"},
                        {1, 50, 110, "(2) GREENLEAF STUDIO LIMITED, incorporated in England (the “Tenant”)."}}),
            (std::vector<std::string>{"Robert James Whitaker", "Greenleaf Studio Limited"}));
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
  EXPECT_EQ(PartyNames({{1, 200, 50, "SERVICE AGREEMENT"},
                        {1, 50, 80, "This Agreement is entered into by and between the City of Leeds, represented"},
                        {1, 50, 95, "by its Chief Executive, and the Northern Training Company Ltd (hereinafter \"NTC\")."},
                        {1, 50, 130, "Article 1 – Subject"}}),
            (std::vector<std::string>{"City of Leeds", "Northern Training Company Ltd"}));
  EXPECT_EQ(PartyNames({{1, 200, 50, "Vereinbarung"},
                        {1, 50, 80, "Diese Vereinbarung wird zwischen dem Ministerium für Soziales und Integration, vertreten"},
                        {1, 50, 95, "durch die Ministerin, und der Stadt Kassel geschlossen."},
                        {1, 50, 130, "§ 1 Gegenstand"}}),
            (std::vector<std::string>{"Ministerium für Soziales und Integration", "Stadt Kassel"}));
}

TEST(TitleTest, SubjectOnTheTitleLine) {
  Agreement a;
  ExtractTitle(Read({{1, 150, 50, "Kooperationsvertrag über die Zusammenarbeit in der Jugendberufshilfe"},
                    {1, 280, 70, "2026"},
                    {1, 280, 110, "zwischen"},
                    {1, 150, 130, "der Stadt Kassel"},
                    {1, 280, 150, "und"},
                    {1, 150, 170, "dem Verein Hilfe e. V."},
                    {1, 50, 200, "§ 1 Zweck"}}),
               &a);
  EXPECT_EQ(a.type, "Kooperationsvertrag");
  EXPECT_EQ(a.subject, "Zusammenarbeit in der Jugendberufshilfe");
  EXPECT_EQ(a.title, "Kooperationsvertrag 2026");
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

// Regressions found in review: each of these once hung, threw or overflowed.
TEST(ReviewRegressionTest, AllCapsGermanTitleIsTitleCasedAndTerminates) {
  Agreement a;
  ExtractTitle(Read({{1, 150, 50, "VEREINBARUNG ÜBER DIE FÖRDERUNG"},
                    {1, 280, 70, "2026"},
                    {1, 280, 110, "zwischen"},
                    {1, 150, 130, "der Stadt Kassel"},
                    {1, 280, 150, "und"},
                    {1, 150, 170, "dem Verein Hilfe e. V."},
                    {1, 50, 200, "§ 1 Zweck"}}),
               &a);
  EXPECT_EQ(a.type, "Vereinbarung über die Förderung");
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
