#include "core/atomic_file.hpp"

#include <random>

#include "core/error.hpp"

namespace lg {
namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target, bool create_folder) : target_(std::move(target)) {
  if (create_folder && target_.has_parent_path()) fs::create_directories(target_.parent_path());
  std::random_device rd;
  tmp_ = target_;
  tmp_ += ".tmp-" + std::to_string(rd());
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_)
    throw Error(target_.string(), 0, "cannot write: the folder is missing or not writable");
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  fs::remove(tmp_, ec);
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) throw Error(target_.string(), 0, "write failed (disk full?)");
  std::error_code ec;
  fs::rename(tmp_, target_, ec);
  if (ec) throw Error(target_.string(), 0, "cannot rename the finished file into place: " + ec.message());
  committed_ = true;
}

void write_file_atomically(const fs::path& target, std::string_view content, bool create_folder) {
  AtomicFile file(target, create_folder);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

}  // namespace lg
