# src/report/npm/npm_package.cmake in script mode (ctest "npm package: ..."): npm's base64 integrity
# read as hex, a pinned tarball taken from a cache folder and unpacked, a tarball whose sha512
# differs refused (nothing kept), an unreachable registry a clear error.
#   cmake -DSOURCE_DIR=<checkout> -DWORK_DIR=<scratch> -DNPM_TARBALLS=<folder with
#         graphology-0.25.4.tgz, e.g. build/npm> -P tests/cmake/test_npm_package.cmake
include(${SOURCE_DIR}/src/report/npm/npm_package.cmake)
set(GRAPHOLOGY_INTEGRITY
  "sha512-33g0Ol9nkWdD6ulw687viS8YJQBxqG5LWII6FI6nul0pq6iM2t5EKquOTFDbyTblRB3O9I+7KX4xI8u5ffekAQ==")

if(DEFINED FETCH_ONE)  # the child run of the cases that must fail
  set(LABELGRAPH_NPM_DIR "${WORK_DIR}/npm")
  labelgraph_npm_package(graphology 0.25.4 "${GRAPHOLOGY_INTEGRITY}" dir)
  return()
endif()

function(expect_equal what got want)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "${what}: got '${got}', expected '${want}'")
  endif()
endfunction()

# 1. base64 -> hex: sha512 of the empty string (FIPS 180-4's test vector).
labelgraph_base64_to_hex("z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==" hex)
expect_equal("base64 to hex" "${hex}"
  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")

# 2. The pinned tarball from a cache folder, no registry: unpacked.
file(REMOVE_RECURSE "${WORK_DIR}")
set(LABELGRAPH_NPM_DIR "${WORK_DIR}/npm")
set(LABELGRAPH_NPM_CACHE "${NPM_TARBALLS}")
set(LABELGRAPH_NPM_REGISTRY "https://registry.invalid")
labelgraph_npm_package(graphology 0.25.4 "${GRAPHOLOGY_INTEGRITY}" dir)
if(NOT EXISTS "${dir}/package/dist/graphology.umd.min.js")
  message(FATAL_ERROR "the cached tarball was not unpacked into ${dir}")
endif()

# 3. A registry serving other bytes: refused, nothing kept.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/registry/graphology/-")
file(WRITE "${WORK_DIR}/registry/graphology/-/graphology-0.25.4.tgz" "not the package")
execute_process(COMMAND ${CMAKE_COMMAND} -DFETCH_ONE=1 -DSOURCE_DIR=${SOURCE_DIR} -DWORK_DIR=${WORK_DIR}
                        -DLABELGRAPH_NPM_REGISTRY=file://${WORK_DIR}/registry -P ${CMAKE_CURRENT_LIST_FILE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "does not match the pinned integrity")
  message(FATAL_ERROR "a tarball with another sha512 was not refused (exit ${rc}): ${err}")
endif()
if(EXISTS "${WORK_DIR}/npm/graphology-0.25.4.tgz" OR EXISTS "${WORK_DIR}/npm/graphology-0.25.4.tgz.part")
  message(FATAL_ERROR "the refused tarball was kept")
endif()

# 4. An unreachable registry: a clear error saying where to put the tarball.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} -DFETCH_ONE=1 -DSOURCE_DIR=${SOURCE_DIR} -DWORK_DIR=${WORK_DIR}
                        -DLABELGRAPH_NPM_REGISTRY=file://${WORK_DIR}/nowhere -P ${CMAKE_CURRENT_LIST_FILE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "could not fetch" OR NOT err MATCHES "put the")
  message(FATAL_ERROR "an unreachable registry gave no clear error (exit ${rc}): ${err}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "npm package checks passed")
