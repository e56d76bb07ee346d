// stb_image and stb_image_write compiled into the fuzz targets with coverage and sanitizers:
// the same headers as Debian's libstb.so (libstb-dev), which the toolkit links, built from
// source here so that libFuzzer sees inside the decoders.
//
// stb's internal assertions are compiled out, as in Debian's libstb.so (which decodes what
// trips them): a corrupt JPEG fails one in stbi__jpeg_huff_decode (bench/README.md, "Fuzzing",
// open items; tests/fuzz/open/), and the fuzzer is to look for memory errors in the code the
// toolkit runs.
#define STBI_ASSERT(x) ((void)0)
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
