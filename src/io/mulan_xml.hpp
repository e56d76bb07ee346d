#pragma once
// MULAN label files: `<labels xmlns="http://mulan.sourceforge.net/labels"><label name="a"/>…`.
// Nested <label> elements describe a hierarchy; the readers flatten it in document order
// (a parent comes before its children) and keep parents as labels too.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace lg {

/// One label of a MULAN XML file, with where it was declared.
struct MulanLabel {
  std::string name;
  std::size_t line = 0;   ///< 1-based line of its <label> element
  std::size_t depth = 0;  ///< 0 for a top-level label, 1 for its children, ...
};

/// All labels of the file, flattened in document order. Throws lg::Error naming file and line
/// for a missing file, malformed XML, a <label> without a name, or a duplicate name.
std::vector<MulanLabel> read_mulan_labels(const std::filesystem::path& path);

/// Only the names of read_mulan_labels().
std::vector<std::string> read_mulan_xml(const std::filesystem::path& path);

/// The text of a flat MULAN label file for these names (names XML-escaped).
std::string format_mulan_xml(const std::vector<std::string>& labels);

/// Write format_mulan_xml(labels) to `path`, through a temporary name in the same folder and a
/// rename, so a failed write leaves nothing half-written. Throws lg::Error on failure.
void write_mulan_xml(const std::vector<std::string>& labels, const std::filesystem::path& path);

}  // namespace lg
