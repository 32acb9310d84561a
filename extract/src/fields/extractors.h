// The field extractors. Each reads the zones of one Reading that can hold
// its field and fills its part of the Agreement; fields the text does not
// state stay empty.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pactum/models/record.h"
#include "reading/reading.h"

namespace pactum::extract {

void ExtractTitle(const Reading& reading, Agreement* out);       // type, title, year, subject
void ExtractParties(const Reading& reading, Agreement* out);
void ExtractAmounts(const Reading& reading, Agreement* out);
void ExtractDates(const Reading& reading, Agreement* out);
void ExtractProjects(const Reading& reading, Agreement* out);
void ExtractSignatories(const Reading& reading, Agreement* out);
// The same with `model` labelling the lines of the blocks (nullptr: the
// rules alone); the one above uses the built-in model, if any.
struct SignatureModel;
void ExtractSignatoriesWith(const Reading& reading, Agreement* out, const SignatureModel* model);
// The organisations that head the signature area's blocks, in order: a
// company line ("ACME HOLDINGS, L.P." above "By: …") or the organisation of
// "FOR AND ON BEHALF OF …", wrapped lines joined, descriptions (", a
// Delaware corporation") cut, in the nominative; `line` is the reading's
// line where it is printed.
struct SigningOrganisation {
  std::string name;
  size_t line = 0;
};
std::vector<SigningOrganisation> SigningOrganisations(const Reading& reading);
void ExtractGoverningLaw(const Reading& reading, Agreement* out);
void ExtractTerm(const Reading& reading, Agreement* out);

}  // namespace pactum::extract
