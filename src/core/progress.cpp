#include "core/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace lg {

namespace {
bool progress_enabled() {
  if (const char* env = std::getenv("LABELGRAPH_PROGRESS")) return std::string(env) == "1";
  return isatty(STDERR_FILENO) != 0;
}

std::string format_seconds(double s) {
  char buf[32];
  const long total = static_cast<long>(s + 0.5);
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", total / 3600, (total / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
  return buf;
}
}  // namespace

ProgressBar::ProgressBar(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(progress_enabled()),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::advance(std::uint64_t n) { set(done_ + n); }

void ProgressBar::set(std::uint64_t done) {
  done_ = done > total_ ? total_ : done;
  draw(done_ == total_);
}

void ProgressBar::status(std::string text) {
  status_ = std::move(text);
  draw(false);
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  draw(true);
  std::fputc('\n', stderr);
  drawn_ = false;
  enabled_ = false;
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int width = 30;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string timing = "eta --";
  if (done_ > 0 && done_ < total_) timing = "eta " + format_seconds(elapsed / fraction - elapsed);
  if (done_ == total_) timing = "done in " + format_seconds(elapsed);
  std::fprintf(stderr, "\r%s [%s] %3d%% %llu/%llu %s %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), static_cast<unsigned long long>(done_),
               static_cast<unsigned long long>(total_), timing.c_str(), status_.c_str());
  std::fflush(stderr);
}

}  // namespace lg
