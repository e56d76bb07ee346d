#pragma once
// Typed parameter structs, read from and written to config tables through one list.
//
// A parameter struct lists its fields once, in a visit() member:
//
//   struct CcParams {
//     std::string order = "given";  double C = 1.0;
//     template <class V> void visit(V& v) {
//       v("order", order, "given | random | frequency | mst");
//       v("C", C, "inverse L2 regularisation strength");
//     }
//     void validate() const;        // throws lg::Error(message) on a bad value
//   };
//
// read_params() fills it from a TOML table (unknown keys are errors naming key and line),
// params_to_toml() writes every field back (the resolved config), params_help() documents it.
// Field types: bool, int, std::int64_t, std::uint64_t, double, std::string,
// std::vector<std::string>, std::vector of integers or doubles.
#include <cstdint>
#include <fmt/format.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <toml++/toml.h>
#include <type_traits>
#include <vector>

#include "io/toml_reader.hpp"

namespace lg::models {

struct ParamReader {
  TomlTableReader& reader;
  template <class T>
  void operator()(const char* key, T& value, const char* /*doc*/) { reader.read(key, value); }
};

struct ParamWriter {
  toml::table& table;
  template <class T>
  void operator()(const char* key, const T& value, const char* /*doc*/) {
    if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                  detail::is_number_vector<T>::value) {
      toml::array arr;
      for (const auto& item : value) {
        if constexpr (std::is_integral_v<typename T::value_type>)
          arr.push_back(static_cast<std::int64_t>(item));
        else
          arr.push_back(item);
      }
      table.insert_or_assign(key, std::move(arr));
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      table.insert_or_assign(key, static_cast<std::int64_t>(value));
    } else {
      table.insert_or_assign(key, value);
    }
  }
};

struct ParamDoc {
  std::string& text;
  template <class T>
  void operator()(const char* key, const T& value, const char* doc) {
    std::string shown;
    if constexpr (std::is_floating_point_v<T>) {
      shown = std::string(key) + " = " + fmt::format("{}", value);  // shortest form: 0.2, not 0.20000000000000001
      if (shown.find_first_of(".e", shown.find('=')) == std::string::npos) shown += ".0";
    } else {
      toml::table t;
      ParamWriter{t}(key, value, doc);
      std::ostringstream out;
      out << t;  // "key = value"
      shown = out.str();
    }
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    text += "  " + shown + "  # " + doc + "\n";
  }
};

struct ParamKeys {
  std::vector<std::string>& keys;
  template <class T>
  void operator()(const char* key, const T&, const char*) {
    for (const std::string& k : keys)
      if (k == key) throw std::logic_error(std::string("parameter key visited twice: ") + key);
    keys.emplace_back(key);
  }
};

/// The keys of a parameter struct in visit() order; a key visited twice (two fields, or two
/// nested structs, under one name) is a programming error (std::logic_error).
template <class P>
std::vector<std::string> param_keys(P params) {
  std::vector<std::string> keys;
  ParamKeys k{keys};
  params.visit(k);
  return keys;
}

/// Fill `params` from the reader's table (keys of other owners must be marked known before).
template <class P>
void read_params(TomlTableReader& reader, P& params) {
  ParamReader r{reader};
  params.visit(r);
}

template <class P>
toml::table params_to_toml(P params) {
  toml::table t;
  ParamWriter w{t};
  params.visit(w);
  return t;
}

/// One line per field: `key = default  # doc`.
template <class P>
std::string params_help(P params) {
  std::string text;
  ParamDoc d{text};
  params.visit(d);
  return text;
}

}  // namespace lg::models
