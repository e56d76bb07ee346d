#pragma once
// The one exception type of labelgraph: where (file, line) and what was expected.
// The CLI prints what() on one line and exits non-zero.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace lg {

class Error : public std::runtime_error {
 public:
  /// `line` is 1-based; 0 means "not tied to a line" (e.g. a missing file).
  Error(std::string file, std::size_t line, std::string message);
  /// An error not tied to a file (bad option, inconsistent arguments).
  explicit Error(std::string message);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::size_t line_ = 0;
  std::string message_;
};

}  // namespace lg
