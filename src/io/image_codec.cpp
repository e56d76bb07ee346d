// Image decoding and PNG writing through Debian's stb (libstb: the implementation lives in the
// shared library, so only the declarations are included here). Bytes are checked before stb
// sees them (truncated files, oversized headers and chunks, Huffman tables past stb's arrays:
// fuzz findings, bench/README "Fuzzing"); stb reads through callbacks that notice the end.
#include <fmt/format.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>


#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/image_dataset.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {
/// "JPEG", "PNG", "GIF" or "BMP" from the file's first bytes; nullptr when none matches.
const char* sniff_format(const fs::path& path) {
  unsigned char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const std::streamsize got = in.gcount();
  if (got >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return "JPEG";
  if (got >= 8 && std::memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
  if (got >= 4 && std::memcmp(head, "GIF8", 4) == 0) return "GIF";
  if (got >= 2 && head[0] == 'B' && head[1] == 'M') return "BMP";
  return nullptr;
}

// Decoding works through stb's callbacks so that we learn whether a decoder wanted bytes past
// the end of the file: stb pads a short read with a zero byte, and its BMP, TGA, PSD, HDR, PNM
// and GIF decoders then return a "decoded" image from a truncated file (PNG and JPEG check
// their own structure and fail).
struct StbFile {
  std::FILE* file = nullptr;
  std::uintmax_t size = 0;
  bool past_end = false;  ///< a read found no byte left, or a skip went beyond the end
};
int stb_read(void* user, char* data, int size) {
  auto* f = static_cast<StbFile*>(user);
  const std::size_t got = std::fread(data, 1, static_cast<std::size_t>(size), f->file);
  if (got == 0 && size > 0) f->past_end = true;
  return static_cast<int>(got);
}
void stb_skip(void* user, int n) {
  auto* f = static_cast<StbFile*>(user);
  std::fseek(f->file, n, SEEK_CUR);
  const long at = std::ftell(f->file);
  if (at < 0 || static_cast<std::uintmax_t>(at) > f->size) f->past_end = true;
  // fseek clears the end-of-file flag, which stb's loops rely on: read a byte to set it again
  // (as stb's own stdio skip does; without it a JPEG that skips past the end hung stb).
  const int c = std::fgetc(f->file);
  if (c != EOF) std::ungetc(c, f->file);
}
int stb_eof(void* user) {
  std::FILE* f = static_cast<StbFile*>(user)->file;
  return std::feof(f) || std::ferror(f);
}
const stbi_io_callbacks kStbCallbacks = {stb_read, stb_skip, stb_eof};

// What stb 2.27 (Debian's libstb) does not check itself and fuzzing showed it needs, checked
// on the file's bytes before stb sees them; returns the problem, or "" when there is none.
//  * JPEG: the 16 code counts of a DHT table may sum to at most 256 codes. stb trusts them and
//    writes past its 257-byte arrays (stbi__build_huffman): memory corruption from one file.
//  * PNG: every chunk's length fits in the rest of the file (stb reallocates its buffer for a
//    claimed IDAT length, up to 2 GB for a 100-byte file, before reading it).
//  * PNM (P5, P6): width, height and maxval of at most 9 digits (stb reads them into an int
//    with no overflow check), and maxval at most 255: stb's 16-bit PNM path reads past its
//    buffer (heap-buffer-overflow in stbi__convert_16_to_8).
std::string stb_precheck(const std::vector<unsigned char>& b) {
  const std::size_t size = b.size();
  if (size >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
    for (std::size_t p = 8; p + 8 <= size;) {
      const std::uint64_t length = std::uint64_t{b[p]} << 24 | std::uint64_t{b[p + 1]} << 16 |
                                   std::uint64_t{b[p + 2]} << 8 | b[p + 3];
      const std::string type(reinterpret_cast<const char*>(&b[p + 4]), 4);
      if (length + 12 > size - p)  // length, type, data, CRC
        return fmt::format("the file starts like a PNG but is truncated or corrupt (the chunk "
                           "at byte {} claims {} bytes, {} are left)",
                           p, length, size - p >= 12 ? size - p - 12 : 0);
      if (type == "IEND") break;
      p += 12 + length;
    }
  } else if (size >= 3 && b[0] == 0xFF && b[1] == 0xD8) {
    // Marker segments as stb walks them; bytes outside segments (scan data, junk) are skipped
    // one by one until the next 0xFF that starts a marker.
    for (std::size_t p = 2; p + 4 <= size;) {
      const unsigned m = b[p + 1];
      if (b[p] != 0xFF || m == 0x00 || m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
        ++p;
        continue;
      }
      if (m == 0xD9) break;  // end of image
      const std::size_t length = std::size_t{b[p + 2]} << 8 | b[p + 3];
      if (m == 0xC4) {  // DHT: tables of 1 + 16 + n bytes while the segment lasts (stb's loop)
        long left = static_cast<long>(length) - 2;
        for (std::size_t q = p + 4; left > 0 && q < size;) {
          unsigned codes = 0;  // (stb reads zeros past the end: a table may straddle it)
          for (std::size_t i = 1; i <= 16 && q + i < size; ++i) codes += b[q + i];
          if (codes > 256)
            return fmt::format("JPEG: the Huffman table at byte {} declares {} codes (at most 256 "
                               "exist; a corrupt file)", q, codes);
          left -= 17 + static_cast<long>(codes);
          q += 17 + codes;
        }
      }
      p += 2 + length;
    }
  } else if (size >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) {
    std::size_t p = 2;
    for (int field = 0; field < 3; ++field) {
      while (p < size && (std::isspace(b[p]) || b[p] == '#')) {
        if (b[p] != '#') ++p;
        else while (p < size && b[p] != '\n' && b[p] != '\r') ++p;  // a comment
      }
      std::size_t digits = 0;
      long value = 0;
      for (; p < size && std::isdigit(b[p]); ++p, ++digits)
        if (digits < 9) value = value * 10 + (b[p] - '0');
      if (digits > 9)
        return fmt::format("PNM header: a number of {} digits (width, height and maximum value "
                           "have at most 9; a corrupt file)", digits);
      if (field == 2 && value > 255)
        return fmt::format("PNM header: maximum value {}: 16-bit PNM is not supported (save "
                           "8-bit, maximum value 255)", value);
    }
  }
  return {};
}

// 8192 x 8192: a larger "image" is a corrupt header (a 25-byte PNM can claim 16000 x 16000 and
// have stb allocate 768 MB before it finds the data missing), not a training image.
constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 26;
}  // namespace

Image decode_image(const fs::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  // stb only says "can't fopen": tell a missing file from a folder or an unreadable one.
  if (!fs::exists(path, ec))
    throw Error(file, 0, "cannot decode the image: the file does not exist");
  if (fs::is_directory(path, ec))
    throw Error(file, 0, "cannot decode the image: this is a folder, not an image file");
  int width = 0;
  int height = 0;
  int channels_in_file = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) throw Error(file, 0, fmt::format("cannot decode the image: {}", std::strerror(errno)));
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(file, 0, fmt::format("cannot decode the image: {}", ec.message()));
  {
    std::vector<unsigned char> bytes(size);
    bytes.resize(std::fread(bytes.data(), 1, bytes.size(), in.get()));
    if (const std::string problem = stb_precheck(bytes); !problem.empty())
      throw Error(file, 0, "cannot decode the image: " + problem);
    std::rewind(in.get());
  }
  StbFile source{in.get(), size, false};
  if (stbi_info_from_callbacks(&kStbCallbacks, &source, &width, &height, &channels_in_file) &&
      static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > kMaxPixels)
    throw Error(file, 0, fmt::format("cannot decode the image: its header says {} x {} pixels, "
                                     "more than the {} (8192 x 8192) taken (a corrupt header?)",
                                     width, height, kMaxPixels));
  std::rewind(in.get());
  source.past_end = false;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_callbacks(&kStbCallbacks, &source, &width, &height, &channels_in_file, 3),
      &stbi_image_free);
  const char* kind = sniff_format(path);
  const bool checks_itself = kind && (std::strcmp(kind, "PNG") == 0 || std::strcmp(kind, "JPEG") == 0);
  if (data && source.past_end && !checks_itself)
    throw Error(file, 0, fmt::format("cannot decode the image: the file ends before the pixels "
                                     "its {} x {} header announces (truncated)", width, height));
  if (!data) {
    std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "unknown reason";
    // stb copies a PNG chunk's type bytes into "XXXX PNG chunk not known": keep the text clean.
    for (char& c : reason)
      if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    // stb tries every decoder in turn and reports the last one's complaint ("bad png sig" for
    // a cut-off JPEG), so say what the file starts like.
    throw Error(file, 0,
                kind ? fmt::format("cannot decode the image (stb: {}); the file starts like a {} "
                                   "but is truncated or corrupt",
                                   reason, kind)
                     : fmt::format("cannot decode the image (stb: {}); expected a readable JPEG, "
                                   "PNG, BMP, GIF, TGA, PSD, HDR, PIC or PNM file",
                                   reason));
  }
  if (width <= 0 || height <= 0) throw Error(file, 0, "the image has no pixels");
  Image image;
  image.width = width;
  image.height = height;
  const std::size_t bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  image.pixels.assign(data.get(), data.get() + bytes);
  return image;
}

namespace {
// stbi_write_png_to_func callback: append the encoded bytes to the open temporary file.
void write_to_stream(void* context, void* data, int size) {
  static_cast<AtomicFile*>(context)->stream().write(static_cast<const char*>(data), size);
}
}  // namespace

void write_png(const Image& image, const fs::path& path) {
  const std::string file = path.string();
  if (image.width <= 0 || image.height <= 0)
    throw Error(file, 0,
                fmt::format("cannot write a PNG of {} x {} pixels", image.width, image.height));
  const std::size_t expected =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3;
  if (image.pixels.size() != expected)
    throw Error(file, 0,
                fmt::format("cannot write the PNG: {} x {} RGB needs {} bytes, the image has {}",
                            image.width, image.height, expected, image.pixels.size()));
  if (static_cast<long long>(image.width) * 3 > std::numeric_limits<int>::max())
    throw Error(file, 0, "cannot write the PNG: the image is too wide for stb");
  AtomicFile out(path);
  const int ok = stbi_write_png_to_func(&write_to_stream, &out, image.width, image.height, 3,
                                        image.pixels.data(), image.width * 3);
  if (!ok) throw Error(file, 0, "stb could not encode the PNG (out of memory?)");
  out.commit();
}

}  // namespace lg
