#include "core/atomic_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace lg {
namespace fs = std::filesystem;

// ---- FdStreamBuf ---------------------------------------------------------------------------

FdStreamBuf::~FdStreamBuf() { close(); }

void FdStreamBuf::attach(int fd) {
  fd_ = fd;
  error_ = 0;
  buffer_.resize(1 << 16);
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

bool FdStreamBuf::write_bytes(const char* data, std::size_t n) {
  while (n > 0) {
    if (error_ != 0) return false;
    const ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool FdStreamBuf::flush_buffer() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  const bool ok = n == 0 || write_bytes(pbase(), n);
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return ok;
}

FdStreamBuf::int_type FdStreamBuf::overflow(int_type c) {
  if (fd_ < 0 || !flush_buffer()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

std::streamsize FdStreamBuf::xsputn(const char* s, std::streamsize n) {
  if (fd_ < 0) return 0;
  if (n <= 0) return 0;  // nothing to copy (and `s` may be null: memcpy must not see it)
  const std::size_t room = static_cast<std::size_t>(epptr() - pptr());
  const std::size_t count = static_cast<std::size_t>(n);
  if (count <= room) {
    std::memcpy(pptr(), s, count);
    pbump(static_cast<int>(count));
    return n;
  }
  if (!flush_buffer() || !write_bytes(s, count)) return 0;
  return n;
}

int FdStreamBuf::sync() { return fd_ >= 0 && flush_buffer() ? 0 : -1; }

bool FdStreamBuf::close() {
  if (fd_ < 0) return error_ == 0;
  flush_buffer();
  if (::close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
  return error_ == 0;
}

// ---- folders -------------------------------------------------------------------------------

void create_output_folder(const fs::path& folder, const fs::path& for_file) {
  if (folder.empty()) return;
  const std::string named = for_file.empty() ? folder.string() : for_file.string();
  const std::string what =
      for_file.empty() ? "cannot create the output folder: "
                       : "cannot create its folder '" + folder.string() + "': ";
  std::error_code ec;
  if (fs::is_directory(folder, ec)) return;
  // Find the first part of the path that is not a folder, to name it.
  fs::path prefix;
  for (const fs::path& part : folder) {
    prefix /= part;
    const fs::file_status st = fs::status(prefix, ec);
    if (fs::exists(st) && !fs::is_directory(st))
      throw Error(named, 0, what + "'" + prefix.string() + "' is a file, not a folder");
  }
  fs::create_directories(folder, ec);
  if (ec && ec.value() == ENOENT) {
    // Every parent exists as a folder (checked above): the file system refuses new entries.
    fs::path existing = folder;
    while (existing.has_parent_path() && !fs::is_directory(existing, ec)) existing = existing.parent_path();
    throw Error(named, 0,
                what + "the file system of '" + existing.string() +
                    "' does not allow new folders there (No such file or directory)");
  }
  if (ec)
    throw Error(named, 0, what + describe_write_errno(ec.value()));
}

// ---- AtomicFile ----------------------------------------------------------------------------

AtomicFile::AtomicFile(fs::path target, bool create_folder) : target_(std::move(target)) {
  const fs::path folder = target_.parent_path();
  std::error_code ec;
  if (fs::is_directory(target_, ec))
    throw Error(target_.string(), 0, "cannot write: a folder of that name is in the way");
  if (create_folder) {
    create_output_folder(folder, target_);
  } else if (!folder.empty() && !fs::is_directory(folder, ec)) {
    throw Error(target_.string(), 0,
                fs::exists(folder, ec)
                    ? "cannot write: '" + folder.string() + "' is a file, not a folder"
                    : "cannot write: the folder '" + folder.string() + "' does not exist");
  }
  std::random_device rd;
  tmp_ = target_;
  tmp_ += temporary_suffix() + std::to_string(rd());
  slot_ = register_temporary(tmp_);
  const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error_number = errno;
    unregister_temporary(slot_);
    slot_ = -1;
    // ENOENT in an existing folder: a file system that takes no new files (/proc, /sys).
    if (error_number == ENOENT && fs::is_directory(folder.empty() ? fs::path(".") : folder, ec))
      throw Error(target_.string(), 0,
                  "cannot write: the file system of '" + folder.string() +
                      "' does not allow new files there (" + describe_write_errno(error_number) + ")");
    throw Error(target_.string(), 0, "cannot write: " + describe_write_errno(error_number));
  }
  buffer_.attach(fd);
  out_.rdbuf(&buffer_);
}

void AtomicFile::discard() {
  buffer_.close();
  std::error_code ec;
  fs::remove(tmp_, ec);
  unregister_temporary(slot_);
  slot_ = -1;
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::commit() {
  out_.flush();
  const bool stream_ok = static_cast<bool>(out_);
  const bool closed = buffer_.close();
  if (!stream_ok || !closed) {
    const int error_number = buffer_.error();
    discard();
    throw Error(target_.string(), 0,
                "write failed: " + (error_number != 0 ? describe_write_errno(error_number)
                                                      : std::string("the stream reported an error")) +
                    "; nothing was written");
  }
  std::error_code ec;
  fs::rename(tmp_, target_, ec);
  if (ec) {
    discard();
    throw Error(target_.string(), 0,
                "cannot rename the finished file into place: " + describe_write_errno(ec.value()));
  }
  unregister_temporary(slot_);
  slot_ = -1;
  committed_ = true;
}

void write_file_atomically(const fs::path& target, std::string_view content, bool create_folder) {
  AtomicFile file(target, create_folder);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

namespace {

/// This machine's name as temporary names carry it (letters, digits, '-' only).
std::string host_tag() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  std::string out;
  for (const char* c = name; *c; ++c)
    out += std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' ? *c : '-';
  return out.empty() ? "host" : out;
}

}  // namespace

std::string temporary_suffix() {
  static const std::string host = host_tag();
  return ".tmp-" + host + "-" + std::to_string(static_cast<long>(::getpid())) + "-";
}

bool is_temporary_name(const std::string& filename) { return filename.find(".tmp-") != std::string::npos; }

std::size_t remove_stale_temporaries(const fs::path& folder) {
  static const std::string host = host_tag();
  const std::string mark = ".tmp-" + host + "-";
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t at = name.rfind(mark);
    if (at == std::string::npos || !it->is_regular_file(ec)) continue;
    const std::string rest = name.substr(at + mark.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    long pid = 0;
    try {
      pid = std::stol(rest.substr(0, dash));
    } catch (const std::exception&) {
      continue;
    }
    if (pid <= 0 || pid == static_cast<long>(::getpid())) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or unknown
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace lg
