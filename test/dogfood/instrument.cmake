# The dogfood stage's build (run.sh) includes this file after project() through
# CMAKE_PROJECT_INCLUDE, so the project's own CMakeLists stay as they are. Once every target exists,
# it compiles trace-optimize (library and main) and both GoogleTest unit programs with the main
# build's plugin in instrument-everything mode, and links them with the runtime.
#
# The runtime and the plugin are not instrumented: the runtime cannot record itself (its recording
# code would call itself), and the plugin runs inside clang, which is not built here.
if(NOT TRACE_DOGFOOD_PLUGIN OR NOT EXISTS "${TRACE_DOGFOOD_PLUGIN}")
  message(FATAL_ERROR "TRACE_DOGFOOD_PLUGIN must name the main build's TracePlugin.so")
endif()
set(TRACE_DOGFOOD_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(TRACE_DOGFOOD_TARGETS trace_opt trace-optimize trace_opt_unittests trace-rt-unit)

function(trace_dogfood_instrument)
  foreach(target IN LISTS TRACE_DOGFOOD_TARGETS)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "dogfood: target ${target} is missing; update TRACE_DOGFOOD_TARGETS")
    endif()
    target_compile_options(${target} PRIVATE "-fplugin=${TRACE_DOGFOOD_PLUGIN}"
      -fplugin-arg-trace-all -fplugin-arg-trace-verbose)
    # The launcher keeps each object's plugin report next to it, so the counts cover the whole
    # build also after an incremental one.
    set_property(TARGET ${target} PROPERTY CXX_COMPILER_LAUNCHER bash "${TRACE_DOGFOOD_DIR}/compile.sh")
    # Ninja does not know the plugin is an input of these objects: a new plugin must rebuild them.
    # Relative source names are the target's folder's, not this one's.
    get_target_property(sources ${target} SOURCES)
    get_target_property(dir ${target} SOURCE_DIR)
    set(paths)
    foreach(source IN LISTS sources)
      get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${dir}")
      list(APPEND paths "${path}")
    endforeach()
    set_property(SOURCE ${paths} DIRECTORY "${dir}" APPEND PROPERTY OBJECT_DEPENDS
      "${TRACE_DOGFOOD_PLUGIN}" "${PROJECT_SOURCE_DIR}/runtime/include/trace/abi.hpp")
  endforeach()
  # RecordTest.cpp's tests read back the trace of their own process and check its exact shape (a
  # call they make is top-level, its node is the first of its thread). Recorded, a TEST body is a
  # node above those calls: the observer cannot be recorded without changing what it observes.
  # Its TEST bodies are left out; its helpers (readTrace and others) are recorded.
  set_property(SOURCE "${PROJECT_SOURCE_DIR}/test/unit/runtime/RecordTest.cpp"
    DIRECTORY "${PROJECT_SOURCE_DIR}/test/unit/runtime" APPEND PROPERTY COMPILE_OPTIONS
    "-fplugin-arg-trace-exclude=^Record_[A-Za-z0-9]+_Test::TestBody$")
  # Every instrumented object needs the runtime; trace-rt-unit links it already.
  target_link_libraries(trace_opt INTERFACE trace_rt)
endfunction()

cmake_language(DEFER CALL trace_dogfood_instrument)
