// libFuzzer target: the other formats stb_image decodes (BMP, GIF, TGA, PSD, HDR, PIC, PNM)
// through lg::decode_image.
// The input and how it is read: run_image_other in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("image.bin");
  return lg::fuzz::run_image_other(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
