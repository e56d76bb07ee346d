#pragma once
// Outputs are written to a temporary name beside the target and renamed into place only
// when complete, so a failed or interrupted run never leaves a half-written file (the signal
// handler of core/interrupt.hpp removes open temporary files). Every failure names the target
// and the cause (a missing or unwritable folder, a file in the way, a full disk, the
// file-size limit).
#include <filesystem>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace lg {

/// A stream buffer over a file descriptor that remembers the errno of the first failed write.
class FdStreamBuf : public std::streambuf {
 public:
  FdStreamBuf() = default;
  ~FdStreamBuf() override;
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  void attach(int fd);
  /// Flush and close; false (error() set) when a write or the close failed.
  bool close();
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool flush_buffer();
  bool write_bytes(const char* data, std::size_t n);
  int fd_ = -1;
  int error_ = 0;
  std::vector<char> buffer_;
};

class AtomicFile {
 public:
  /// Opens `<target>.tmp-<random>` in the target's folder. With `create_folder` a missing
  /// folder is created; without, it is an error (writers of user-named files use that).
  /// Throws lg::Error naming the target and why it cannot be written.
  explicit AtomicFile(std::filesystem::path target, bool create_folder = true);
  ~AtomicFile();  ///< removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& temporary_path() const { return tmp_; }
  /// Flush, close and rename onto the target. Throws lg::Error (target and cause) if any
  /// write failed; the temporary file is then removed.
  void commit();

 private:
  void discard();
  std::filesystem::path target_;
  std::filesystem::path tmp_;
  FdStreamBuf buffer_;
  std::ostream out_{nullptr};
  int slot_ = -1;
  bool committed_ = false;
};

/// Write a whole file through AtomicFile.
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           bool create_folder = true);

/// Create `folder` and its parents; throws lg::Error naming `folder` (or `for_file`, the file
/// that is to go there, when given) and the cause (a file in the way, no permission, a
/// read-only file system) instead of std::filesystem's message.
void create_output_folder(const std::filesystem::path& folder,
                          const std::filesystem::path& for_file = {});

/// The start of this process's temporary names: ".tmp-<host>-<pid>-" (a random number follows).
std::string temporary_suffix();

/// Whether `filename` (a name, not a path) is a temporary of this or another process: it holds
/// ".tmp-" (see temporary_suffix()). Folder listings that read outputs skip these: another
/// process writing into the same folder renames or removes them at any moment.
bool is_temporary_name(const std::string& filename);

/// Remove, under `folder` (recursively), the temporaries that processes of this machine left
/// when they were killed without a chance to clean up (SIGKILL, out of memory, a power cut):
/// those whose process no longer exists. Temporaries of live processes (another run writing
/// into the same folder) and of other machines stay. Returns how many were removed.
std::size_t remove_stale_temporaries(const std::filesystem::path& folder);

}  // namespace lg
