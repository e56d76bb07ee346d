# The JavaScript of report.html (src/report/report_html.cpp): pinned npm packages, fetched from
# the npm registry at configure time, verified against the registry's own `dist.integrity`
# (sha512) written below, and compiled into labelgraph_lib as string constants
# (generated/report/web_assets.cpp), so a run writes a self-contained page and never needs the
# network. No npm binary: a package's tarball is https://registry.npmjs.org/NAME/-/NAME-VERSION.tgz.
#
# The tarballs are cached in <build>/npm/ (a cached file is re-verified on every configure). To
# configure without the registry, put the tarball there (or in LABELGRAPH_NPM_CACHE) beforehand.
#
# To update a package: change VERSION and INTEGRITY together, INTEGRITY copied from
# `curl -s https://registry.npmjs.org/NAME/VERSION` (field dist.integrity).

set(LABELGRAPH_NPM_REGISTRY "https://registry.npmjs.org" CACHE STRING
  "npm registry the JavaScript of report.html is fetched from")
set(LABELGRAPH_NPM_CACHE "" CACHE PATH
  "extra folder searched for npm tarballs (NAME-VERSION.tgz) before the registry")

# npm's integrity strings are base64; CMake's file(SHA512) gives hex.
function(labelgraph_base64_to_hex base64 out_var)
  set(alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  set(digits "0123456789abcdef")
  string(REGEX REPLACE "=+$" "" base64 "${base64}")
  string(LENGTH "${base64}" n)
  set(bits 0)
  set(nbits 0)
  set(hex "")
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last})
    string(SUBSTRING "${base64}" ${i} 1 c)
    string(FIND "${alphabet}" "${c}" v)
    if(v LESS 0)
      message(FATAL_ERROR "npm integrity '${base64}': '${c}' is not a base64 character")
    endif()
    math(EXPR bits "(${bits} << 6) | ${v}")
    math(EXPR nbits "${nbits} + 6")
    if(nbits GREATER_EQUAL 8)
      math(EXPR nbits "${nbits} - 8")
      math(EXPR hi "(${bits} >> (${nbits} + 4)) & 15")
      math(EXPR lo "(${bits} >> ${nbits}) & 15")
      math(EXPR bits "${bits} & ((1 << ${nbits}) - 1)")
      string(SUBSTRING "${digits}" ${hi} 1 h)
      string(SUBSTRING "${digits}" ${lo} 1 l)
      string(APPEND hex "${h}${l}")
    endif()
  endforeach()
  set(${out_var} "${hex}" PARENT_SCOPE)
endfunction()

# Fetch (or reuse) NAME@VERSION's tarball, verify it, and set OUT_DIR to where it is unpacked
# (the package's files under OUT_DIR/package/).
function(labelgraph_npm_package name version integrity out_dir)
  if(NOT integrity MATCHES "^sha512-(.+)$")
    message(FATAL_ERROR "npm package ${name}@${version}: integrity must be sha512-<base64>, got '${integrity}'")
  endif()
  labelgraph_base64_to_hex("${CMAKE_MATCH_1}" want)
  set(cache "${CMAKE_BINARY_DIR}/npm")
  set(tarball "${cache}/${name}-${version}.tgz")
  file(MAKE_DIRECTORY "${cache}")
  if(NOT EXISTS "${tarball}" AND LABELGRAPH_NPM_CACHE AND EXISTS "${LABELGRAPH_NPM_CACHE}/${name}-${version}.tgz")
    file(COPY_FILE "${LABELGRAPH_NPM_CACHE}/${name}-${version}.tgz" "${tarball}")
  endif()
  if(EXISTS "${tarball}")
    file(SHA512 "${tarball}" have)
    if(NOT have STREQUAL want)
      message(WARNING "${tarball}: sha512 differs from the pinned integrity of ${name}@${version}; fetching it again")
      file(REMOVE "${tarball}")
    endif()
  endif()
  if(NOT EXISTS "${tarball}")
    set(url "${LABELGRAPH_NPM_REGISTRY}/${name}/-/${name}-${version}.tgz")
    message(STATUS "labelgraph: fetching ${url}")
    file(DOWNLOAD "${url}" "${tarball}.part" STATUS status TLS_VERIFY ON TIMEOUT 300 INACTIVITY_TIMEOUT 60)
    list(GET status 0 code)
    list(GET status 1 why)
    if(NOT code EQUAL 0)
      file(REMOVE "${tarball}.part")
      message(FATAL_ERROR
        "labelgraph: could not fetch ${url} (${why}, curl code ${code}).\n"
        "report.html inlines the JavaScript package ${name}@${version} from the npm registry; "
        "the build needs ${LABELGRAPH_NPM_REGISTRY} once. Without network access, put the "
        "tarball at ${tarball} (or in a folder named by -DLABELGRAPH_NPM_CACHE=...) and configure again.")
    endif()
    file(SHA512 "${tarball}.part" have)
    if(NOT have STREQUAL want)
      file(REMOVE "${tarball}.part")
      message(FATAL_ERROR
        "labelgraph: ${url} does not match the pinned integrity ${integrity} "
        "(sha512 expected ${want}, got ${have}): not using it")
    endif()
    file(RENAME "${tarball}.part" "${tarball}")
  endif()
  set(dir "${cache}/${name}-${version}")
  if(NOT EXISTS "${dir}/.verified-${want}")
    file(REMOVE_RECURSE "${dir}")
    file(ARCHIVE_EXTRACT INPUT "${tarball}" DESTINATION "${dir}")
    file(TOUCH "${dir}/.verified-${want}")
  endif()
  set(${out_dir} "${dir}" PARENT_SCOPE)
endfunction()

# ---- the pinned packages ----
# sigma 2.4.0: the last sigma release with a browser bundle (build/sigma.min.js, global `Sigma`,
# its own dependencies inside); 3.x/4.x ship only ES modules that need a bundler.
# graphology 0.25.4: the graph model sigma 2 draws (dist/graphology.umd.min.js, global `graphology`).
set(LABELGRAPH_GRAPHOLOGY_VERSION 0.25.4)
set(LABELGRAPH_SIGMA_VERSION 2.4.0)
labelgraph_npm_package(graphology ${LABELGRAPH_GRAPHOLOGY_VERSION}
  "sha512-33g0Ol9nkWdD6ulw687viS8YJQBxqG5LWII6FI6nul0pq6iM2t5EKquOTFDbyTblRB3O9I+7KX4xI8u5ffekAQ=="
  LABELGRAPH_GRAPHOLOGY_DIR)
labelgraph_npm_package(sigma ${LABELGRAPH_SIGMA_VERSION}
  "sha512-spi4C+c3cjlhCklT+RvAxJJcarMmjRpF6RPNvBIBYDduALq8iSNm7FwSpijQNGtI+ryeZ2EfvyBNLp36OFaZiw=="
  LABELGRAPH_SIGMA_DIR)

# ---- generated/report/web_assets.cpp: each script and its licence as a string constant, and
# the page's own script and style ----
function(labelgraph_js_literal file out_var)
  file(READ "${file}" text)
  string(FIND "${text}" ")lgjs\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )lgjs\": choose another one")
  endif()
  set(${out_var} "R\"lgjs(${text})lgjs\"" PARENT_SCOPE)
endfunction()
labelgraph_js_literal("${LABELGRAPH_GRAPHOLOGY_DIR}/package/dist/graphology.umd.min.js" graphology_js)
labelgraph_js_literal("${LABELGRAPH_GRAPHOLOGY_DIR}/package/LICENSE.txt" graphology_license)
labelgraph_js_literal("${LABELGRAPH_SIGMA_DIR}/package/build/sigma.min.js" sigma_js)
labelgraph_js_literal("${LABELGRAPH_SIGMA_DIR}/package/LICENSE.txt" sigma_license)
# the page's own script and style, kept as files of their own
labelgraph_js_literal("${CMAKE_SOURCE_DIR}/src/report/report_page.js" page_js)
labelgraph_js_literal("${CMAKE_SOURCE_DIR}/src/report/report_page.css" page_css)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/src/report/report_page.js ${CMAKE_SOURCE_DIR}/src/report/report_page.css)
set(LABELGRAPH_WEB_ASSETS_CPP "${CMAKE_BINARY_DIR}/generated/report/web_assets.cpp")
set(content "// Generated by cmake/npm_assets.cmake from the verified npm tarballs: do not edit.
#include \"report/web_assets.hpp\"

namespace lg::report {

const std::vector<WebAsset>& web_assets() {
  static const std::vector<WebAsset> assets = {
      {\"graphology\", \"${LABELGRAPH_GRAPHOLOGY_VERSION}\", ${graphology_license}, ${graphology_js}},
      {\"sigma\", \"${LABELGRAPH_SIGMA_VERSION}\", ${sigma_license}, ${sigma_js}},
  };
  return assets;
}

std::string_view report_page_script() { return ${page_js}; }
std::string_view report_page_style() { return ${page_css}; }

}  // namespace lg::report
")
# written only when it changed (configure_file COPYONLY), so a re-configure rebuilds nothing
file(WRITE "${LABELGRAPH_WEB_ASSETS_CPP}.new" "${content}")
configure_file("${LABELGRAPH_WEB_ASSETS_CPP}.new" "${LABELGRAPH_WEB_ASSETS_CPP}" COPYONLY)
# string constants far longer than the 65,536 characters ISO C++ promises (GCC and Clang take them)
set_source_files_properties("${LABELGRAPH_WEB_ASSETS_CPP}" PROPERTIES COMPILE_OPTIONS "-Wno-overlength-strings")
