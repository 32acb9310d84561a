// German name morphology for organisation names: article removal and the
// nominative of adjective + noun phrases ("dem Hessischen Ministerium" ->
// "Hessisches Ministerium", "der Hessischen Staatskanzlei" -> "Hessische
// Staatskanzlei", "des Landkreises X" -> "Landkreis X").
#pragma once

#include <string>

namespace pactum::extract::fields::names {

std::string Nominative(const std::string& phrase);
// The last `n` words, lowercased, with inflection endings removed: a key for
// comparing names across cases ("Hessischen" ~ "Hessisches").
std::string StemTail(const std::string& phrase, int n);

}  // namespace pactum::extract::fields::names
