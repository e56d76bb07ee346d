// Writes the committed image seeds of the fuzz targets (tests/fuzz/seeds/image_*): tiny images
// in every format stb_image_write produces (PNG grey / grey+alpha / RGB / RGBA, baseline JPEG,
// BMP, TGA plain and RLE, HDR), plus hand-made PNM, GIF and PSD headers. Rebuild and rerun with
//   g++ -std=c++17 -I/usr/include/stb tests/fuzz/make_image_seeds.cpp -lstb -o /tmp/seeds &&
//   /tmp/seeds tests/fuzz/seeds
#include <stb/stb_image_write.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> pattern(int w, int h, int comp) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w * h * comp));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c)
        px[static_cast<std::size_t>((y * w + x) * comp + c)] =
            static_cast<unsigned char>((x * 37 + y * 91 + c * 60) & 0xff);
  return px;
}

void bytes(const fs::path& path, const std::string& content) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const fs::path out = argv[1];
  for (const char* d : {"image_png", "image_jpeg", "image_other"}) fs::create_directories(out / d);
  const int w = 7, h = 5;
  for (int comp = 1; comp <= 4; ++comp) {
    const auto px = pattern(w, h, comp);
    stbi_write_png((out / "image_png" / ("c" + std::to_string(comp) + ".png")).c_str(), w, h,
                   comp, px.data(), w * comp);
  }
  for (int comp : {1, 3}) {
    const auto px = pattern(16, 9, comp);
    for (int q : {20, 90})
      stbi_write_jpg((out / "image_jpeg" / ("c" + std::to_string(comp) + "q" + std::to_string(q) + ".jpg")).c_str(),
                     16, 9, comp, px.data(), q);
  }
  const auto rgb = pattern(w, h, 3);
  const auto rgba = pattern(w, h, 4);
  stbi_write_bmp((out / "image_other" / "rgb.bmp").c_str(), w, h, 3, rgb.data());
  stbi_write_bmp((out / "image_other" / "rgba.bmp").c_str(), w, h, 4, rgba.data());
  stbi_write_tga_with_rle = 0;
  stbi_write_tga((out / "image_other" / "plain.tga").c_str(), w, h, 3, rgb.data());
  stbi_write_tga_with_rle = 1;
  stbi_write_tga((out / "image_other" / "rle.tga").c_str(), w, h, 4, rgba.data());
  std::vector<float> hdr(static_cast<std::size_t>(w * h * 3));
  for (std::size_t i = 0; i < hdr.size(); ++i) hdr[i] = static_cast<float>(i) * 0.37f;
  stbi_write_hdr((out / "image_other" / "tiny.hdr").c_str(), w, h, 3, hdr.data());
  // PNM: binary grey (P5) and colour (P6), 2 x 2.
  bytes(out / "image_other" / "grey.pgm", std::string("P5\n2 2\n255\n", 11) + std::string("\x00\x40\x80\xff", 4));
  bytes(out / "image_other" / "rgb.ppm",
        std::string("P6\n# c\n2 1\n255\n", 15) + std::string("\xff\x00\x00\x00\xff\x00", 6));
  // GIF89a, 1 x 1, two-colour palette, one LZW-coded pixel.
  bytes(out / "image_other" / "one.gif",
        std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\xff"
                    "\x21\xf9\x04\x01\x00\x00\x00\x00"
                    "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b", 43));
  // PSD, 1 x 1, 3 channels, 8 bits, RGB, raw (compression 0).
  bytes(out / "image_other" / "one.psd",
        std::string("8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x01"
                    "\x00\x08\x00\x03"
                    "\x00\x00\x00\x00" "\x00\x00\x00\x00" "\x00\x00\x00\x00" "\x00\x00"
                    "\x10\x20\x30", 43));
  return 0;
}
