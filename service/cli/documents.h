// Inside libpactum_documents.so: extract, verify and sign from the command
// line, through the one document pipeline of the service (pipeline.h), under
// the same limits.
//
// One document runs in this process, under the memory cap, the CPU cap and
// the time limit of `Limits` (the process ends with status 2 when a cap
// stops it). Several documents (extract FILE... | DIR) run in worker
// processes (worker_pool.h), one document each at a time, so that a document
// that crashes the parser or exceeds a cap costs only its own line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/args.h"
#include "pactum/models/status.h"
#include "pipeline.h"

namespace pactum::service::cli {

// Reads `path` ("-": all of stdin), at most `max_bytes`: kTooLarge beyond;
// kNotFound for a missing file; kBadRequest for other read errors. Messages
// in the command line's terms, without the path (the caller prints it).
Result<std::string> ReadInput(const std::string& path, std::uint64_t max_bytes);

// `e`'s message as the command line says it: the few phrases the libraries
// address to an HTTP client ("upload", "/v1/verify") in the user's terms.
std::string CliMessage(const Error& e);

// "pactum: PATH: MESSAGE (CODE)" on stderr.
void PrintError(const std::string& path, const Error& e);

// The request for `path` (the record keeps its base name as file_name;
// stdin has none).
DocumentRequest RequestFor(const DocumentArgs& args, Operation op, const std::string& path);

// The base name of `path` as the record's file_name, when it is a fit one.
std::optional<std::string> FileNameOf(const std::string& path);

// extract with several inputs or a directory: JSON lines on stdout, a
// summary on stderr. kExitOk when every file was extracted, else kExitError.
int RunBatch(const DocumentArgs& args);

}  // namespace pactum::service::cli
