#include "io/mulan_xml.hpp"

#include <fmt/format.h>
#include <tinyxml2.h>

#include <set>
#include <system_error>


#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

// Element names may carry a namespace prefix ("m:label"); compare the local part.
std::string local_name(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

struct Flattener {
  std::string file;
  std::vector<MulanLabel> labels;
  std::set<std::string> seen;

  void add(const tinyxml2::XMLElement* element, std::size_t depth) {
    for (const auto* child = element->FirstChildElement(); child; child = child->NextSiblingElement()) {
      const auto line = static_cast<std::size_t>(child->GetLineNum());
      if (local_name(child->Name()) != "label")
        throw Error(file, line, fmt::format("expected a <label> element, found <{}>", child->Name()));
      const char* name = child->Attribute("name");
      if (!name) throw Error(file, line, "expected a name=\"...\" attribute on <label>, found none");
      if (!seen.insert(name).second)
        throw Error(file, line, fmt::format("duplicate label name '{}'", name));
      labels.push_back({name, line, depth});
      add(child, depth + 1);  // children after their parent: document order
    }
  }
};

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<MulanLabel> read_mulan_labels(const fs::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw Error(file, 0, fs::exists(path, ec) ? "expected a MULAN label XML file, found a folder or special file"
                                              : "cannot open the label XML file: no such file");
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(file.c_str()) != tinyxml2::XML_SUCCESS) {
    const int line = doc.ErrorLineNum();
    throw Error(file, line > 0 ? static_cast<std::size_t>(line) : 0,
                fmt::format("malformed XML: {}", doc.ErrorStr()));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (!root) throw Error(file, 0, "expected a <labels> element, found an empty document");
  if (local_name(root->Name()) != "labels")
    throw Error(file, static_cast<std::size_t>(root->GetLineNum()),
                fmt::format("expected the root element <labels>, found <{}>", root->Name()));
  Flattener flat{file, {}, {}};
  flat.add(root, 0);
  if (flat.labels.empty())
    throw Error(file, static_cast<std::size_t>(root->GetLineNum()),
                "expected at least one <label> element inside <labels>, found none");
  return flat.labels;
}

std::vector<std::string> read_mulan_xml(const fs::path& path) {
  std::vector<std::string> names;
  for (MulanLabel& label : read_mulan_labels(path)) names.push_back(std::move(label.name));
  return names;
}

std::string format_mulan_xml(const std::vector<std::string>& labels) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                    "<labels xmlns=\"http://mulan.sourceforge.net/labels\">\n";
  for (const std::string& name : labels) out += "<label name=\"" + xml_escape(name) + "\"></label>\n";
  out += "</labels>\n";
  return out;
}

void write_mulan_xml(const std::vector<std::string>& labels, const fs::path& path) {
  write_file_atomically(path, format_mulan_xml(labels), /*create_folder=*/false);
}

}  // namespace lg
