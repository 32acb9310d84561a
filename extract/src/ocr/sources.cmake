# OCR sources of pactum_extract (Leptonica clean-up, Tesseract, image documents).
target_sources(pactum_extract PRIVATE
  src/ocr/pix.cc
  src/ocr/image_document.cc
  src/ocr/leptonica_cleanup.cc
  src/ocr/numeric_repair.cc
  src/ocr/tesseract_engine.cc
  src/ocr/ocr_engine_pool.cc)
target_link_libraries(pactum_extract PRIVATE spdlog::spdlog)
