// MULAN label XML: flat and nested files, errors with file and line, writing.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/mulan_xml.hpp"

using lg::test::fixture;
using lg::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using Strings = std::vector<std::string>;

std::string error_of(const fs::path& path) {
  try {
    lg::read_mulan_xml(path);
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("MULAN XML: flat label list in document order", "[io][arff][xml]") {
  TempDir tmp;
  const fs::path p = tmp.write("flat.xml",
                               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                               "<labels xmlns=\"http://mulan.sourceforge.net/labels\">\n"
                               "<label name=\"beach\"></label>\n<label name=\"a &amp; b\"></label>\n"
                               "<label name=\"TAG_m\\'usica\"></label>\n</labels>\n");
  CHECK(lg::read_mulan_xml(p) == Strings{"beach", "a & b", "TAG_m\\'usica"});
}

TEST_CASE("MULAN XML: nested labels are flattened, parent before children", "[io][arff][xml]") {
  const auto labels = lg::read_mulan_labels(fixture("arff/hierarchy.xml"));
  REQUIRE(labels.size() == 5);
  const Strings names{"animal", "cat", "dog", "puppy", "plant"};
  const std::vector<std::size_t> depth{0, 1, 1, 2, 0};
  const std::vector<std::size_t> line{3, 4, 5, 6, 9};
  for (std::size_t i = 0; i < labels.size(); ++i) {
    CHECK(labels[i].name == names[i]);
    CHECK(labels[i].depth == depth[i]);
    CHECK(labels[i].line == line[i]);
  }
}

TEST_CASE("MULAN XML errors name the file and the line", "[io][arff][xml]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp / "none.xml"), Contains("none.xml: ") && Contains("no such file"));
  CHECK_THAT(error_of(tmp.write("broken.xml", "<labels>\n<label name=\"a\">\n</labels>\n")),
             Contains("broken.xml:") && Contains("malformed XML"));
  CHECK_THAT(error_of(tmp.write("noname.xml", "<labels>\n<label name=\"a\"/>\n<label/>\n</labels>\n")),
             Contains("noname.xml:3:") && Contains("name="));
  CHECK_THAT(error_of(tmp.write("dup.xml", "<labels>\n<label name=\"a\"/>\n<label name=\"b\">\n<label name=\"a\"/>\n</label>\n</labels>\n")),
             Contains("dup.xml:4:") && Contains("duplicate label name 'a'"));
  CHECK_THAT(error_of(tmp.write("root.xml", "\n<tags><label name=\"a\"/></tags>\n")),
             Contains("root.xml:2:") && Contains("<labels>") && Contains("<tags>"));
  CHECK_THAT(error_of(tmp.write("other.xml", "<labels>\n<label name=\"a\"/>\n<tag name=\"b\"/>\n</labels>\n")),
             Contains("other.xml:3:") && Contains("<tag>"));
  CHECK_THAT(error_of(tmp.write("emptylist.xml", "<labels>\n</labels>\n")),
             Contains("emptylist.xml:1:") && Contains("at least one <label>"));
}

TEST_CASE("MULAN XML writer escapes names and round-trips", "[io][arff][xml]") {
  TempDir tmp;
  const Strings names{"plain", "a & b", "<x>", "say \"hi\"", "it's", "back\\slash"};
  const fs::path p = tmp / "out.xml";
  lg::write_mulan_xml(names, p);
  CHECK(lg::read_mulan_xml(p) == names);
  const std::string text = lg::format_mulan_xml({"a"});
  CHECK_THAT(text, Contains("xmlns=\"http://mulan.sourceforge.net/labels\"") && Contains("<label name=\"a\"></label>"));
  // Only the file itself is left in the folder: no temporary name.
  CHECK(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()) == 1);
  CHECK_THROWS_AS(lg::write_mulan_xml(names, tmp / "no" / "such" / "dir.xml"), lg::Error);
}
