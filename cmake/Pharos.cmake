# pharos_domain(NAME DEPS ...): a static library pharos_NAME made of every
# src/NAME/**/*.cc. Headers are included as "NAME/file.h" from src/.
function(pharos_domain name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  if(srcs)
    add_library(pharos_${name} STATIC ${srcs})
    target_include_directories(pharos_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/gen)
    target_link_libraries(pharos_${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(pharos_${name} INTERFACE)
    target_include_directories(pharos_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/gen)
    target_link_libraries(pharos_${name} INTERFACE ${ARG_DEPS})
  endif()
  set_property(GLOBAL APPEND PROPERTY PHAROS_DOMAINS ${name})
endfunction()

# pharos_test_domain(NAME DEPS ...): one GoogleTest binary per tests/NAME folder.
function(pharos_test_domain name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/*_test.cc)
  file(GLOB_RECURSE support CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/testing/*.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name}_test ${srcs} ${support})
  target_include_directories(${name}_test PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name}_test PRIVATE
      PHAROS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      PHAROS_BINARY_DIR="${PROJECT_BINARY_DIR}"
      PHAROS_CONFORMANCE_DIR="${PHAROS_CONFORMANCE_DIR}")
  add_test(NAME ${name} COMMAND ${name}_test)
  set_tests_properties(${name} PROPERTIES TIMEOUT 600 LABELS unit)
endfunction()
