#pragma once
// The JavaScript libraries report.html inlines (report/report_html.hpp): pinned npm packages
// that src/report/npm/npm_assets.cmake fetches at configure time, verifies against their registry
// integrity (sha512) and compiles in as string constants, so writing a page needs no network.
#include <string_view>
#include <vector>

namespace lg::report {

struct WebAsset {
  std::string_view name;     ///< npm package name
  std::string_view version;  ///< pinned version
  std::string_view license;  ///< the package's LICENSE text
  std::string_view code;     ///< the browser bundle (defines a global)
};

/// graphology (global `graphology`), then sigma (global `Sigma`), in load order.
/// Defined in <build>/generated/report/web_assets.cpp.
const std::vector<WebAsset>& web_assets();

/// The page's own script (src/report/report_page.js: sortable tables, the graph views); it
/// runs after web_assets().
std::string_view report_page_script();
/// The page's style sheet (src/report/report_page.css).
std::string_view report_page_style();

}  // namespace lg::report
