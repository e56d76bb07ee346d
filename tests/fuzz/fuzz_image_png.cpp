// libFuzzer target: PNG files through lg::decode_image (io/image_dataset, stb_image).
// The input and how it is read: run_image_png in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("image.png");
  return lg::fuzz::run_image_png(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
