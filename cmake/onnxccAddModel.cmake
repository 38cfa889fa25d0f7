# onnxccAddModel.cmake: onnxcc_add_model(), compiling an ONNX model into a
# static library at build time.  Installed beside onnxccConfig.cmake (so
# find_package(onnxcc) provides it) and included by onnxcc's own top-level
# CMakeLists.txt (so the build tree's examples use it too).
#
#   onnxcc_add_model(<target> MODEL <file.onnx>
#                    [BACKEND c|llvm] [NAME <prefix>] [OPTIONS <onnxcc options>...])
#
# Creates the static library <target> from the model.  onnxcc writes
# <prefix>.h and <prefix>.c (BACKEND c, the default) or <prefix>.o (BACKEND
# llvm) into ${CMAKE_CURRENT_BINARY_DIR}/onnxcc/<target>/; that directory is a
# PUBLIC include directory of <target>, so `#include "<prefix>.h"` works in
# whatever links <target>.  The symbols are <prefix>_run, <prefix>_ARENA_SIZE,
# ...; <prefix> defaults to <target> made into a C identifier.  OPTIONS go to
# onnxcc as they are (-O3, --cpu generic, --shape x=1,3, --target ...).
# onnxcc runs again when the model file or the onnxcc executable changes.
#
# The compiler is the executable target onnxcc::onnxcc: imported by
# onnxccTargets.cmake when installed, an alias of the onnxcc target in
# onnxcc's own build tree.

include_guard(GLOBAL)

# runtime_min for cross targets: DIR/TRIPLE/libonnxcc_runtime_min.a (the build
# tree sets the directory before including this file).
if(NOT DEFINED ONNXCC_RUNTIME_MIN_CROSS_DIR)
  get_filename_component(ONNXCC_RUNTIME_MIN_CROSS_DIR "${CMAKE_CURRENT_LIST_DIR}/../../onnxcc" ABSOLUTE)
endif()
set(_ONNXCC_RUNTIME_MIN_CROSS_DIR "${ONNXCC_RUNTIME_MIN_CROSS_DIR}" CACHE INTERNAL "")

function(onnxcc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MODEL;BACKEND;NAME" "OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "onnxcc_add_model(${target}): unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_MODEL)
    message(FATAL_ERROR "onnxcc_add_model(${target}): MODEL <file.onnx> is required")
  endif()
  if(NOT arg_BACKEND)
    set(arg_BACKEND c)
  endif()
  if(NOT arg_BACKEND MATCHES "^(c|llvm)$")
    message(FATAL_ERROR "onnxcc_add_model(${target}): BACKEND must be c or llvm, not '${arg_BACKEND}'")
  endif()
  if(arg_NAME)
    set(name "${arg_NAME}")
    if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR "onnxcc_add_model(${target}): NAME '${name}' is not a C identifier")
    endif()
  else()
    string(MAKE_C_IDENTIFIER "${target}" name)
  endif()
  if(NOT TARGET onnxcc::onnxcc)
    message(FATAL_ERROR "onnxcc_add_model(${target}): no onnxcc::onnxcc target; "
                        "use find_package(onnxcc CONFIG REQUIRED) first")
  endif()

  get_filename_component(model "${arg_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/onnxcc/${target}")
  file(MAKE_DIRECTORY "${dir}")
  if(arg_BACKEND STREQUAL "c")
    set(out "${dir}/${name}.c")
    set(emit)
  else()
    set(out "${dir}/${name}.o")
    set(emit --emit=obj)
  endif()

  # DEPENDS on the executable's file as well as the target: a rebuilt or
  # reinstalled onnxcc regenerates the model, imported or not.
  add_custom_command(
    OUTPUT "${out}" "${dir}/${name}.h"
    COMMAND "$<TARGET_FILE:onnxcc::onnxcc>" "${model}" -o "${out}" --name "${name}" ${emit} ${arg_OPTIONS}
    DEPENDS "${model}" onnxcc::onnxcc "$<TARGET_FILE:onnxcc::onnxcc>"
    COMMENT "onnxcc: compiling ${arg_MODEL} (${target}, backend ${arg_BACKEND})"
    VERBATIM)

  if(arg_BACKEND STREQUAL "c")
    add_library(${target} STATIC "${out}" "${dir}/${name}.h")
  else()
    set_source_files_properties("${out}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    add_library(${target} STATIC "${out}" "${dir}/${name}.h")
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
    # The object links runtime_min's library (its thread pool, for
    # --threads): onnxcc::runtime_min for the host, the package's
    # TRIPLE/libonnxcc_runtime_min.a for OPTIONS --target TRIPLE.
    list(FIND arg_OPTIONS --target i)
    set(triple)
    if(i GREATER -1)
      math(EXPR i "${i} + 1")
      list(LENGTH arg_OPTIONS n)
      if(i LESS n)
        list(GET arg_OPTIONS ${i} triple)
      endif()
    endif()
    set(rtlib "${_ONNXCC_RUNTIME_MIN_CROSS_DIR}/${triple}/libonnxcc_runtime_min.a")
    if(triple AND (EXISTS "${rtlib}" OR TARGET onnxcc_runtime_min_${triple}))
      target_link_libraries(${target} PUBLIC "${rtlib}")
      if(TARGET onnxcc_runtime_min_${triple})
        add_dependencies(${target} onnxcc_runtime_min_${triple})
      endif()
    elseif(TARGET onnxcc::runtime_min AND NOT CMAKE_CROSSCOMPILING)
      target_link_libraries(${target} PUBLIC onnxcc::runtime_min)
    endif()
  endif()
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${dir}>")
  # The generated code is C99 and calls libm (exp, sqrt, ...).
  if(NOT WIN32)
    target_link_libraries(${target} PUBLIC m)
  endif()
  set_target_properties(${target} PROPERTIES
    ONNXCC_MODEL "${model}" ONNXCC_NAME "${name}" ONNXCC_HEADER "${dir}/${name}.h")
endfunction()
