#include "io/idx_reader.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <limits>
#include <string>
#include <system_error>

#include "core/error.hpp"

namespace lg {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte data, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte data, 1 dimension
// No real IDX file comes near this; a header claiming more is corrupt, not a big data set.
constexpr std::uint64_t kMaxDataBytes = std::uint64_t{1} << 40;

/// A gzFile closed on every path out.
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path.string()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw Error(path_, 0, std::filesystem::exists(path, ec) ? "not a regular file"
                                                              : "file not found");
    file_ = gzopen(path_.c_str(), "rb");
    if (!file_) throw Error(path_, 0, "cannot open the file for reading");
    gzbuffer(file_, 1u << 17);
  }
  ~GzReader() {
    if (file_) gzclose(file_);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Read up to `n` bytes into `out`; returns how many were read (fewer only at the end).
  std::size_t read(std::uint8_t* out, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      // gzread takes an unsigned int length: read in chunks below INT_MAX.
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
      const int r = gzread(file_, out + got, chunk);
      if (r < 0) {
        int code = 0;
        const char* why = gzerror(file_, &code);
        throw Error(path_, 0, fmt::format("corrupt or unreadable gzip data: {}", why ? why : "?"));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

  /// Read a big-endian 32-bit header word; `what` names it in the truncation error.
  std::uint32_t read_u32(const char* what) {
    std::array<std::uint8_t, 4> b{};
    const std::size_t got = read(b.data(), b.size());
    if (got != b.size())
      throw Error(path_, 0, fmt::format("truncated IDX header: expected 4 bytes of the {}, got {}",
                                        what, got));
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
           (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
  }

  /// Read exactly `n` data bytes, growing the buffer as data arrives (a corrupt header claiming
  /// a huge count fails at the end of the real data, not on a huge allocation), then check
  /// that nothing follows.
  std::vector<std::uint8_t> read_data(std::uint64_t n, const std::string& shape) {
    std::vector<std::uint8_t> data;
    // Steps double from 64 KiB to 16 MiB: a short file claiming much costs little.
    std::size_t step = std::size_t{1} << 16;
    std::size_t got = 0;
    const auto total = static_cast<std::size_t>(n);
    while (got < total) {
      const std::size_t want = std::min(step, total - got);
      data.resize(got + want);
      const std::size_t r = read(data.data() + got, want);
      got += r;
      if (r < want) break;
      step = std::min(step * 2, std::size_t{1} << 24);
    }
    if (got != total)
      throw Error(path_, 0,
                  fmt::format("truncated IDX data: the header says {} = {} bytes, the file has {}",
                              shape, total, got));
    std::uint8_t extra = 0;
    if (read(&extra, 1) != 0)
      throw Error(path_, 0,
                  fmt::format("more bytes after the IDX data than the header's {} = {} bytes",
                              shape, total));
    return data;
  }

  void check_magic(std::uint32_t expected, const char* kind) {
    const std::uint32_t magic = read_u32("magic number");
    if (magic != expected)
      throw Error(path_, 0,
                  fmt::format("bad IDX magic number 0x{:08x}: expected 0x{:08x} ({}){}", magic,
                              expected, kind,
                              magic == kImagesMagic   ? " - this is an image file"
                              : magic == kLabelsMagic ? " - this is a label file"
                                                      : ""));
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

/// a * b, or an lg::Error when it passes kMaxDataBytes.
std::uint64_t checked_product(const std::string& path, std::uint64_t a, std::uint64_t b,
                              const std::string& shape) {
  if (a != 0 && b > kMaxDataBytes / a)
    throw Error(path, 0,
                fmt::format("IDX dimensions {} overflow: more than 2^40 bytes of data", shape));
  return a * b;
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  GzReader in(path);
  in.check_magic(kImagesMagic, "unsigned-byte images, 3 dimensions");
  const std::uint32_t count = in.read_u32("image count");
  const std::uint32_t rows = in.read_u32("row count");
  const std::uint32_t cols = in.read_u32("column count");
  const std::string shape = fmt::format("{} x {} x {}", count, rows, cols);
  if (rows == 0 || cols == 0)
    throw Error(in.path(), 0, fmt::format("IDX image dimensions {}: rows and columns must be >= 1",
                                          shape));
  if (rows > static_cast<std::uint32_t>(INT_MAX) || cols > static_cast<std::uint32_t>(INT_MAX))
    throw Error(in.path(), 0, fmt::format("IDX image dimensions {} overflow", shape));
  const std::uint64_t bytes = checked_product(
      in.path(), count, checked_product(in.path(), rows, cols, shape), shape);
  IdxImages images;
  images.count = count;
  images.rows = static_cast<int>(rows);
  images.cols = static_cast<int>(cols);
  images.pixels = in.read_data(bytes, shape);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
  GzReader in(path);
  in.check_magic(kLabelsMagic, "unsigned-byte labels, 1 dimension");
  const std::uint32_t count = in.read_u32("label count");
  return in.read_data(count, fmt::format("{} labels", count));
}

}  // namespace lg
