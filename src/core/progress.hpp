#pragma once
// A terminal progress bar with ETA on stderr. Silent when stderr is not a terminal (CI logs,
// redirected runs), so logs stay clean; set LABELGRAPH_PROGRESS=1 to force it on.
#include <chrono>
#include <cstdint>
#include <string>

namespace lg {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total);
  ~ProgressBar();  ///< finishes the line if anything was drawn
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Advance by `n` units and redraw (at most ~10 times a second).
  void advance(std::uint64_t n = 1);
  /// Set the absolute position.
  void set(std::uint64_t done);
  /// Text shown after the bar (e.g. the current cell).
  void status(std::string text);
  void finish();
  /// Draw nothing from now on (a process that is not the one reporting).
  void disable() { enabled_ = false; }

 private:
  void draw(bool force);
  std::string label_;
  std::string status_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace lg
