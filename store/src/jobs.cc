#include <openssl/rand.h>

#include <array>
#include <nlohmann/json.hpp>

#include "jobs_internal.h"

namespace pactum::store {
namespace {

constexpr std::array<std::string_view, 5> kStateNames = {"queued", "running", "succeeded", "failed", "cancelled"};

}  // namespace

std::string_view JobStateName(JobState state) { return kStateNames.at(static_cast<std::size_t>(state)); }

std::optional<JobState> ParseJobState(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

bool IsFinal(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed || state == JobState::kCancelled;
}

Result<std::string> RandomHex128() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Error::Internal("the random number generator failed; no job id or claim token can be made");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::optional<Error> CheckNewJob(const NewJob& job) {
  const bool word = !job.op.empty() && job.op.size() <= 64 &&
                    job.op.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
  if (!word) return Error::BadRequest("a job's operation must be a lowercase word such as extract, not '" +
                                      job.op.substr(0, 64) + "'");
  const nlohmann::json params = nlohmann::json::parse(job.params_json, nullptr, /*allow_exceptions=*/false);
  if (!params.is_object()) return Error::BadRequest("a job's parameters must be a JSON object");
  if (job.max_attempts < 1 || job.max_attempts > kMaxJobAttempts) {
    return Error::BadRequest("a job's max_attempts must be from 1 to " + std::to_string(kMaxJobAttempts) + ", not " +
                             std::to_string(job.max_attempts));
  }
  return std::nullopt;
}

std::optional<Error> CheckListLimit(int limit) {
  if (limit >= 1 && limit <= kMaxListLimit) return std::nullopt;
  return Error::BadRequest("limit must be a number from 1 to " + std::to_string(kMaxListLimit) + ", not " +
                           std::to_string(limit));
}

std::optional<Error> CheckFinish(JobState state, const std::optional<JobResult>& result) {
  if (!IsFinal(state)) {
    return Error::BadRequest("a job is finished as succeeded, failed or cancelled, not " +
                             std::string(JobStateName(state)));
  }
  if (state == JobState::kSucceeded && !result) return Error::BadRequest("a succeeded job needs its result");
  return std::nullopt;
}

Error UnknownCursor(std::string_view after) {
  return Error::BadRequest("the cursor '" + std::string(after.substr(0, 64)) +
                           "' names none of your jobs (it may have expired); list again from the start");
}

std::optional<Error> CheckSplit(const Job& job, const std::vector<PageRange>& ranges) {
  if (!job.parent_id.empty()) return Error::BadRequest("a part of a split job cannot be split again");
  if (ranges.empty()) return Error::BadRequest("a job is split into one part or more");
  int next = 1;
  for (const PageRange& r : ranges) {
    if (r.first_page != next || r.last_page < r.first_page) {
      return Error::BadRequest("the parts of a split job are ranges of pages in order from page 1");
    }
    next = r.last_page + 1;
  }
  return std::nullopt;
}

}  // namespace pactum::store
