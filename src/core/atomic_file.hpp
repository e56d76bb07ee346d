#pragma once
// Outputs are written to a temporary name beside the target and renamed into place only
// when complete, so a failed run never leaves a half-written file.
#include <filesystem>
#include <fstream>
#include <string_view>

namespace lg {

class AtomicFile {
 public:
  /// Opens `<target>.tmp-<random>` in the target's folder. With `create_folder` a missing
  /// folder is created; without, it is an error (writers of user-named files use that).
  explicit AtomicFile(std::filesystem::path target, bool create_folder = true);
  ~AtomicFile();  ///< removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return out_; }
  const std::filesystem::path& temporary_path() const { return tmp_; }
  /// Flush, close and rename onto the target. Throws lg::Error if any write failed.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Write a whole file through AtomicFile.
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           bool create_folder = true);

}  // namespace lg
