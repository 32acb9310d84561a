// What both back ends of the job queue share: the checks of what callers
// pass, random ids, the error of a job given up, and reading a job row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/store/jobs.h"

namespace pactum::store {

// Upper bounds that Submit() and List() enforce.
inline constexpr int kMaxJobAttempts = 100;
inline constexpr int kMaxListLimit = 100;

// 32 lowercase hex digits from OpenSSL's CSPRNG (job ids, claim tokens);
// kInternal when it cannot be seeded.
Result<std::string> RandomHex128();

// kBadRequest saying what is wrong with `job`, or nullopt.
std::optional<Error> CheckNewJob(const NewJob& job);
// kBadRequest when `limit` is outside 1..kMaxListLimit.
std::optional<Error> CheckListLimit(int limit);
// kBadRequest unless `state` is final and a success comes with `result`.
std::optional<Error> CheckFinish(JobState state, const std::optional<JobResult>& result);
// kBadRequest: `after` is no cursor of this owner's list.
Error UnknownCursor(std::string_view after);
// kBadRequest unless `ranges` are ranges of pages in order, and `job` is no
// part of another.
std::optional<Error> CheckSplit(const Job& job, const std::vector<PageRange>& ranges);


// An SQL expression (SQLite and PostgreSQL alike) of the error_json of a
// job given up after `attempts` claims that all ended with an expired
// lease.
inline constexpr const char* kInterruptedErrorSql =
    "'{\"code\":\"internal\",\"message\":\"The job was interrupted ' || attempts || "
    "CASE WHEN attempts = 1 THEN ' time' ELSE ' times' END || "
    "' (the server running it stopped or lost its database) and was given up; submit it again.\"}'";

// The columns of a job every read selects, in this order (each back end
// spells the times and flags its own way), and their positions.
enum JobColumn : int {
  kColId, kColOp, kColParams, kColOwner, kColCallback, kColUpload, kColMediaType, kColState, kColAttempts,
  kColMaxAttempts, kColPagesTotal, kColPagesDone, kColCancel, kColCreated, kColStarted, kColFinished,
  kColError, kColHasResult, kColParent, kColFirstPage, kColLastPage, kColParts, kJobColumnCount
};

// The job in a result row whose columns are JobColumn. `Row` has
// Column(i) -> std::string, Int(i) -> std::int64_t and IsNull(i) -> bool.
template <typename Row>
Job ReadJob(Row& row) {
  auto opt_int = [&row](int i) { return row.IsNull(i) ? std::nullopt : std::optional<std::int64_t>(row.Int(i)); };
  auto small = [&row](int i) { return static_cast<int>(row.Int(i)); };
  Job job;
  job.id = row.Column(kColId);
  job.op = row.Column(kColOp);
  job.params_json = row.Column(kColParams);
  job.owner = row.Column(kColOwner);
  job.callback_url = row.Column(kColCallback);
  job.upload_id = row.Column(kColUpload);
  job.media_type = row.Column(kColMediaType);
  // The tables' CHECK admits only the five names.
  job.state = ParseJobState(row.Column(kColState)).value_or(JobState::kFailed);
  job.attempts = small(kColAttempts);
  job.max_attempts = small(kColMaxAttempts);
  job.pages_total = small(kColPagesTotal);
  job.pages_done = small(kColPagesDone);
  job.cancel_requested = row.Int(kColCancel) != 0;
  job.created_at = row.Int(kColCreated);
  job.started_at = opt_int(kColStarted);
  job.finished_at = opt_int(kColFinished);
  if (!row.IsNull(kColError)) job.error_json = row.Column(kColError);
  job.has_result = row.Int(kColHasResult) != 0;
  job.parent_id = row.Column(kColParent);
  job.first_page = small(kColFirstPage);
  job.last_page = small(kColLastPage);
  job.parts = small(kColParts);
  return job;
}

}  // namespace pactum::store
