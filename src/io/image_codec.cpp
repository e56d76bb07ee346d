// Image decoding and PNG writing. JPEG goes through libjpeg-turbo (Debian's libjpeg62-turbo:
// fuzzed by OSS-Fuzz, SIMD, the decoder Pillow ships for PyTorch pipelines), every
// other format through Debian's stb (libstb: the implementation lives in the shared library,
// so only the declarations are included here). stb 2.27 is not safe on hostile input (fuzz
// findings, bench/README "Fuzzing"): its bytes are checked before it sees them (truncated
// files, oversized headers and chunks, pixel counts a file of that size cannot hold) and it
// reads through callbacks that notice the end; it never sees a JPEG.
#include <fmt/format.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which uses FILE and size_t
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>  // the warning codes (after jpeglib.h, which it needs)

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/image_dataset.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {
/// What decode_image takes a file for, from its first bytes, and the most pixels a valid file of
/// that format holds per byte of file: a header that claims more is corrupt or the file is cut
/// (stb allocates and fills the claimed image before it finds the data missing).
struct Format {
  const char* name;                   ///< "JPEG", "PNG", ...; "" for none of the formats
  std::uint64_t max_pixels_per_byte;  ///< 0: not bounded here (libjpeg stops at the first problem)
};
Format sniff_format(const std::vector<unsigned char>& b) {
  const std::size_t n = b.size();
  // stb takes 0xFF fill bytes before the start-of-image marker; libjpeg gets all of these.
  std::size_t p = 0;
  while (p < n && b[p] == 0xFF) ++p;
  if (p > 0 && p < n && b[p] == 0xD8) return {"JPEG", 0};
  // deflate expands at most 1032-fold, and a 1-bit PNG holds 8 pixels per byte
  if (n >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return {"PNG", 1032 * 8};
  // an LZW code of at most 12 bits stands for at most 4096 pixels
  if (n >= 4 && std::memcmp(b.data(), "GIF8", 4) == 0) return {"GIF", 4096};
  if (n >= 2 && b[0] == 'B' && b[1] == 'M') return {"BMP", 8};  // 1 bit per pixel at the least
  // PackBits / RLE runs of 128 (PSD, TGA) or 127 (HDR) from 2 bytes
  if (n >= 4 && std::memcmp(b.data(), "8BPS", 4) == 0) return {"PSD", 64};
  if (n >= 2 && b[0] == '#' && b[1] == '?') return {"HDR", 64};
  // Softimage PIC: a mixed run's 16-bit count repeats one pixel up to 65535 times from 4 bytes
  if (n >= 4 && std::memcmp(b.data(), "\x53\x80\xF6\x34", 4) == 0) return {"PIC", 16384};
  if (n >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) return {"PNM", 1};
  // TGA has no signature: its colour-map type (0 or 1) and image type (1-3, 9-11) as stb's
  // test reads them. Anything else is no format: stb would try every decoder, and one that
  // reads past its first 128-byte buffer (its JPEG test skipping 0xFF bytes) makes stb's
  // rewind start the next test mid-file (fuzz finding 19: a PNM header after 128 0xFF bytes).
  if (n >= 3 && b[1] <= 1 && (b[2] == 1 || b[2] == 2 || b[2] == 3 || b[2] == 9 || b[2] == 10 ||
                              b[2] == 11))
    return {"TGA", 64};
  return {"", 0};
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

std::string too_many_pixels(std::uint64_t width, std::uint64_t height) {
  return fmt::format("cannot decode the image: its header says {} x {} pixels, more than the {} "
                     "(8192 x 8192) taken (a corrupt header?)",
                     width, height, kMaxPixels);
}

// libjpeg reports through these: an error, or a warning about corrupt data (a bad Huffman code,
// data ending early: libjpeg would fill in grey and go on), ends decoding with the message.
// Trace messages do not, nor the warnings that leave every pixel as the file means it: junk
// bytes between segments (skipped), an unknown JFIF version or Adobe transform code.
constexpr int kMaxJpegScans = 500;  // a progressive JPEG needs ~10; thousands make decoding crawl
struct JpegErrors {
  jpeg_error_mgr mgr;  // first: libjpeg passes &mgr, which is also the struct's address
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  bool warnings_fatal = true;
  char message[JMSG_LENGTH_MAX + 64] = {};
};
[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}
void jpeg_message(j_common_ptr cinfo, int level) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  const int code = cinfo->err->msg_code;
  if (level >= 0 || !e->warnings_fatal || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM ||
      code == JWRN_EXTRANEOUS_DATA)
    return;
  // The end of the file where more was expected: in a sequential file whose one scan holds
  // every component, the Huffman decoder prefetches past the last bits and a file without its
  // end marker gets here with every pixel read; data really missing in the scan is a "premature
  // end of data segment" warning of its own. In a progressive or multi-scan file the end can
  // fall between two scans, leaving pixels short of scans with no other word: an error.
  const auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (code == JWRN_JPEG_EOF && !d->progressive_mode && d->input_scan_number > 0 &&
      d->comps_in_scan == d->num_components)
    return;
  jpeg_fail(cinfo);
}
void jpeg_progress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxJpegScans) {
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(e->message, sizeof e->message, "more than %d scans (a corrupt progressive file)",
                  kMaxJpegScans);
    std::longjmp(e->jump, 1);
  }
}

// Every C++ object lives before setjmp (a longjmp may not skip a destructor); between setjmp
// and the end only libjpeg's C calls run.
Image decode_jpeg(const std::vector<unsigned char>& bytes, const std::string& file) {
  Image image;
  std::vector<unsigned char> row;
  jpeg_decompress_struct cinfo{};
  JpegErrors errors;
  cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = &jpeg_fail;
  errors.mgr.emit_message = &jpeg_message;
  errors.progress.progress_monitor = &jpeg_progress;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw Error(file, 0, fmt::format("cannot decode the image (libjpeg: {}); the file starts "
                                     "like a JPEG but is truncated or corrupt",
                                     errors.message));
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &errors.progress;
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (std::uint64_t{cinfo.image_width} * cinfo.image_height > kMaxPixels) {
    jpeg_destroy_decompress(&cinfo);
    throw Error(file, 0, too_many_pixels(cinfo.image_width, cinfo.image_height));
  }
  // Adobe CMYK / YCCK come out as (inverted) CMYK; everything else as RGB (grey included).
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  image.width = static_cast<int>(cinfo.output_width);
  image.height = static_cast<int>(cinfo.output_height);
  const std::size_t width = cinfo.output_width;
  image.pixels.resize(width * cinfo.output_height * 3);
  row.resize(width * static_cast<std::size_t>(cinfo.output_components));
  while (cinfo.output_scanline < cinfo.output_height) {
    unsigned char* out = image.pixels.data() + std::size_t{cinfo.output_scanline} * width * 3;
    JSAMPROW rows[1] = {cmyk ? row.data() : out};
    jpeg_read_scanlines(&cinfo, rows, 1);
    if (cmyk)  // Adobe stores CMYK inverted: R = (255 - C)(255 - K) / 255 on the true values
      for (std::size_t x = 0; x < width; ++x) {
        const unsigned k = row[4 * x + 3];
        for (int c = 0; c < 3; ++c)
          out[3 * x + c] = static_cast<unsigned char>((row[4 * x + c] * k + 127) / 255);
      }
  }
  // Every pixel is decoded: what follows the last scan (a missing end marker, trailing bytes)
  // cannot change them.
  errors.warnings_fatal = false;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return image;
}
}  // namespace

Image decode_image(const fs::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  // stb only says "can't fopen": tell a missing file from a folder or an unreadable one.
  if (!fs::exists(path, ec))
    throw Error(file, 0, "cannot decode the image: the file does not exist");
  if (fs::is_directory(path, ec))
    throw Error(file, 0, "cannot decode the image: this is a folder, not an image file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) throw Error(file, 0, fmt::format("cannot decode the image: {}", std::strerror(errno)));
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(file, 0, fmt::format("cannot decode the image: {}", ec.message()));
  std::vector<unsigned char> bytes(size);
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), in.get()));
  if (std::ferror(in.get()))
    throw Error(file, 0, fmt::format("cannot decode the image: {}", std::strerror(errno)));
  const Format format = sniff_format(bytes);
  if (std::strcmp(format.name, "JPEG") == 0) return decode_jpeg(bytes, file);
  // Layered Photoshop documents and Softimage PIC are not data-set images, and stb 2.27's PSD
  // path converts out-of-range floats to bytes (undefined behaviour; fuzz finding 17): refused.
  if (std::strcmp(format.name, "PSD") == 0 || std::strcmp(format.name, "PIC") == 0)
    throw Error(file, 0, fmt::format("cannot decode the image: {} files are not read (save it as "
                                     "PNG or JPEG)",
                                     std::strcmp(format.name, "PSD") == 0 ? "Photoshop (PSD)"
                                                                         : "Softimage PIC"));
  if (format.name[0] == '\0')
    throw Error(file, 0, "cannot decode the image: not a JPEG, PNG, BMP, GIF, TGA, HDR or PNM "
                         "file (its first bytes match none of them)");
  if (const std::string problem = stb_precheck(bytes); !problem.empty())
    throw Error(file, 0, "cannot decode the image: " + problem);
  bytes = {};
  std::rewind(in.get());

  int width = 0;
  int height = 0;
  int channels_in_file = 0;
  StbFile source{in.get(), size, false};
  if (stbi_info_from_callbacks(&kStbCallbacks, &source, &width, &height, &channels_in_file)) {
    const std::uint64_t pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    if (pixels > kMaxPixels) throw Error(file, 0, too_many_pixels(width, height));
    if (pixels > format.max_pixels_per_byte * size)
      throw Error(file, 0, fmt::format("cannot decode the image: its header says {} x {} pixels, "
                                       "more than a {}-byte {} file can hold (at most {} per "
                                       "byte): a corrupt header or a truncated file",
                                       width, height, size, format.name,
                                       format.max_pixels_per_byte));
  }
  std::rewind(in.get());
  source.past_end = false;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_callbacks(&kStbCallbacks, &source, &width, &height, &channels_in_file, 3),
      &stbi_image_free);
  const bool has_signature = std::strcmp(format.name, "TGA") != 0;
  if (data && source.past_end && std::strcmp(format.name, "PNG") != 0)  // PNG checks itself
    throw Error(file, 0, fmt::format("cannot decode the image: the file ends before the pixels "
                                     "its {} x {} header announces (truncated)", width, height));
  if (!data) {
    std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "unknown reason";
    // stb copies a PNG chunk's type bytes into "XXXX PNG chunk not known": keep the text clean.
    for (char& c : reason)
      if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    // stb tries every decoder in turn and reports the last one's complaint ("bad png sig" for
    // a cut-off GIF), so say what the file starts like.
    throw Error(file, 0,
                has_signature
                    ? fmt::format("cannot decode the image (stb: {}); the file starts like a {} "
                                  "but is truncated or corrupt",
                                  reason, format.name)
                    : fmt::format("cannot decode the image (stb: {}); expected a readable JPEG, "
                                  "PNG, BMP, GIF, TGA, HDR or PNM file",
                                  reason));
  }
  if (width <= 0 || height <= 0) throw Error(file, 0, "the image has no pixels");
  Image image;
  image.width = width;
  image.height = height;
  const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  image.pixels.assign(data.get(), data.get() + count);
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
