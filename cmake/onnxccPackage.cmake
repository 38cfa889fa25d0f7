# onnxccPackage.cmake: what `cmake --install` puts in the prefix, and the
# onnxcc_add_model() function for this build tree.  Included once from the
# top-level CMakeLists.txt after the onnxcc and onnxcc-run targets exist.
#
#   bin/onnxcc, bin/onnxcc-run
#   include/onnxcc/onnxcc_rt.h               runtime_min's header
#   lib/libonnxcc_runtime_min.a              runtime_min for the host (onnxcc::runtime_min)
#   lib/onnxcc/TRIPLE/libonnxcc_runtime_min.a   the same for each cross target built
#   share/onnxcc/onnxcc_harness.c            onnxcc-run's test harness
#   lib/cmake/onnxcc/onnxccConfig.cmake      find_package(onnxcc CONFIG)
#   lib/cmake/onnxcc/onnxccConfigVersion.cmake
#   lib/cmake/onnxcc/onnxccTargets.cmake     onnxcc::onnxcc, onnxcc::onnxcc-run, ...
#   lib/cmake/onnxcc/onnxccAddModel.cmake    onnxcc_add_model()
#
# The package is relocatable: every path in it is relative to the prefix.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ONNXCC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/onnxcc)
set(ONNXCC_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/onnxcc)

# The build tree's own uses of onnxcc_add_model() (examples/) name the
# compiler the way an installed package does.
add_executable(onnxcc::onnxcc ALIAS onnxcc)
add_executable(onnxcc::onnxcc-run ALIAS onnxcc-run)
if(TARGET onnxcc_runtime_min)
  add_library(onnxcc::runtime_min ALIAS onnxcc_runtime_min)
endif()
set(ONNXCC_RUNTIME_MIN_CROSS_DIR ${CMAKE_BINARY_DIR}/runtime_min)
include(${CMAKE_CURRENT_LIST_DIR}/onnxccAddModel.cmake)

# runtime_min's headers, for code that uses the runtime directly.
add_library(onnxcc_runtime_headers INTERFACE)
target_include_directories(onnxcc_runtime_headers INTERFACE
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/runtime_min>
  $<INSTALL_INTERFACE:${ONNXCC_INSTALL_INCLUDEDIR}>)
set_target_properties(onnxcc_runtime_headers PROPERTIES EXPORT_NAME runtime_headers)
add_library(onnxcc::runtime_headers ALIAS onnxcc_runtime_headers)

install(TARGETS onnxcc onnxcc-run onnxcc_runtime_headers EXPORT onnxccTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/runtime_min/onnxcc_rt.h DESTINATION ${ONNXCC_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_SOURCE_DIR}/runtime_min/onnxcc_harness.c
  DESTINATION ${CMAKE_INSTALL_DATADIR}/onnxcc)

# runtime_min as a static library (a target named onnxcc_runtime_min, which
# the build may define after this file is included: hence deferred to the end
# of the top-level directory) joins the export set as onnxcc::runtime_min;
# onnxcc_add_model(BACKEND llvm) links it.
function(_onnxcc_install_package)
  set(ONNXCC_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/onnxcc)
  set(ONNXCC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/onnxcc)
  if(TARGET onnxcc_runtime_min)
    set_target_properties(onnxcc_runtime_min PROPERTIES EXPORT_NAME runtime_min)
    install(TARGETS onnxcc_runtime_min EXPORT onnxccTargets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  endif()
  foreach(t ${ONNXCC_RT_CROSS})
    install(FILES ${CMAKE_BINARY_DIR}/runtime_min/${t}/libonnxcc_runtime_min.a
      DESTINATION ${CMAKE_INSTALL_LIBDIR}/onnxcc/${t})
  endforeach()
  install(EXPORT onnxccTargets NAMESPACE onnxcc:: DESTINATION ${ONNXCC_INSTALL_CMAKEDIR})
  configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/onnxccConfig.cmake.in
    ${CMAKE_BINARY_DIR}/cmake/onnxccConfig.cmake
    INSTALL_DESTINATION ${ONNXCC_INSTALL_CMAKEDIR}
    PATH_VARS ONNXCC_INSTALL_INCLUDEDIR)
  # 0.x: a new minor version may change the generated API.  ARCH_INDEPENDENT:
  # the package is a compiler for the build machine, usable from a project
  # cross-compiling to a 32-bit target (the firmware example).
  write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/onnxccConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
  install(FILES ${CMAKE_BINARY_DIR}/cmake/onnxccConfig.cmake
                ${CMAKE_BINARY_DIR}/cmake/onnxccConfigVersion.cmake
                ${CMAKE_SOURCE_DIR}/cmake/onnxccAddModel.cmake
          DESTINATION ${ONNXCC_INSTALL_CMAKEDIR})
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _onnxcc_install_package)
