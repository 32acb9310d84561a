# Writes OUT: a C++ source defining `pactum::extract::kEmbeddedFiles`, the
# contents of FILES (paths relative to ROOT) as string literals, so the data
# the extractors read is parsed at start from the binary, not looked up on disk.
#   cmake -DROOT=dir -DFILES="a;b" -DOUT=file.cc -P embed_files.cmake
set(body "// Generated from extract/data by extract/cmake/embed_files.cmake. Do not edit.\n")
string(APPEND body "#include \"reading/embedded_files.h\"\n\nnamespace pactum::extract {\n\n")
string(APPEND body "const std::vector<EmbeddedFile>& EmbeddedFiles() {\n  static const std::vector<EmbeddedFile> files = {\n")
foreach(f IN LISTS FILES)
  file(READ "${ROOT}/${f}" content HEX)
  # Hex bytes -> "\xNN" escapes, in chunks the compiler takes in one literal.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${content}")
  string(LENGTH "${content}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(APPEND body "      {\"${f}\", std::string_view(\"${escaped}\", ${size})},\n")
endforeach()
string(APPEND body "  };\n  return files;\n}\n\n}  // namespace pactum::extract\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
