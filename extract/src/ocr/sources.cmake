# OCR sources of pactum_extract (Leptonica clean-up, Tesseract, image documents).
target_sources(pactum_extract PRIVATE src/ocr/image_document.cc)
