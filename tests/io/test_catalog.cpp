// Known data sets: descriptors, checksums, verify, fetch (against a loopback HTTP server) and
// descriptor names as inputs.
#include <bzlib.h>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/context.hpp"
#include "helpers.hpp"
#include "io/catalog.hpp"
#include "io/read_dataset.hpp"

namespace fs = std::filesystem;
using lg::test::TempDir;

namespace {

fs::path fixture_data() { return lg::test::fixture("catalog/data"); }
fs::path fixture_descriptors() { return lg::test::fixture("catalog/descriptors"); }
fs::path project_descriptors() { return lg::source_dir() / "datasets"; }

std::size_t regular_files_under(const fs::path& dir) {
  std::size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

// `python3 -m http.server` on a free loopback port, serving `dir`; killed when the object dies
// (also if the test fails half-way, and via PDEATHSIG if the test process itself dies).
class HttpServer {
 public:
  explicit HttpServer(const fs::path& dir) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      dup2(fds[1], STDOUT_FILENO);
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDERR_FILENO);  // request log
      close(fds[0]);
      close(fds[1]);
      // -u: the "Serving HTTP on ..." line must not sit in a pipe buffer.
      execl("/usr/bin/python3", "python3", "-u", "-m", "http.server", "0", "--bind",
            "127.0.0.1", "--directory", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
    const std::string line = read_first_line(15000);
    std::smatch m;
    if (!std::regex_search(line, m, std::regex("port ([0-9]+)"))) {
      stop();
      throw std::runtime_error("http.server did not start: '" + line + "'");
    }
    port_ = std::stoi(m[1]);
  }
  ~HttpServer() { stop(); }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::string url(const std::string& file) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + file;
  }

 private:
  std::string read_first_line(int timeout_ms) {
    std::string line;
    char c = 0;
    while (true) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) break;  // timed out
      if (read(out_, &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    return line;
  }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (out_ >= 0) close(out_);
    out_ = -1;
  }
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
};

// A loopback port with nothing listening: bind to port 0, note the port, close.
int closed_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

std::string bzip2(const std::string& text) {
  std::vector<char> out(text.size() + text.size() / 100 + 600);
  unsigned int len = static_cast<unsigned int>(out.size());
  std::string in = text;
  REQUIRE(BZ2_bzBuffToBuffCompress(out.data(), &len, in.data(), static_cast<unsigned int>(in.size()),
                                   9, 0, 0) == BZ_OK);
  return std::string(out.data(), len);
}

struct TinyFile {
  std::string name;  // under tiny/
  std::string role;
  std::string url;
  std::string sha256;        // empty: the real one
  std::string compression;   // empty: none
};

// A descriptor of the tiny fixture with the given URLs, written as `dir/NAME.toml`.
void write_tiny_descriptor(const fs::path& dir, const std::string& name,
                           const std::vector<TinyFile>& files) {
  std::ostringstream t;
  t << "name = \"" << name << "\"\nformat = \"arff-mulan\"\nlabel_xml = \"tiny/tiny.xml\"\n"
    << "[source]\nrepository = \"example.invalid/fixtures\"\n";
  for (const TinyFile& f : files) {
    const fs::path local = fixture_data() / "tiny" / f.name;
    t << "[[files]]\npath = \"tiny/" << f.name << "\"\nrole = \"" << f.role << "\"\nbytes = "
      << fs::file_size(local) << "\nsha256 = \""
      << (f.sha256.empty() ? lg::sha256_file(local) : f.sha256) << "\"\nurl = \"" << f.url << "\"\n";
    if (!f.compression.empty()) t << "compression = \"" << f.compression << "\"\n";
  }
  fs::create_directories(dir);
  std::ofstream(dir / (name + ".toml")) << t.str();
}

}  // namespace

TEST_CASE("every descriptor in datasets/ parses", "[io][catalog]") {
  const std::vector<lg::Descriptor> all = lg::load_catalog(project_descriptors());
  std::set<std::string> names;
  for (const lg::Descriptor& d : all) names.insert(d.name);
  const std::set<std::string> expected = {
      "emotions", "scene", "yeast", "enron", "medical", "bibtex", "corel5k", "delicious",
      "tmc2007-500", "meka-music", "meka-scene", "meka-yeast", "meka-enron", "meka-imdb",
      "mlgcn-voc", "mlgcn-coco"};
  CHECK(names == expected);
  for (const lg::Descriptor& d : all) {
    INFO(d.name);
    CHECK_FALSE(d.description.empty());
    CHECK_FALSE(d.citation.empty());
    CHECK_FALSE(d.source.repository.empty());
    if (d.format == lg::DataFormat::MlgcnGraph) {
      CHECK(d.data_files().empty());
    } else {
      CHECK_FALSE(d.data_files().empty());
      CHECK(d.labels.has_value());
      CHECK(d.rows.has_value());
    }
    if (d.format == lg::DataFormat::ArffMulan) CHECK_FALSE(d.label_xml.empty());
    if (d.format == lg::DataFormat::ArffMeka) CHECK(d.label_count.has_value());
    for (const lg::CatalogFile& f : d.files) {
      INFO(f.path);
      // Each file is downloadable from its upstream raw URL, or says what it was derived from.
      if (f.url.empty()) CHECK_FALSE(f.derived_from.empty());
      else CHECK(f.url.rfind("https://raw.githubusercontent.com/", 0) == 0);
      if (f.compression == lg::Compression::Bz2) CHECK(f.url.substr(f.url.size() - 4) == ".bz2");
    }
  }
  const auto emotions = lg::find_descriptor("emotions", project_descriptors());
  REQUIRE(emotions);
  CHECK(emotions->label_xml == "emotions/emotions.xml");
  REQUIRE(emotions->data_files().size() == 2);
  CHECK(emotions->data_files()[0]->path == "emotions/emotions-train.arff");
  CHECK(emotions->data_files()[1]->path == "emotions/emotions-test.arff");
  const auto music = lg::find_descriptor("meka-music", project_descriptors());
  REQUIRE(music);
  CHECK(music->label_count == 6);
  CHECK(music->files.at(0).compression == lg::Compression::Bz2);
  CHECK_FALSE(lg::find_descriptor("no-such-set", project_descriptors()));
  CHECK_FALSE(lg::find_descriptor("../datasets/emotions", project_descriptors()));
}

TEST_CASE("data verify passes on the shared data", "[io][catalog]") {
  if (!lg::test::shared_file("emotions/emotions.xml")) return;
  std::size_t files = 0;
  for (const lg::Descriptor& d : lg::load_catalog(project_descriptors())) {
    for (const lg::FileCheck& c : lg::verify(d, lg::test::data_root())) {
      INFO(d.name << ": " << c.file.path << " is " << lg::to_string(c.status));
      CHECK(c.status == lg::FileStatus::Ok);
      ++files;
    }
  }
  CHECK(files == 55);
}

TEST_CASE("sha256 of files equals sha256sum", "[io][catalog]") {
  // Hard-coded from a hand run of `sha256sum tests/fixtures/catalog/data/tiny/*`.
  CHECK(lg::sha256_file(fixture_data() / "tiny/tiny-train.arff") ==
        "edd9b6f13ae379043d351b8d35cf968c6163c304aa579bc7919695cb9cd901b1");
  CHECK(lg::sha256_file(fixture_data() / "tiny/tiny.xml") ==
        "265326ba4f4d72d863842940a42c0aaa9b3b5fff80d08fc0ff5cdb47db21d98d");
  TempDir tmp;
  // The digest of no bytes (FIPS 180-2).
  CHECK(lg::sha256_file(tmp.write("empty", "")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Several read chunks: compare with the sha256sum tool itself.
  std::string big;
  for (long i = 0; i < 400000; ++i) big += std::to_string(i * 7919 % 100003) + ",";
  const fs::path p = tmp.write("big", big);
  REQUIRE(fs::file_size(p) > (2u << 20));
  FILE* pipe = popen(("sha256sum '" + p.string() + "'").c_str(), "r");
  REQUIRE(pipe);
  char buf[65] = {0};
  REQUIRE(std::fread(buf, 1, 64, pipe) == 64);
  pclose(pipe);
  CHECK(lg::sha256_file(p) == std::string(buf));
  CHECK_THROWS_AS(lg::sha256_file(tmp / "absent"), lg::Error);
}

TEST_CASE("a bad descriptor is an error naming the file and the line", "[io][catalog]") {
  struct Case {
    const char* file;
    std::size_t line;
    const char* says;
  };
  const Case cases[] = {
      {"unknown-key.toml", 15, "unknown key 'checksum' in [[files]]"},
      {"unknown-top-key.toml", 4, "unknown key 'lables'"},
      {"syntax-error.toml", 3, ""},
      {"bad-type.toml", 12, "'bytes' must be an integer"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const fs::path p = lg::test::fixture("catalog/bad") / c.file;
    try {
      lg::parse_descriptor(p);
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK(e.file() == p.string());
      CHECK(e.line() == c.line);
      CHECK_THAT(e.what(), Catch::Contains(c.says));
      CHECK_THAT(e.what(), Catch::Contains(p.string() + ":" + std::to_string(c.line) + ":"));
    }
  }
  // A name that differs from the file name would make `find_descriptor` miss it.
  TempDir tmp;
  const std::string text = lg::test::read_file(fixture_descriptors() / "tiny.toml");
  CHECK_THROWS_WITH(lg::parse_descriptor(tmp.write("other.toml", text)),
                    Catch::Contains("must equal the file name"));
  // A path escaping the data directory.
  std::string escape = text;
  escape.replace(escape.find("tiny/tiny-train.arff"), 20, "../../etc/passwd");
  CHECK_THROWS_WITH(lg::parse_descriptor(tmp.write("tiny.toml", escape)),
                    Catch::Contains("without '..'"));
}

TEST_CASE("verify tells ok, missing, size and checksum mismatches apart", "[io][catalog]") {
  const auto tiny = lg::find_descriptor("tiny", fixture_descriptors());
  REQUIRE(tiny);
  for (const lg::FileCheck& c : lg::verify(*tiny, fixture_data())) CHECK(c.status == lg::FileStatus::Ok);

  TempDir tmp;
  fs::copy(fixture_data(), tmp.path(), fs::copy_options::recursive);
  std::string train = lg::test::read_file(tmp / "tiny/tiny-train.arff");
  train[train.size() - 2] = '0';  // last label 1 -> 0: same size, other bytes
  tmp.write("tiny/tiny-train.arff", train);
  tmp.write("tiny/tiny.xml", lg::test::read_file(tmp / "tiny/tiny.xml") + "\n");
  fs::remove(tmp / "tiny/tiny-test.arff");

  const std::vector<lg::FileCheck> checks = lg::verify(*tiny, tmp.path());
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].status == lg::FileStatus::ChecksumMismatch);
  CHECK(checks[0].actual_sha256 == lg::sha256_file(tmp / "tiny/tiny-train.arff"));
  CHECK(checks[1].status == lg::FileStatus::Missing);
  CHECK(checks[1].where == tmp / "tiny/tiny-test.arff");
  CHECK(checks[2].status == lg::FileStatus::SizeMismatch);
  CHECK(checks[2].actual_bytes == checks[2].file.bytes + 1);
}

TEST_CASE("a corrupted copy of a shared file fails verify", "[io][catalog]") {
  const auto xml = lg::test::shared_file("emotions/emotions.xml");
  if (!xml) return;
  TempDir tmp;
  fs::create_directories(tmp / "emotions");
  std::string text = lg::test::read_file(*xml);
  text[text.find("happy")] = 'H';
  tmp.write("emotions/emotions.xml", text);
  for (const char* f : {"emotions-train.arff", "emotions-test.arff", "emotions.arff"})
    fs::create_symlink(xml->parent_path() / f, tmp / "emotions" / f);
  lg::test::ScopedEnv data("LABELGRAPH_DATA", tmp.path().string());
  const auto emotions = lg::find_descriptor("emotions", project_descriptors());
  REQUIRE(emotions);
  for (const lg::FileCheck& c : lg::verify(*emotions, lg::data_dir())) {
    INFO(c.file.path);
    CHECK(c.status == (c.file.role == "labels" ? lg::FileStatus::ChecksumMismatch : lg::FileStatus::Ok));
  }
}

TEST_CASE("fetch downloads from a loopback HTTP server and checks every file", "[io][catalog]") {
  TempDir srv, descriptors, dest;
  // Served: the tiny files, the training file bzip2-compressed as MEKA's archives are.
  fs::copy(fixture_data() / "tiny", srv.path());
  srv.write("tiny-train.arff.bz2", bzip2(lg::test::read_file(fixture_data() / "tiny/tiny-train.arff")));
  HttpServer server(srv.path());
  lg::FetchOptions options;
  options.progress = false;
  options.connect_timeout_s = 5;
  options.stall_timeout_s = 10;

  SECTION("a good fetch writes the files, a second one skips them") {
    write_tiny_descriptor(descriptors.path(), "tiny",
                          {{"tiny-train.arff", "train", server.url("tiny-train.arff.bz2"), "", "bz2"},
                           {"tiny-test.arff", "test", server.url("tiny-test.arff"), "", ""},
                           {"tiny.xml", "labels", server.url("tiny.xml"), "", ""}});
    const auto d = lg::find_descriptor("tiny", descriptors.path());
    REQUIRE(d);
    const auto fetched = lg::fetch(*d, dest.path(), options);
    REQUIRE(fetched.size() == 3);
    for (const lg::FetchedFile& f : fetched) CHECK(f.action == lg::FetchAction::Downloaded);
    CHECK(lg::test::read_file(dest / "tiny/tiny-train.arff") == lg::test::read_file(fixture_data() / "tiny/tiny-train.arff"));
    for (const lg::FileCheck& c : lg::verify(*d, dest.path())) CHECK(c.status == lg::FileStatus::Ok);
    CHECK(regular_files_under(dest.path()) == 3);  // no temporary left over

    for (const lg::FetchedFile& f : lg::fetch(*d, dest.path(), options))
      CHECK(f.action == lg::FetchAction::AlreadyPresent);
  }

  SECTION("a wrong checksum fails naming the URL and leaves no file") {
    const std::string wrong(64, 'a');
    write_tiny_descriptor(descriptors.path(), "tiny",
                          {{"tiny-train.arff", "train", server.url("tiny-train.arff"), wrong, ""},
                           {"tiny-test.arff", "test", server.url("tiny-test.arff"), "", ""}});
    const auto d = lg::find_descriptor("tiny", descriptors.path());
    REQUIRE(d);
    CHECK_THROWS_WITH(lg::fetch(*d, dest.path(), options),
                      Catch::Contains(server.url("tiny-train.arff")) &&
                          Catch::Contains("checksum mismatch"));
    CHECK(regular_files_under(dest.path()) == 0);
  }

  SECTION("a missing file on the server (404) fails naming the URL") {
    write_tiny_descriptor(descriptors.path(), "tiny",
                          {{"tiny-train.arff", "full", server.url("nothing-here.arff"), "", ""}});
    const auto d = lg::find_descriptor("tiny", descriptors.path());
    REQUIRE(d);
    CHECK_THROWS_WITH(lg::fetch(*d, dest.path(), options),
                      Catch::Contains(server.url("nothing-here.arff")) && Catch::Contains("404"));
    CHECK(regular_files_under(dest.path()) == 0);
  }

  SECTION("a file that is not bzip2 fails when the descriptor says bz2") {
    write_tiny_descriptor(descriptors.path(), "tiny",
                          {{"tiny-train.arff", "full", server.url("tiny-train.arff"), "", "bz2"}});
    const auto d = lg::find_descriptor("tiny", descriptors.path());
    REQUIRE(d);
    CHECK_THROWS_WITH(lg::fetch(*d, dest.path(), options), Catch::Contains("bzip2"));
    CHECK(regular_files_under(dest.path()) == 0);
  }

  SECTION("an unreachable URL errors clearly") {
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/tiny.xml";
    write_tiny_descriptor(descriptors.path(), "tiny", {{"tiny-train.arff", "full", url, "", ""}});
    const auto d = lg::find_descriptor("tiny", descriptors.path());
    REQUIRE(d);
    CHECK_THROWS_WITH(lg::fetch(*d, dest.path(), options),
                      Catch::Contains(url) && Catch::Contains("download failed"));
    CHECK(regular_files_under(dest.path()) == 0);
  }
}

TEST_CASE("a data set name is an input", "[io][catalog]") {
  SECTION("the fixture set reads train + test with its label XML") {
    lg::test::ScopedEnv data("LABELGRAPH_DATA", fixture_data().string());
    lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", fixture_descriptors().string());
    const lg::Dataset d = lg::load_inputs({"tiny"});
    CHECK(d.rows() == 5);
    CHECK(d.num_features() == 2);
    CHECK(d.label_names == std::vector<std::string>{"a", "b"});
    CHECK(int(d.labels(4, 0)) == 1);
  }
  SECTION("a name that is neither a file nor a data set") {
    CHECK_THROWS_WITH(lg::load_inputs({"no-such-set"}),
                      "'no-such-set' is neither a file nor a known data set (see `labelgraph "
                      "data list`)");
    CHECK_THROWS_WITH(lg::load_inputs({"missing/file.arff"}),
                      Catch::Contains("neither a file nor a known data set"));
  }
  SECTION("a data set whose files are missing") {
    TempDir empty;
    lg::test::ScopedEnv data("LABELGRAPH_DATA", empty.path().string());
    lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", fixture_descriptors().string());
    try {
      lg::load_inputs({"tiny"});
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK(e.file() == (empty / "tiny/tiny-train.arff").string());
      CHECK_THAT(e.what(), Catch::Contains("labelgraph data fetch tiny --to"));
    }
  }
  SECTION("a label graph has no instances to read") {
    lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", project_descriptors().string());
    CHECK_THROWS_WITH(lg::load_inputs({"mlgcn-voc"}), Catch::Contains("mlgcn-graph"));
  }
  SECTION("emotions from the shared data: 593 rows, 6 labels") {
    if (!lg::test::shared_file("emotions/emotions-train.arff")) return;
    lg::test::ScopedEnv data("LABELGRAPH_DATA", lg::test::data_root().string());
    lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", project_descriptors().string());
    const lg::Dataset d = lg::load_inputs({"emotions"});
    CHECK(d.rows() == 593);
    CHECK(d.num_labels() == 6);
    CHECK(d.num_features() == 72);
    CHECK(d.label_names.front() == "amazed-suprised");
  }
  SECTION("meka-music from the shared data: 592 rows, 6 labels by -C") {
    if (!lg::test::shared_file("meka/Music.arff")) return;
    lg::test::ScopedEnv data("LABELGRAPH_DATA", lg::test::data_root().string());
    lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", project_descriptors().string());
    const lg::Dataset d = lg::load_inputs({"meka-music"});
    CHECK(d.rows() == 592);
    CHECK(d.num_labels() == 6);
  }
}
