// The fuzz targets' regression inputs (tests/fuzz/regressions/TARGET/, one file per finding of
// bench/fuzz.sh; bench/README.md, "Fuzzing") replayed through the readers exactly as the
// targets read them (tests/fuzz/fuzz_cases.hpp): each must end in success or in an lg::Error
// that names the file, never in another exception. The findings' own tests, with the message
// each one now gives, are in the reader's test file.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <utility>

#include "fuzz/fuzz_cases.hpp"
#include "helpers.hpp"
#include "io/image_dataset.hpp"
#include "io/libsvm_reader.hpp"

namespace fs = std::filesystem;

TEST_CASE("fuzz regression inputs end in a result or a clear lg::Error", "[io][fuzz]") {
  const fs::path root = lg::test::fixture("../fuzz/regressions");
  std::set<std::string> targets;
  for (const auto& c : lg::fuzz::fuzz_cases()) targets.insert(c.target);
  // Every folder belongs to a target (a misnamed folder would never be replayed).
  if (fs::is_directory(root))
    for (const auto& dir : fs::directory_iterator(root))
      CHECK(targets.count(dir.path().filename().string()) == 1);
  for (const auto& c : lg::fuzz::fuzz_cases()) {
    const fs::path dir = root / c.target;
    if (!fs::is_directory(dir)) continue;
    const lg::fuzz::InputFile file(c.file_name);
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(c.target << ": " << entry.path().string());
      CHECK_NOTHROW(c.run(file, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
  }
}

// ---- the findings, one test each, through the readers' own entry points ----

namespace {

fs::path regression(const std::string& target, const std::string& name) {
  return lg::test::fixture("../fuzz/regressions/" + target + "/" + name);
}

/// The lg::Error of `read()`; fails the test when there is none.
template <class F>
lg::Error error_of(F&& read) {
  try {
    read();
  } catch (const lg::Error& e) {
    return e;
  }
  FAIL("no lg::Error");
  return lg::Error("");
}

}  // namespace

TEST_CASE("fuzz finding: an .npy shape whose byte count wraps around 2^64", "[io][fuzz]") {
  // shape (2^61, 8) of |u1: rows x cols x 1 byte wrapped to 0, which matched the file's empty
  // data section, so the reader went on to allocate 2^64 elements (std::bad_alloc escaped).
  const fs::path file = regression("score_npy", "shape-product-wraps.npy");
  for (const bool truth : {false, true}) {
    const lg::Error e = error_of([&] {
      if (truth)
        lg::read_truth_matrix(file.string());
      else
        lg::read_score_matrix(file);
    });
    CHECK(e.file() == file.string());
    CHECK_THAT(e.message(), Catch::Matchers::Contains("npy header: shape 2305843009213693952 x 8 of "
                                                      "1-byte elements is larger than any file"));
  }
}

TEST_CASE("fuzz finding: a LIBSVM feature index or label in the trillions", "[io][fuzz]") {
  // Line 2 of the fuzzer's input is " 33333333333335:0.125": D = index + 1 feature names were
  // reserved up front (std::length_error / an allocation of 2^50 bytes). Labels and the XC
  // header's F and L had the same hole.
  const fs::path file = regression("libsvm", "feature-index-333333333333335.svm");
  const lg::Error e = error_of([&] { lg::read_libsvm(file); });
  CHECK(e.file() == file.string());
  CHECK(e.line() == 2);
  CHECK(e.message() == "expected a feature index below 16777216 (the most features the reader "
                       "takes), found 33333333333335");

  lg::test::TempDir tmp;
  const fs::path label = tmp.write("label.svm", "1 1:1\n9999999999999 1:1\n");
  const lg::Error el = error_of([&] { lg::read_libsvm(label); });
  CHECK(el.line() == 2);
  CHECK_THAT(el.message(), Catch::Matchers::Contains("expected a label below 16777216"));
  const fs::path header = tmp.write("header.xc", "1 3 99999999999\n0 1:1\n");
  const lg::Error eh = error_of([&] { lg::read_libsvm(header); });
  CHECK(eh.line() == 1);
  CHECK_THAT(eh.message(), Catch::Matchers::Contains("found F = 3, L = 99999999999"));
  // The bound itself: 2^24 is refused (2^24 - 1 is taken, but makes 16.7M names: not here).
  const fs::path bound = tmp.write("bound.svm", "0 0:1 16777216:2\n");
  CHECK_THAT(error_of([&] { lg::read_libsvm(bound); }).message(),
             Catch::Matchers::Contains("found 16777216"));
}

TEST_CASE("fuzz finding: a score file whose header is followed by no data row", "[io][fuzz]") {
  // A header, then only a blank (CSV) or '#' line (text): the chunk's last, empty piece asked
  // the 0-row matrix for the address of row 0 (Eigen's range assertion; past the end without
  // it). Both must say that rows are missing after the header on line 1.
  for (const char* name : {"score_csv/header-then-blank-line.csv",
                           "score_text/empty-piece-past-last-row.txt"}) {
    INFO(name);
    const fs::path file = lg::test::fixture(std::string("../fuzz/regressions/") + name);
    for (const bool truth : {false, true}) {
      const lg::Error e = error_of([&] {
        if (truth)
          lg::read_truth_matrix(file.string());
        else
          lg::read_score_matrix(file);
      });
      CHECK(e.file() == file.string());
      CHECK(e.line() == 1);
      CHECK(e.message() == "expected rows of numbers after the header, found none");
    }
  }
}

TEST_CASE("finding: truncated BMP, TGA, PSD, HDR, PNM and GIF files decoded 'successfully'",
          "[io][fuzz]") {
  // Found while making the image seeds, not by a sanitizer: stb pads a short read with zeros,
  // and these decoders returned an image (zero or uninitialised pixels) from each seed cut to
  // two thirds. decode_image now notices a decoder reading past the end.
  const fs::path seeds = lg::test::fixture("../fuzz/seeds/image_other");
  for (const auto& entry : fs::directory_iterator(seeds)) {
    INFO(entry.path().string());
    if (entry.path().extension() == ".psd") continue;  // refused since finding 17 (below)
    const lg::Image whole = lg::decode_image(entry.path());  // the whole file still decodes
    CHECK(whole.pixels.size() == static_cast<std::size_t>(whole.width * whole.height * 3));
    const fs::path cut = regression("image_other", "truncated-" + entry.path().filename().string());
    REQUIRE(fs::exists(cut));
    const lg::Error e = error_of([&] { lg::decode_image(cut); });
    CHECK(e.file() == cut.string());
    CHECK_THAT(e.message(), Catch::Matchers::Contains("the file ends before the pixels") ||
                                Catch::Matchers::Contains("cannot decode the image (stb:"));
  }
  for (const char* dir : {"image_png", "image_jpeg"})
    for (const auto& entry : fs::directory_iterator(lg::test::fixture(std::string("../fuzz/seeds/") + dir))) {
      INFO(entry.path().string());
      CHECK(lg::decode_image(entry.path()).width > 0);
    }
  // A 25-byte PNM claiming 16000 x 16000 pixels: refused from the header, before stb
  // allocates 768 MB.
  const fs::path huge = regression("image_other", "header-16000x16000.ppm");
  const lg::Error e = error_of([&] { lg::decode_image(huge); });
  CHECK_THAT(e.message(), Catch::Matchers::Contains("its header says 16000 x 16000 pixels"));
}

TEST_CASE("fuzz findings: corrupt JPEGs that stb 2.27 mishandled are libjpeg errors now",
          "[io][fuzz]") {
  // stb 2.27 on these: a DHT table whose counts sum to 591 (and one straddling the end of the
  // file, sum 1119) wrote past its 257-byte arrays (UBSan, memory corruption in Debian's
  // libstb too); a code that matches no Huffman table failed stb's own assertion (Debian's
  // libstb, built without assertions, "decoded" 8453 x 9 pixels of garbage); corrupt entropy
  // data shifted by 32 (UBSan, undefined behaviour). JPEG now goes to libjpeg-turbo, which
  // refuses each with its reason; a corrupt-data warning is an error, not grey pixels.
  const std::pair<const char*, const char*> cases[] = {
      {"dht-more-than-256-codes.jpg", "libjpeg: Bogus Huffman table definition"},
      {"dht-table-straddles-end.jpg", "libjpeg: Premature end of JPEG file"},
      {"huffman-code-not-in-table.jpg", "libjpeg: Corrupt JPEG data"},
      {"entropy-data-shift-exponent-32.jpg", "libjpeg: Corrupt JPEG data"},
  };
  for (const auto& [name, reason] : cases) {
    const fs::path file = regression("image_jpeg", name);
    INFO(file.string());
    const lg::Error e = error_of([&] { lg::decode_image(file); });
    CHECK(e.file() == file.string());
    CHECK_THAT(e.message(), Catch::Matchers::Contains(reason));
    CHECK_THAT(e.message(), Catch::Matchers::Contains("the file starts like a JPEG but is truncated or corrupt"));
  }
}

TEST_CASE("fuzz finding: a header claiming more pixels than the file can hold", "[io][fuzz]") {
  // A 210-byte RLE TGA claiming 2573 x 21786 pixels (under the 2^26 cap): stb allocated and
  // filled 225 MB before finding the data missing (12-37 s under ASan). A run of at most 128
  // pixels needs 2 bytes, so such a header is refused before stb decodes.
  const fs::path file = regression("image_other", "rle-tga-2573x21786-in-210-bytes.tga");
  const lg::Error e = error_of([&] { lg::decode_image(file); });
  CHECK(e.file() == file.string());
  CHECK(e.message() == "cannot decode the image: its header says 2573 x 21786 pixels, more than a "
                       "210-byte TGA file can hold (at most 64 per byte): a corrupt header or a "
                       "truncated file");
}

TEST_CASE("fuzz finding: stb 2.27 on a PNM header number beyond int", "[io][fuzz]") {
  // "P6\n00 16016000996000\n...": stb's stbi__pnm_getinteger overflowed a signed int (UBSan).
  const fs::path file = regression("image_other", "pnm-number-overflows-int.pgm");
  const lg::Error e = error_of([&] { lg::decode_image(file); });
  CHECK(e.file() == file.string());
  CHECK_THAT(e.message(), Catch::Matchers::Contains("PNM header: a number of 14 digits"));
}

TEST_CASE("fuzz finding: stb 2.27 on a PNG with an empty IDAT chunk (its error text)",
          "[io][fuzz]") {
  // stb calls memcpy(NULL, src, 0) here (UBSan's nonnull-attribute; suppressed for stb only in
  // tests/fuzz/ubsan.supp: harmless and not ours). What was ours: stb's reason ("XXXX PNG chunk
  // not known") held the raw chunk-type bytes; they are shown as '?' now. Since the PNG chunk
  // check (next test) this file stops before stb: its next chunk claims 2.9 GB.
  const fs::path file = regression("image_png", "empty-idat-null-memcpy.png");
  const lg::Error e = error_of([&] { lg::decode_image(file); });
  CHECK(e.file() == file.string());
  CHECK_THAT(e.message(), Catch::Matchers::Contains("starts like a PNG but is truncated or corrupt"));
  for (const char c : e.message()) CHECK(std::isprint(static_cast<unsigned char>(c)));
}

TEST_CASE("fuzz finding: stb 2.27 on a PNG chunk longer than the file, a 16-bit PNM",
          "[io][fuzz]") {
  // A 170-byte PNG whose second IDAT claims 1.1 GB: stb grew its buffer to 2 GB before reading
  // (libFuzzer: malloc limit). "P5 2 2 256": stb's 16-bit PNM path read past its buffer
  // (ASan: heap-buffer-overflow in stbi__convert_16_to_8).
  const fs::path png = regression("image_png", "idat-length-claims-1gb.png");
  const lg::Error e = error_of([&] { lg::decode_image(png); });
  CHECK(e.file() == png.string());
  CHECK(e.message() == "cannot decode the image: the file starts like a PNG but is truncated or "
                       "corrupt (the chunk at byte 87 claims 1146224676 bytes, 86 are left)");
  const fs::path pnm = regression("image_other", "pnm-maxval-256.pgm");
  CHECK_THAT(error_of([&] { lg::decode_image(pnm); }).message(),
             Catch::Matchers::Contains("PNM header: maximum value 256: 16-bit PNM is not supported"));
}

TEST_CASE("fuzz finding: a JPEG segment that skips past the end no longer hangs", "[io][fuzz]") {
  // FF D8, then an APP0 segment of 4312 bytes in an 8-byte file. decode_image's own stb skip
  // callback (added for the truncation check above) used fseek, which clears the end-of-file
  // flag that stb's marker loop waits for: it spun forever (libFuzzer: timeout). The callback
  // now reads a byte after seeking, as stb's stdio callbacks do; JPEG itself goes to libjpeg.
  const fs::path file = regression("image_jpeg", "app0-skips-past-end.jpg");
  const lg::Error e = error_of([&] { lg::decode_image(file); });
  CHECK(e.file() == file.string());
  CHECK_THAT(e.message(), Catch::Matchers::Contains("libjpeg: Premature end of JPEG file"));
}

TEST_CASE("fuzz finding: a stray huge LIBSVM label id no longer makes millions of labels",
          "[io][fuzz]") {
  // 198 bytes, 12 rows, one of them labelled 6666666: L = max id + 1 made 6.7 million labels
  // (80 MB of labels and 6.7 million names; 41 s for `labelgraph stats` in a release build, a
  // libFuzzer timeout under ASan). Ids that leave more than 63 of 64 labels unused are refused.
  const fs::path file = regression("libsvm", "label-id-6666666-in-198-bytes.svm");
  const lg::Error e = error_of([&] { lg::read_libsvm(file); });
  CHECK(e.file() == file.string());
  CHECK_THAT(e.message(), Catch::Matchers::Contains("data row 12 has label 6666666, but only"));
  CHECK_THAT(e.message(), Catch::Matchers::Contains("expected label ids 0 .. L-1"));
  // Ids 0 .. 4999, every one used: 5000 labels, no complaint; one more id far beyond: refused.
  lg::test::TempDir tmp;
  std::string rows;
  for (int i = 0; i < 5000; ++i) rows += std::to_string(i) + " 1:1\n";
  CHECK(lg::read_libsvm(tmp.write("dense-ids.svm", rows)).num_labels() == 5000);
  const fs::path stray = tmp.write("stray.svm", rows + "400000 1:1\n");
  CHECK_THAT(error_of([&] { lg::read_libsvm(stray); }).message(),
             Catch::Matchers::Contains("data row 5001 has label 400000, but only 5001 distinct"));
}

TEST_CASE("fuzz finding: a lone huge LIBSVM feature index no longer names 16 million features",
          "[io][fuzz]") {
  // "16666672:6", read as a truth .txt that sniffs as LIBSVM: D = 16,666,673 features, one
  // used, each given a name (0.5 GB of strings; a libFuzzer timeout under ASan). Past 2^20
  // features, indices that leave more than 63 of 64 unused need an XC header.
  lg::test::TempDir tmp;
  const fs::path file = tmp.write("lone.svm", "1 16666672:6\n0 3:1\n");
  const lg::Error e = error_of([&] { lg::read_libsvm(file); });
  CHECK(e.file() == file.string());
  CHECK_THAT(e.message(), Catch::Matchers::Contains("feature indices run up to 16666672, but only 2 distinct"));
  // With the XC header declaring the space, the same rows are read.
  const fs::path declared = tmp.write("declared.svm", "2 16666673 2\n1 16666672:6\n0 3:1\n");
  CHECK(lg::read_libsvm(declared).num_features() == 16666673);
}

TEST_CASE("fuzz finding: PSD files are refused (stb's matte removal cast floats out of range)",
          "[io][fuzz]") {
  // A 4-channel PSD whose alpha un-premultiplication gives -29.65 for a byte: UBSan, float-cast
  // overflow in stbi__psd_load (image_other, 2026-12-07 15:05). Photoshop documents are not
  // data-set images: decode_image refuses PSD (and Softimage PIC) before stb sees them.
  for (const fs::path& file : {regression("image_other", "psd-unpremultiply-float-to-byte.psd"),
                               lg::test::fixture("../fuzz/seeds/image_other/one.psd")}) {
    const lg::Error e = error_of([&] { lg::decode_image(file); });
    CHECK(e.file() == file.string());
    CHECK(e.message() == "cannot decode the image: Photoshop (PSD) files are not read (save it as "
                         "PNG or JPEG)");
  }
}

TEST_CASE("fuzz finding: bytes of no image format never reach stb", "[io][fuzz]") {
  // 128 bytes of 0xFF, then "P6160616001660": stb's JPEG test skipped the 0xFF bytes past its
  // first 128-byte buffer, so its rewind started the PNM test at "P6", whose integer parser
  // overflowed an int (UBSan, image_other, 2026-12-07 15:38). Only files whose first bytes are
  // a known format's (a TGA's header fields for TGA) go to stb now.
  const fs::path file = regression("image_other", "pnm-header-after-128-ff-bytes.bin");
  const lg::Error e = error_of([&] { lg::decode_image(file); });
  CHECK(e.file() == file.string());
  CHECK(e.message() == "cannot decode the image: not a JPEG, PNG, BMP, GIF, TGA, HDR or PNM file "
                       "(its first bytes match none of them)");
}
