# Shared build settings: warnings, hardening, sanitizers, dependencies and helper functions.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(Threads REQUIRED)

add_compile_definitions(_GNU_SOURCE)
add_compile_options(-Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
                    -Wmissing-prototypes -Wvla -Wno-unused-parameter -fno-common)

if(CMAKE_BUILD_TYPE STREQUAL "Release")
  # Hardening for what operators run: FORTIFY, stack protector, PIE, full RELRO.
  add_compile_options(-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE)
  add_link_options(-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()

# Test hooks (a clock offset file the integration tests use to move `attt serve` through time,
# docs/testing.md): on by default where the tests are built, and never in a Release build, which is
# what operators run.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(_attt_test_hooks_default OFF)
else()
  set(_attt_test_hooks_default ${ATTT_TESTS})
endif()
option(ATTT_TEST_HOOKS "Compile in the test hooks (clock offset file); refused for Release" ${_attt_test_hooks_default})
if(ATTT_TEST_HOOKS)
  if(CMAKE_BUILD_TYPE STREQUAL "Release")
    message(FATAL_ERROR "ATTT_TEST_HOOKS=ON: test hooks are never compiled into a Release build")
  endif()
  add_compile_definitions(ATTT_TEST_HOOKS=1)
endif()

if(ATTT_FUZZ)
  # Instrument the libraries too, not only the harnesses, or libFuzzer sees no coverage.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(ATTT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(ATTT_TSAN)
  if(ATTT_SANITIZE)
    message(FATAL_ERROR "ATTT_TSAN and ATTT_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# attt_module(NAME SOURCES ... DEPS ...): one static library per module.
function(attt_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(attt_${name} STATIC ${M_SOURCES})
  target_include_directories(attt_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                          PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(attt_${name} PUBLIC ${M_DEPS})
  set_property(GLOBAL APPEND PROPERTY ATTT_MODULES attt_${name})
endfunction()

# attt_unit_test(NAME SOURCES ... LIBS ... [LABELS ...]): a cmocka test registered with ctest.
function(attt_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "ATTT_SOURCE_DIR=${PROJECT_SOURCE_DIR};ATTT_BIN=$<TARGET_FILE:attt>;ATTT_SHARED_DIR=${PROJECT_SOURCE_DIR}/../shared")
endfunction()
