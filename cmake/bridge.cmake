# Helpers that declare every module library and every test the same way.

set(BRIDGE_WARNINGS
    -Wall -Wextra -Werror -Wshadow -Wold-style-cast -Wnon-virtual-dtor -Wpedantic)

# bridge_add_library(NAME SOURCES ... DEPS ...)
# One static library per bridge/<stage>/ folder, with our warning set.
function(bridge_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${BRIDGE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# bridge_add_test(NAME SOURCES ... DEPS ... LABEL unit|integration|interop [TIMEOUT s])
# A Boost.Test binary registered with CTest; tests find fixtures via BRIDGE_SOURCE_DIR.
function(bridge_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${BRIDGE_WARNINGS})
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
                                             BRIDGE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Boost::unit_test_framework)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
