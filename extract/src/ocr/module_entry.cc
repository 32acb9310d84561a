// The entry point of libpactum_ocr.so.
#include "ocr/module.h"

extern "C" __attribute__((visibility("default"))) const pactum::extract::ocr::ModuleTable* pactum_ocr_module() {
  using namespace pactum::extract::ocr;
  static const ModuleTable table{kModuleAbi, &OpenImage, &CreateTesseract, &CleanUpForOcr};
  return &table;
}
