// `pactum worker`: the process that parses, renders, OCRs, verifies and
// signs documents for `pactum serve` (worker_pool.h starts it).
//
// It reads its WorkerConfig from the channel on fd 3, caps itself
// (RLIMIT_AS for memory, RLIMIT_CORE 0, RLIMIT_CPU re-armed per document),
// says "ready", then answers one WorkerRequest after the other until the
// channel closes. It dies with its parent (PR_SET_PDEATHSIG).
#pragma once

namespace pactum::service {

// The file descriptor of the channel in a worker process.
inline constexpr int kWorkerChannelFd = 3;

// Exit status of a worker whose configuration failed (its error was sent).
inline constexpr int kWorkerExitBadConfig = 3;

// Serves the channel on kWorkerChannelFd. Returns the process's exit status:
// 0 when the parent closed the channel, else a failure.
int RunWorker();

}  // namespace pactum::service
