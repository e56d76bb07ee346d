// stb_image and stb_image_write compiled into the fuzz targets with coverage and sanitizers:
// the same headers as Debian's libstb.so (libstb-dev), which the toolkit links, built from
// source here so that libFuzzer sees inside the decoders.
//
// stb's internal assertions are compiled out, as in Debian's libstb.so, so that the fuzzer
// looks at the code the toolkit runs. (A corrupt JPEG failed one in stbi__jpeg_huff_decode,
// finding 13 in bench/README.md, "Fuzzing"; JPEG has gone to libjpeg-turbo since, and stb's
// JPEG decoder is not reached.)
#define STBI_ASSERT(x) ((void)0)
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
