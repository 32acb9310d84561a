// The progress bar of `pactum extract FILE` on a terminal:
//
//   page 3 of 12 [======>                 ]  25%  0:07  big-scan.pdf
//
// One line on stderr, redrawn in place ("\r", erase to the end of the line)
// as pages are read and every kTick for the elapsed time, cut to the
// terminal's width so that it never wraps; Finish() erases it, leaving
// stderr as it was. Log lines are written above it (StderrOverlay): the bar
// is taken away, the line written, the bar drawn again below it, so that
// `--log-level info` shows the page lines scrolling over a bar that stays
// at the bottom.
//
// Shown only when stderr is a terminal (and TERM is not "dumb"): piped or
// redirected, stderr gets no bar and no control characters. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "logging.h"
#include "pactum/models/mutex.h"

namespace pactum::service::cli {

class ProgressBar final : public StderrOverlay {
 public:
  // Redraws for the elapsed time this often; the first drawing waits as
  // long, so that a document read at once never shows a bar.
  static constexpr std::chrono::milliseconds kTick{250};

  // Whether a bar belongs on `fd`: a terminal, TERM not "dumb".
  static bool Wanted(int fd);

  // Draws on `fd` (which Wanted() approved) for the document `label`;
  // takes the log lines over (SetStderrOverlay) until Finish().
  ProgressBar(int fd, std::string label);
  // Finish().
  ~ProgressBar() override;
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `done` of `total` pages read (ProcessControl::on_page_done).
  void Update(int done, int total) PACTUM_EXCLUDES(mu_);
  // Stops the ticker, gives the log lines back and erases the bar.
  // Idempotent.
  void Finish() PACTUM_EXCLUDES(mu_);

  void WriteAbove(const std::function<void()>& write) PACTUM_EXCLUDES(mu_) override;

 private:
  void Tick() PACTUM_EXCLUDES(mu_);
  void Draw() PACTUM_REQUIRES(mu_);
  void Erase() PACTUM_REQUIRES(mu_);
  void Write(const std::string& s) PACTUM_REQUIRES(mu_);

  const int fd_;
  const std::string label_;
  const std::chrono::steady_clock::time_point start_;
  Mutex mu_;
  CondVar cv_;
  int done_ PACTUM_GUARDED_BY(mu_) = 0;
  int total_ PACTUM_GUARDED_BY(mu_) = 0;
  bool shown_ PACTUM_GUARDED_BY(mu_) = false;     // a bar is on the line now
  bool visible_ PACTUM_GUARDED_BY(mu_) = false;   // kTick has passed: draw
  bool finished_ PACTUM_GUARDED_BY(mu_) = false;
  std::thread ticker_;
};

}  // namespace pactum::service::cli
