#include "core/error.hpp"

namespace lg {
namespace {
std::string compose(const std::string& file, std::size_t line, const std::string& message) {
  if (file.empty()) return message;
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}
}  // namespace

Error::Error(std::string file, std::size_t line, std::string message)
    : std::runtime_error(compose(file, line, message)),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)) {}

Error::Error(std::string message) : Error(std::string(), 0, std::move(message)) {}

}  // namespace lg
