// decode_image on JPEG (libjpeg-turbo): the files are encoded here with libjpeg's own encoder,
// so every case (baseline, progressive, grey, Adobe CMYK, damaged) is generated, not stored.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>  // before jpeglib.h
#include <cstdlib>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/image_dataset.hpp"

namespace fs = std::filesystem;
using lg::Image;
using lg::test::TempDir;

namespace {

enum class Kind { Baseline, Progressive, Grey, AdobeCmyk };

/// A JPEG of `pixels` (width x height x components, row-major) at quality 95 without chroma
/// subsampling.
std::string encode(const std::vector<unsigned char>& pixels, int width, int height, Kind kind) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = static_cast<JDIMENSION>(width);
  c.image_height = static_cast<JDIMENSION>(height);
  c.input_components = kind == Kind::Grey ? 1 : kind == Kind::AdobeCmyk ? 4 : 3;
  c.in_color_space = kind == Kind::Grey ? JCS_GRAYSCALE : kind == Kind::AdobeCmyk ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  for (int i = 0; i < c.num_components; ++i) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  if (kind == Kind::AdobeCmyk) c.write_Adobe_marker = TRUE;  // (jpeg_set_defaults does for CMYK)
  if (kind == Kind::Progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(c.input_components);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<unsigned char*>(pixels.data()) + c.next_scanline * stride;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::string bytes(reinterpret_cast<const char*>(out), size);
  std::free(out);
  return bytes;
}

/// A smooth RGB gradient (JPEG keeps it within a few levels at quality 95).
std::vector<unsigned char> gradient(int width, int height) {
  std::vector<unsigned char> p;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      p.push_back(static_cast<unsigned char>(40 + 5 * x));
      p.push_back(static_cast<unsigned char>(200 - 6 * y));
      p.push_back(static_cast<unsigned char>(100 + 2 * x + 2 * y));
    }
  return p;
}

int max_difference(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b) {
  REQUIRE(a.size() == b.size());
  int most = 0;
  for (std::size_t i = 0; i < a.size(); ++i) most = std::max(most, std::abs(a[i] - b[i]));
  return most;
}

std::string error_text(const fs::path& path) {
  try {
    lg::decode_image(path);
  } catch (const lg::Error& e) {
    CHECK(e.file() == path.string());
    return e.message();
  }
  FAIL("no lg::Error for " << path);
  return "";
}

}  // namespace

TEST_CASE("JPEG: baseline and progressive files decode to the same pixels", "[io][jpeg]") {
  TempDir tmp;
  const int w = 32, h = 24;
  const std::vector<unsigned char> rgb = gradient(w, h);
  const Image base = lg::decode_image(tmp.write("base.jpg", encode(rgb, w, h, Kind::Baseline)));
  CHECK(base.width == w);
  CHECK(base.height == h);
  CHECK(max_difference(base.pixels, rgb) <= 6);
  // Progressive coding sends the same quantised coefficients in several scans: every pixel
  // must come out identical.
  const Image prog = lg::decode_image(tmp.write("prog.jpg", encode(rgb, w, h, Kind::Progressive)));
  CHECK(prog.width == w);
  CHECK(prog.pixels == base.pixels);
}

TEST_CASE("JPEG: grey and Adobe CMYK files come out as RGB", "[io][jpeg]") {
  TempDir tmp;
  std::vector<unsigned char> grey;
  for (int i = 0; i < 16 * 8; ++i) grey.push_back(static_cast<unsigned char>(i % 16 * 16));
  const Image g = lg::decode_image(tmp.write("grey.jpg", encode(grey, 16, 8, Kind::Grey)));
  REQUIRE(g.pixels.size() == 16 * 8 * 3);
  for (std::size_t i = 0; i < grey.size(); ++i) {
    CHECK(g.pixels[3 * i] == g.pixels[3 * i + 1]);
    CHECK(g.pixels[3 * i] == g.pixels[3 * i + 2]);
    CHECK(std::abs(g.pixels[3 * i] - grey[i]) <= 6);
  }
  // Adobe (Photoshop) CMYK stores 255 - value. Left half: C=0 M=100% Y=100% K=0 (red); right
  // half: K = 50% on white (grey 127.5).
  std::vector<unsigned char> cmyk;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 16; ++x) {
      const bool red = x < 8;
      const unsigned char stored[4] = {255, static_cast<unsigned char>(red ? 0 : 255),
                                       static_cast<unsigned char>(red ? 0 : 255),
                                       static_cast<unsigned char>(red ? 255 : 127)};
      cmyk.insert(cmyk.end(), stored, stored + 4);
    }
  const Image c = lg::decode_image(tmp.write("cmyk.jpg", encode(cmyk, 16, 8, Kind::AdobeCmyk)));
  REQUIRE(c.pixels.size() == 16 * 8 * 3);
  for (int y = 0; y < 8; ++y)
    for (int x : {0, 3, 12, 15}) {
      const unsigned char* p = &c.pixels[3 * (y * 16 + x)];
      const int want[3] = {x < 8 ? 255 : 127, x < 8 ? 0 : 127, x < 8 ? 0 : 127};
      for (int k = 0; k < 3; ++k) CHECK(std::abs(p[k] - want[k]) <= 4);
    }
}

TEST_CASE("JPEG: damaged data is an error naming the file, harmless oddities are not",
          "[io][jpeg]") {
  TempDir tmp;
  const int w = 64, h = 48;
  const std::string good = encode(gradient(w, h), w, h, Kind::Baseline);
  const Image whole = lg::decode_image(tmp.write("good.jpg", good));
  // Cut inside the entropy-coded data: libjpeg would fill the rest with grey and warn.
  const std::string cut_message = error_text(tmp.write("cut.jpg", good.substr(0, good.size() * 3 / 4)));
  CHECK_THAT(cut_message, Catch::Matchers::StartsWith("cannot decode the image (libjpeg: "));
  CHECK_THAT(cut_message, Catch::Matchers::EndsWith("the file starts like a JPEG but is truncated or corrupt"));
  // The same for a progressive file cut in its later scans.
  const std::string prog = encode(gradient(w, h), w, h, Kind::Progressive);
  CHECK_THAT(error_text(tmp.write("prog-cut.jpg", prog.substr(0, prog.size() * 9 / 10))),
             Catch::Matchers::Contains("libjpeg: "));
  // ... and one cut just before its last scan: no scan is damaged, one is missing.
  const std::size_t last_scan = prog.rfind("\xFF\xDA");
  REQUIRE(last_scan != std::string::npos);
  CHECK_THAT(error_text(tmp.write("prog-scan-missing.jpg", prog.substr(0, last_scan))),
             Catch::Matchers::Contains("libjpeg: Premature end of JPEG file"));
  // Bytes that are not a marker where a marker must be (entropy data overwritten with 0xFF
  // 0xC8: a JPG reserved marker in the middle of the scan).
  std::string bad = good;
  const std::size_t sos = bad.rfind("\xFF\xDA");
  REQUIRE(sos != std::string::npos);
  for (std::size_t i = sos + 20; i + 1 < bad.size() - 2; i += 2) {
    bad[i] = '\xFF';
    bad[i + 1] = '\xC8';
  }
  CHECK_THAT(error_text(tmp.write("bad.jpg", bad)), Catch::Matchers::Contains("libjpeg: "));
  // A missing end-of-image marker, junk after it, and junk bytes between two segments change
  // no pixel: they decode.
  CHECK(lg::decode_image(tmp.write("no-eoi.jpg", good.substr(0, good.size() - 2))).pixels ==
        whole.pixels);
  CHECK(lg::decode_image(tmp.write("trailer.jpg", good + "trailing bytes")).pixels == whole.pixels);
  std::string junk = good;
  junk.insert(sos, "junk");
  CHECK(lg::decode_image(tmp.write("junk.jpg", junk)).pixels == whole.pixels);
  // Not a JPEG past its first bytes.
  CHECK_THAT(error_text(tmp.write("soi-only.jpg", std::string("\xFF\xD8", 2))),
             Catch::Matchers::Contains("libjpeg: "));
}
