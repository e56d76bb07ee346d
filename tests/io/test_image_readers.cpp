// Image decoding and the image-dataset readers: a PNG round trip, corrupt files, and tiny
// hand-built layouts (a CSV-labelled folder, a VOC 2007 devkit, a COCO instances JSON) in a
// TempDir, with exact label matrices and one test per error class, each checking the file name
// and line in the message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/image_dataset.hpp"
#include "io/image_readers.hpp"

namespace {
namespace fs = std::filesystem;
using lg::Image;
using lg::ImageDataset;
using lg::test::label_matrix;
using lg::test::TempDir;

// A w x h image whose every byte differs from its neighbours, so a swapped channel, row or
// column shows up in the comparison.
Image pattern(int width, int height) {
  Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<std::size_t>(width * height * 3));
  for (std::size_t i = 0; i < image.pixels.size(); ++i)
    image.pixels[i] = static_cast<std::uint8_t>((i * 37 + 11) % 256);
  return image;
}

using lg::test::error_of;

// `message` starts with "file:line: " (or "file: " when line is 0) and contains `what`.
void check_message(const std::string& message, const fs::path& file, std::size_t line,
                   const std::string& what) {
  INFO(message);
  const std::string where =
      line ? file.string() + ":" + std::to_string(line) + ": " : file.string() + ": ";
  CHECK(message.rfind(where, 0) == 0);
  CHECK(message.find(what) != std::string::npos);
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Made with stb_image_write (stbi_write_jpg_to_func, quality 75): 8 x 8, every pixel
// (200, 50, 20).
const std::string kJpeg8x8(
    "\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    "\xff\xdb\x00\x84\x00\x08\x06\x06\x07\x06\x05\x08\x07\x07\x07\x09\x09\x08\x0a\x0c"
    "\x14\x0d\x0c\x0b\x0b\x0c\x19\x12\x13\x0f\x14\x1d\x1a\x1f\x1e\x1d\x1a\x1c\x1c\x20"
    "\x24\x2e\x27\x20\x22\x2c\x23\x1c\x1c\x28\x37\x29\x2c\x30\x31\x34\x34\x34\x1f\x27"
    "\x39\x3d\x38\x32\x3c\x2e\x33\x34\x32\x01\x09\x09\x09\x0c\x0b\x0c\x18\x0d\x0d\x18"
    "\x32\x21\x1c\x21\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32"
    "\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32"
    "\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\x32\xff\xc0\x00\x11\x08\x00"
    "\x08\x00\x08\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xc4\x01\xa2\x00\x00\x01"
    "\x05\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04\x05"
    "\x06\x07\x08\x09\x0a\x0b\x10\x00\x02\x01\x03\x03\x02\x04\x03\x05\x05\x04\x04\x00"
    "\x00\x01\x7d\x01\x02\x03\x00\x04\x11\x05\x12\x21\x31\x41\x06\x13\x51\x61\x07\x22"
    "\x71\x14\x32\x81\x91\xa1\x08\x23\x42\xb1\xc1\x15\x52\xd1\xf0\x24\x33\x62\x72\x82"
    "\x09\x0a\x16\x17\x18\x19\x1a\x25\x26\x27\x28\x29\x2a\x34\x35\x36\x37\x38\x39\x3a"
    "\x43\x44\x45\x46\x47\x48\x49\x4a\x53\x54\x55\x56\x57\x58\x59\x5a\x63\x64\x65\x66"
    "\x67\x68\x69\x6a\x73\x74\x75\x76\x77\x78\x79\x7a\x83\x84\x85\x86\x87\x88\x89\x8a"
    "\x92\x93\x94\x95\x96\x97\x98\x99\x9a\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xb2\xb3"
    "\xb4\xb5\xb6\xb7\xb8\xb9\xba\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xd2\xd3\xd4\xd5"
    "\xd6\xd7\xd8\xd9\xda\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xf1\xf2\xf3\xf4\xf5"
    "\xf6\xf7\xf8\xf9\xfa\x01\x00\x03\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00"
    "\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x11\x00\x02\x01\x02\x04"
    "\x04\x03\x04\x07\x05\x04\x04\x00\x01\x02\x77\x00\x01\x02\x03\x11\x04\x05\x21\x31"
    "\x06\x12\x41\x51\x07\x61\x71\x13\x22\x32\x81\x08\x14\x42\x91\xa1\xb1\xc1\x09\x23"
    "\x33\x52\xf0\x15\x62\x72\xd1\x0a\x16\x24\x34\xe1\x25\xf1\x17\x18\x19\x1a\x26\x27"
    "\x28\x29\x2a\x35\x36\x37\x38\x39\x3a\x43\x44\x45\x46\x47\x48\x49\x4a\x53\x54\x55"
    "\x56\x57\x58\x59\x5a\x63\x64\x65\x66\x67\x68\x69\x6a\x73\x74\x75\x76\x77\x78\x79"
    "\x7a\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x92\x93\x94\x95\x96\x97\x98\x99\x9a\xa2"
    "\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xc2\xc3\xc4"
    "\xc5\xc6\xc7\xc8\xc9\xca\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xe2\xe3\xe4\xe5\xe6"
    "\xe7\xe8\xe9\xea\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xff\xda\x00\x0c\x03\x01\x00"
    "\x02\x11\x03\x11\x00\x3f\x00\xe6\xa8\xa2\x8a\xf9\xb3\xf4\x53\xff\xd9",
    617);
// stbi_write_png_to_func, 3 x 2 grey (1 channel): 0 60 120 / 180 240 255.
const std::string kGreyPng3x2(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x03"
    "\x00\x00\x00\x02\x08\x00\x00\x00\x00\xb8\x1f\x39\xc6\x00\x00\x00\x10\x49\x44\x41"
    "\x54\x78\x5e\x63\x64\xb0\xb1\x61\xd8\xf2\xe1\x3f\x00\x07\x9f\x03\x1d\x4e\x4f\x67"
    "\x03\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    73);
// stbi_write_png_to_func, 2 x 1 RGBA: (10, 20, 30, 0) (40, 50, 60, 255).
const std::string kRgbaPng2x1(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02"
    "\x00\x00\x00\x01\x08\x06\x00\x00\x00\xf4\x22\x7f\x8a\x00\x00\x00\x11\x49\x44\x41"
    "\x54\x78\x5e\x63\xe4\x12\x91\x63\x90\x93\x93\xfb\x0f\x00\x03\xaf\x01\x97\x07\xef"
    "\x97\x83\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    74);
}  // namespace

// ---- decode_image / write_png ----

TEST_CASE("write_png then decode_image gives back the same pixels", "[io]") {
  TempDir tmp;
  const Image image = pattern(7, 5);
  const fs::path path = tmp / "sub" / "pattern.png";
  lg::write_png(image, path);
  const Image back = lg::decode_image(path);
  CHECK(back.width == 7);
  CHECK(back.height == 5);
  CHECK(back.pixels == image.pixels);
  // no temporary file left beside it
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(tmp / "sub")) entries += e.is_regular_file();
  CHECK(entries == 1);
}

TEST_CASE("decode_image reads JPEG and converts grey and RGBA to RGB", "[io]") {
  TempDir tmp;
  const Image jpeg = lg::decode_image(tmp.write("solid.jpg", kJpeg8x8));
  CHECK(jpeg.width == 8);
  CHECK(jpeg.height == 8);
  REQUIRE(jpeg.pixels.size() == 8 * 8 * 3);
  // JPEG is lossy (YCbCr, chroma subsampling): a flat colour comes back within a few levels.
  for (std::size_t i = 0; i < jpeg.pixels.size(); i += 3) {
    CHECK(std::abs(jpeg.pixels[i] - 200) <= 6);
    CHECK(std::abs(jpeg.pixels[i + 1] - 50) <= 6);
    CHECK(std::abs(jpeg.pixels[i + 2] - 20) <= 6);
  }
  const Image grey = lg::decode_image(tmp.write("grey.png", kGreyPng3x2));
  CHECK(grey.width == 3);
  CHECK(grey.height == 2);
  CHECK(grey.pixels == std::vector<std::uint8_t>{0,   0,   0,   60,  60,  60,  120, 120, 120,
                                                 180, 180, 180, 240, 240, 240, 255, 255, 255});
  // alpha is dropped, not composited (stb's conversion)
  const Image rgba = lg::decode_image(tmp.write("rgba.png", kRgbaPng2x1));
  CHECK(rgba.width == 2);
  CHECK(rgba.height == 1);
  CHECK(rgba.pixels == std::vector<std::uint8_t>{10, 20, 30, 40, 50, 60});

  const fs::path cut = tmp.write("cut.jpg", kJpeg8x8.substr(0, 300));
  check_message(error_of([&] { lg::decode_image(cut); }), cut, 0,
                "the file starts like a JPEG but is truncated or corrupt");
}

TEST_CASE("write_png rejects a pixel buffer of the wrong size", "[io]") {
  TempDir tmp;
  Image image = pattern(4, 4);
  image.pixels.pop_back();
  const fs::path path = tmp / "bad.png";
  check_message(error_of([&] { lg::write_png(image, path); }), path, 0, "needs 48 bytes");
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("decode_image errors: missing, not an image, truncated", "[io]") {
  TempDir tmp;
  const fs::path missing = tmp / "missing.png";
  check_message(error_of([&] { lg::decode_image(missing); }), missing, 0, "does not exist");

  const fs::path text = tmp.write("notes.jpg", "this is a text file, not a JPEG\n");
  check_message(error_of([&] { lg::decode_image(text); }), text, 0,
                "cannot decode the image: not a JPEG, PNG, BMP, GIF, TGA, HDR or PNM file");

  const fs::path good = tmp / "good.png";
  lg::write_png(pattern(32, 32), good);
  const std::string bytes = lg::test::read_file(good);
  REQUIRE(bytes.size() > 60);
  const fs::path truncated = tmp.write("truncated.png", bytes.substr(0, bytes.size() / 2));
  check_message(error_of([&] { lg::decode_image(truncated); }), truncated, 0,
                "the file starts like a PNG but is truncated or corrupt");
  // a PNG signature and nothing else
  const fs::path header_only = tmp.write("header.png", bytes.substr(0, 8));
  check_message(error_of([&] { lg::decode_image(header_only); }), header_only, 0,
                "the file starts like a PNG but is truncated or corrupt");

  check_message(error_of([&] { lg::decode_image(tmp.path()); }), tmp.path(), 0, "folder");
}

// ---- read_image_folder ----

namespace {
// images/a.png, images/b.png, images/sub/c.png and images/extra.png (not in the CSV).
struct Folder {
  TempDir tmp;
  fs::path images = tmp / "images";
  Folder() {
    for (const char* name : {"a.png", "b.png", "sub/c.png", "extra.png"}) {
      lg::write_png(pattern(2, 2), images / name);
    }
  }
  fs::path csv(const std::string& text) const { return tmp.write("labels.csv", text); }
};
}  // namespace

TEST_CASE("read_image_folder reads files and labels in CSV order", "[io]") {
  Folder f;
  const fs::path csv = f.csv(
      "\xEF\xBB\xBF"
      "file,cat,dog,\"sky, blue\"\r\n"
      "b.png,1,0,1\r\n"
      "\r\n"
      "\"sub/c.png\",0,0,0\r\n"
      "a.png, 1 ,1,0\r\n");
  const ImageDataset d = lg::read_image_folder(f.images, csv);
  CHECK(d.name == "labels");
  CHECK(d.label_names == std::vector<std::string>{"cat", "dog", "sky, blue"});
  REQUIRE(d.files.size() == 3);
  CHECK(d.files[0] == f.images / "b.png");
  CHECK(d.files[1] == f.images / "sub/c.png");
  CHECK(d.files[2] == f.images / "a.png");
  CHECK(d.labels == label_matrix({{1, 0, 1}, {0, 0, 0}, {1, 1, 0}}));
  CHECK(d.difficult.size() == 0);
  CHECK(d.images.empty());
  // extra.png is in the folder but not in the CSV: a note, not an error
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].find("1 image file(s)") != std::string::npos);
  CHECK(d.notes[0].find("extra.png") != std::string::npos);
}

TEST_CASE("read_image_folder errors name the CSV and the line", "[io]") {
  Folder f;
  SECTION("wrong field count") {
    const fs::path csv = f.csv("file,cat,dog\na.png,1,0\nb.png,1\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 3,
                  "expected 3 fields");
  }
  SECTION("a value other than 0/1") {
    const fs::path csv = f.csv("file,cat,dog\na.png,1,0\n\nb.png,2,0\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 4,
                  "label 'cat' (field 2) is '2': expected 0 or 1");
  }
  SECTION("an empty value") {
    const fs::path csv = f.csv("file,cat,dog\na.png,1,\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 2,
                  "expected 0 or 1");
  }
  SECTION("duplicate file names, also when spelled differently") {
    const fs::path csv = f.csv("file,cat\na.png,1\nb.png,0\n./a.png,0\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 4,
                  "duplicate file name './a.png' (first listed on line 2)");
  }
  SECTION("an image that does not exist") {
    const fs::path csv = f.csv("file,cat\na.png,1\nz.png,0\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 3,
                  "image file 'z.png' does not exist");
  }
  SECTION("a header without label columns") {
    const fs::path csv = f.csv("file\na.png\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 1,
                  "at least one label column");
  }
  SECTION("a label name twice") {
    const fs::path csv = f.csv("file,cat,cat\na.png,1,0\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 1,
                  "label name 'cat' appears twice");
  }
  SECTION("an unterminated quote") {
    const fs::path csv = f.csv("file,cat\n\"a.png,1\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 2,
                  "unterminated quoted field");
  }
  SECTION("no rows") {
    const fs::path csv = f.csv("file,cat\n\n");
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 0, "no image rows");
  }
  SECTION("a missing CSV or folder") {
    const fs::path csv = f.tmp / "none.csv";
    check_message(error_of([&] { lg::read_image_folder(f.images, csv); }), csv, 0,
                  "does not exist");
    const fs::path dir = f.tmp / "no-images";
    check_message(error_of([&] { lg::read_image_folder(dir, f.csv("file,cat\n")); }), dir, 0,
                  "not a folder");
  }
}

// ---- read_voc2007 ----

namespace {
// VOCdevkit/VOC2007 with ids 000005, 000007, 000009 in the 'trainval' split. Values per class
// (aeroplane .. tvmonitor, 20 each); every class not set here is -1 for all three ids:
//   aeroplane  ( 1, -1,  0)    -> labels (1, 0, 1), difficult (0, 0, 1)
//   bird       (-1,  0, -1)    -> labels (0, 1, 0), difficult (0, 1, 0)
//   person     ( 1,  1, -1)    -> labels (1, 1, 0)
//   tvmonitor  (-1, -1,  1)    -> labels (0, 0, 1)
// The class files list the ids in different orders; rows follow aeroplane's (7, 5, 9).
struct Voc {
  TempDir tmp;
  fs::path voc = tmp / "VOCdevkit" / "VOC2007";
  fs::path main = voc / "ImageSets" / "Main";
  Voc() {
    for (const auto& c : lg::voc_classes()) {
      std::string text;
      if (c == "aeroplane") text = "000007 -1\n000005  1\n000009  0\n";
      else if (c == "bird") text = "000005 -1\n000007  0\n000009 -1\n";
      else if (c == "person") text = "000009 -1\r\n000005  1\r\n000007  1\r\n";
      else if (c == "tvmonitor") text = "000005 -1\n000007 -1\n000009  1\n";
      else text = "000005 -1\n000007 -1\n000009 -1\n";
      write_text(main / (c + "_trainval.txt"), text);
    }
    for (const char* id : {"000005", "000007", "000009"})
      write_text(voc / "JPEGImages" / (std::string(id) + ".jpg"), "not decoded by the reader");
  }
  fs::path class_file(const std::string& c) const { return main / (c + "_trainval.txt"); }
};
}  // namespace

TEST_CASE("voc_classes is the standard order of the devkit and ML-GCN", "[io]") {
  const auto& c = lg::voc_classes();
  REQUIRE(c.size() == 20);
  CHECK(c.front() == "aeroplane");
  CHECK(c[10] == "diningtable");
  CHECK(c[14] == "person");
  CHECK(c.back() == "tvmonitor");
  CHECK(std::is_sorted(c.begin(), c.end()));
}

TEST_CASE("read_voc2007 reads labels and the difficult mask as ML-GCN does", "[io]") {
  Voc v;
  // The devkit root, VOCdevkit/ and VOC2007/ itself all work.
  for (const fs::path& root : {v.tmp.path(), v.tmp / "VOCdevkit", v.voc}) {
    const ImageDataset d = lg::read_voc2007(root, "trainval");
    CHECK(d.name == "voc2007-trainval");
    CHECK(d.label_names == lg::voc_classes());
    REQUIRE(d.files.size() == 3);
    CHECK(d.files[0] == v.voc / "JPEGImages" / "000007.jpg");
    CHECK(d.files[1] == v.voc / "JPEGImages" / "000005.jpg");
    CHECK(d.files[2] == v.voc / "JPEGImages" / "000009.jpg");
    lg::LabelMatrix labels = lg::LabelMatrix::Zero(3, 20);
    lg::LabelMatrix difficult = lg::LabelMatrix::Zero(3, 20);
    // rows: 000007, 000005, 000009; columns aeroplane 0, bird 2, person 14, tvmonitor 19
    labels(1, 0) = labels(2, 0) = 1;
    difficult(2, 0) = 1;
    labels(0, 2) = 1;
    difficult(0, 2) = 1;
    labels(0, 14) = labels(1, 14) = 1;
    labels(2, 19) = 1;
    CHECK(d.labels == labels);
    CHECK(d.difficult == difficult);
    REQUIRE(d.notes.size() == 2);
    CHECK(d.notes[0].rfind("2 label(s)", 0) == 0);
  }
}

TEST_CASE("read_voc2007 errors name the class file and line", "[io]") {
  Voc v;
  auto read = [&] { lg::read_voc2007(v.tmp.path(), "trainval"); };
  SECTION("a missing class file") {
    fs::remove(v.class_file("sofa"));
    check_message(error_of(read), v.class_file("sofa"), 0, "class file missing");
  }
  SECTION("a class file listing an id the first file lacks") {
    write_text(v.class_file("cow"), "000005 -1\n000007 -1\n000011 1\n");
    check_message(error_of(read), v.class_file("cow"), 3, "image '000011' is not in");
  }
  SECTION("a class file missing an id") {
    write_text(v.class_file("cow"), "000005 -1\n000009 -1\n");
    check_message(error_of(read), v.class_file("cow"), 0, "lists 2 of the 3 images");
  }
  SECTION("an id twice") {
    write_text(v.class_file("aeroplane"), "000007 -1\n000005 1\n000007 1\n");
    check_message(error_of(read), v.class_file("aeroplane"), 3,
                  "image '000007' listed twice (first on line 1)");
  }
  SECTION("a value other than 1, -1, 0") {
    write_text(v.class_file("dog"), "000005 -1\n000007 2\n000009 -1\n");
    check_message(error_of(read), v.class_file("dog"), 2, "value '2' for image '000007'");
  }
  SECTION("a malformed line") {
    write_text(v.class_file("dog"), "000005 -1\n000007\n000009 -1\n");
    check_message(error_of(read), v.class_file("dog"), 2, "expected `<image id> <1|-1|0>`");
  }
  SECTION("a missing image") {
    fs::remove(v.voc / "JPEGImages" / "000009.jpg");
    check_message(error_of(read), v.class_file("aeroplane"), 3, "has no file");
  }
  SECTION("not a VOC folder, unknown split") {
    check_message(error_of([&] { lg::read_voc2007(v.tmp / "VOCdevkit" / "JPEGImages", "val"); }),
                  v.tmp / "VOCdevkit" / "JPEGImages", 0, "expected a VOC2007 folder");
    CHECK(error_of([&] { lg::read_voc2007(v.voc, "validation"); }).find("split 'validation'") !=
          std::string::npos);
  }
}

// ---- read_coco ----

namespace {
// 3 categories whose id order differs from their name order: person (1), car (3), bicycle (2)
// -> labels sorted by name: bicycle, car, person. Images 42 (a.jpg), 7 (b.jpg), 9 (c.jpg):
//   42: annotations person, car, person  -> (0, 1, 1)
//    7: none                             -> (0, 0, 0)
//    9: bicycle (crowd)                  -> (1, 0, 0)
const char* kCoco = R"({
  "info": {"year": 2014},
  "images": [
    {"id": 42, "file_name": "a.jpg", "width": 2, "height": 2},
    {"id": 7, "file_name": "b.jpg", "width": 2, "height": 2},
    {"id": 9, "file_name": "c.jpg", "width": 2, "height": 2}
  ],
  "annotations": [
    {"id": 1, "image_id": 42, "category_id": 1, "segmentation": [[0, 0, 1, 1, 2, 2]]},
    {"id": 2, "image_id": 42, "category_id": 3, "segmentation": [[0, 0, 1, 1]]},
    {"id": 3, "image_id": 9, "category_id": 2, "iscrowd": 1,
     "segmentation": {"counts": [1, 2], "size": [2, 2]}},
    {"id": 4, "image_id": 42, "category_id": 1, "segmentation": []}
  ],
  "categories": [
    {"id": 1, "name": "person", "supercategory": "person"},
    {"id": 3, "name": "car", "supercategory": "vehicle"},
    {"id": 2, "name": "bicycle", "supercategory": "vehicle"}
  ]
})";

struct Coco {
  TempDir tmp;
  fs::path images = tmp / "val2014";
  Coco() {
    for (const char* name : {"a.jpg", "b.jpg", "c.jpg"}) write_text(images / name, "x");
  }
  fs::path json(const std::string& text) const { return tmp.write("instances_val2014.json", text); }
};
}  // namespace

TEST_CASE("read_coco orders labels by category name and keeps unannotated images", "[io]") {
  Coco c;
  const fs::path json = c.json(kCoco);
  const ImageDataset d = lg::read_coco(json, c.images);
  CHECK(d.name == "instances_val2014");
  CHECK(d.label_names == std::vector<std::string>{"bicycle", "car", "person"});
  REQUIRE(d.files.size() == 3);
  CHECK(d.files[0] == c.images / "a.jpg");
  CHECK(d.files[1] == c.images / "b.jpg");
  CHECK(d.files[2] == c.images / "c.jpg");
  CHECK(d.labels == label_matrix({{0, 1, 1}, {0, 0, 0}, {1, 0, 0}}));
  CHECK(d.difficult.size() == 0);
  REQUIRE(d.notes.size() == 2);
  CHECK(d.notes[1].rfind("1 image(s) have no annotation and were kept", 0) == 0);

  lg::CocoOptions reference;
  reference.keep_unannotated = false;
  const ImageDataset r = lg::read_coco(json, c.images, reference);
  REQUIRE(r.files.size() == 2);
  CHECK(r.files[1] == c.images / "c.jpg");
  CHECK(r.labels == label_matrix({{0, 1, 1}, {1, 0, 0}}));
  CHECK(r.notes[1].rfind("1 image(s) have no annotation and were dropped", 0) == 0);
}

TEST_CASE("the ML-GCN COCO label list is sorted by name, as read_coco orders labels", "[io]") {
  const auto path = lg::test::shared_file("mlgcn-adj/coco_labels.txt");
  if (!path) return;
  std::ifstream in(*path);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  CHECK(names.size() == 80);
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(names.front() == "airplane");
}

TEST_CASE("read_coco errors", "[io]") {
  Coco c;
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  SECTION("malformed JSON gives the line and byte position") {
    // drop the comma after the first image: the parser stops at the '{' on line 5
    const fs::path json = c.json(replace(kCoco, "\"height\": 2},\n", "\"height\": 2}\n"));
    const std::string message = error_of([&] { lg::read_coco(json, c.images); });
    check_message(message, json, 5, "malformed JSON at byte ");
    CHECK(message.find("parse error") != std::string::npos);
  }
  SECTION("an unknown category id") {
    const fs::path json = c.json(replace(kCoco, "\"category_id\": 3", "\"category_id\": 90"));
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "annotations[1]: category_id 90 is not in \"categories\"");
  }
  SECTION("an unknown image id") {
    const fs::path json = c.json(replace(kCoco, "\"image_id\": 9,", "\"image_id\": 10,"));
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "annotations[2]: image_id 10 is not in \"images\"");
  }
  SECTION("a field of the wrong type") {
    const fs::path json = c.json(replace(kCoco, "\"id\": 7,", "\"id\": \"7\","));
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "images[1]: expected an integer \"id\"");
  }
  SECTION("a missing array") {
    const fs::path json = c.json(R"({"images": [], "annotations": []})");
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "expected an array \"categories\"");
  }
  SECTION("a duplicate category name") {
    const fs::path json = c.json(replace(kCoco, "\"name\": \"car\"", "\"name\": \"person\""));
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "category name 'person' is used by ids");
  }
  SECTION("a missing image file") {
    fs::remove(c.images / "b.jpg");
    const fs::path json = c.json(kCoco);
    check_message(error_of([&] { lg::read_coco(json, c.images); }), json, 0,
                  "images[1]: file_name 'b.jpg' does not exist");
  }
}
