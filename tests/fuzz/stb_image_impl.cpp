// stb_image and stb_image_write compiled into the fuzz targets with coverage and sanitizers:
// the same headers as Debian's libstb.so (libstb-dev), which the toolkit links, built from
// source here so that libFuzzer sees inside the decoders.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
