# The OCR module: everything that needs Tesseract and Leptonica, built as
# libpactum_ocr.so and loaded on first use (see src/ocr/module.h).
add_library(pactum_ocr_impl STATIC
  src/ocr/pix.cc
  src/ocr/image_document.cc
  src/ocr/leptonica_cleanup.cc
  src/ocr/numeric_repair.cc
  src/ocr/tesseract_engine.cc)
target_include_directories(pactum_ocr_impl PUBLIC include src)
target_link_libraries(pactum_ocr_impl
  PUBLIC pactum_extract_common PkgConfig::LEPTONICA
  PRIVATE PkgConfig::TESSERACT spdlog::spdlog ${CMAKE_DL_LIBS})

add_library(pactum_ocr MODULE src/ocr/module_entry.cc)
target_link_libraries(pactum_ocr PRIVATE pactum_ocr_impl)
set_target_properties(pactum_ocr PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
# Clang leaves the sanitizer runtimes out of shared objects: their symbols
# come from the executable that loads the module.
if(NOT (CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND (PACTUM_SANITIZE OR PACTUM_TSAN OR PACTUM_FUZZ)))
  target_link_options(pactum_ocr PRIVATE -Wl,--no-undefined)
endif()

# Main side: the engine pool and the loader that forwards to the module.
target_sources(pactum_extract PRIVATE
  src/ocr/ocr_engine_pool.cc
  src/ocr/module_loader.cc)
target_compile_definitions(pactum_extract PRIVATE PACTUM_OCR_MODULE_BUILD_PATH="$<TARGET_FILE:pactum_ocr>")
target_link_libraries(pactum_extract PRIVATE spdlog::spdlog ${CMAKE_DL_LIBS})
add_dependencies(pactum_extract pactum_ocr)
