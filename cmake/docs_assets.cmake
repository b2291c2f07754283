# Embeds the /docs page's files in tachyon_core (see src/tachyon/openapi/assets.hpp).
# - web/install.sh runs `npm ci` in web/ only when web/package-lock.json changes (a stamp in the build
#   directory tracks it), so the npm step stays out of the everyday rebuild.
# - The bytes go in with the assembler's .incbin from a generated C++ file. Measured on the 1.9 MB of
#   assets with g++ 12 -O3 on this project's 2-core machine: 0.23 s and 52 MB to compile, against 4.1 s
#   and 233 MB for the same bytes as a generated C++ array (7 MB of source), plus 2.4 s for CMake to
#   write that array. #embed would do the same job once the compiler has it (GCC 15).
# - Text assets are also embedded gzip'd (gzip -9 -n: no name or time, so the bytes are reproducible) and
#   brotli'd (brotli -q 11), both made at build time; PNG is compressed already.
find_program(TACHYON_BROTLI brotli REQUIRED)
find_program(TACHYON_GZIP gzip REQUIRED)
set(TACHYON_WEB_DIR ${CMAKE_SOURCE_DIR}/web)
set(TACHYON_WEB_STAMP ${CMAKE_BINARY_DIR}/web/npm-ci.stamp)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/web)
add_custom_command(
  OUTPUT ${TACHYON_WEB_STAMP}
  COMMAND ${TACHYON_WEB_DIR}/install.sh
  COMMAND ${CMAKE_COMMAND} -E touch ${TACHYON_WEB_STAMP}
  DEPENDS ${TACHYON_WEB_DIR}/package-lock.json ${TACHYON_WEB_DIR}/install.sh
  COMMENT "web/: npm ci (runs only when web/package-lock.json changes)"
  VERBATIM)
add_custom_target(tachyon_web_modules DEPENDS ${TACHYON_WEB_STAMP})

# name served under /docs/ | file under web/ (the Content-Type follows from the extension)
set(TACHYON_DOCS_ASSETS
  "swagger-ui-bundle.js|node_modules/swagger-ui-dist/swagger-ui-bundle.js"
  "swagger-ui.css|node_modules/swagger-ui-dist/swagger-ui.css"
  "favicon-32x32.png|node_modules/swagger-ui-dist/favicon-32x32.png"
  "docs-init.js|docs/docs-init.js"
  # Swagger UI is Apache-2.0: its licence, notice and the licences of what its bundle contains ship
  # with the binary that embeds it.
  "swagger-ui-LICENSE.txt|node_modules/swagger-ui-dist/LICENSE"
  "swagger-ui-NOTICE.txt|node_modules/swagger-ui-dist/NOTICE"
  "swagger-ui-bundle.js.LICENSE.txt|node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt")

set(assembly "")
set(declarations "")
set(table "")
set(asset_files "")
set(compressed_files "")
set(index 0)
set(TACHYON_DOCS_COMPRESSED_DIR ${CMAKE_BINARY_DIR}/generated/docs)
file(MAKE_DIRECTORY ${TACHYON_DOCS_COMPRESSED_DIR})

# Appends the .incbin of `file` as symbol `symbol` to `assembly`, and its declaration.
macro(tachyon_embed symbol file)
  string(APPEND assembly
    "    \".globl ${symbol}_data, ${symbol}_size\\n.hidden ${symbol}_data, ${symbol}_size\\n\"\n"
    "    \".balign 16\\n${symbol}_data:\\n.incbin \\\"${file}\\\"\\n${symbol}_end:\\n\"\n"
    "    \".balign 8\\n${symbol}_size:\\n.quad ${symbol}_end - ${symbol}_data\\n\"\n")
  string(APPEND declarations
    "extern \"C\" const char ${symbol}_data[];\nextern \"C\" const std::uint64_t ${symbol}_size;\n")
endmacro()
foreach(entry IN LISTS TACHYON_DOCS_ASSETS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 relative)
  if(name MATCHES "\\.js$")
    set(content_type "text/javascript; charset=utf-8")  # RFC 9239
  elseif(name MATCHES "\\.css$")
    set(content_type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.png$")
    set(content_type "image/png")
  elseif(name MATCHES "\\.txt$")
    set(content_type "text/plain; charset=utf-8")
  else()
    message(FATAL_ERROR "docs asset ${name}: no Content-Type known for its extension")
  endif()
  set(file ${TACHYON_WEB_DIR}/${relative})
  if(file MATCHES "[\"\\\\\n]")
    message(FATAL_ERROR "docs asset path cannot be embedded with .incbin: ${file}")
  endif()
  list(APPEND asset_files ${file})
  set(symbol tachyon_docs_asset_${index})
  tachyon_embed(${symbol} ${file})
  set(gzip_view "std::string_view()")
  set(brotli_view "std::string_view()")
  if(NOT name MATCHES "\\.png$")
    set(gzip_file ${TACHYON_DOCS_COMPRESSED_DIR}/${name}.gz)
    set(brotli_file ${TACHYON_DOCS_COMPRESSED_DIR}/${name}.br)
    add_custom_command(
      OUTPUT ${gzip_file} ${brotli_file}
      COMMAND sh -c "${TACHYON_GZIP} -9 -n -c \"$1\" > \"$2\"" sh ${file} ${gzip_file}
      COMMAND ${TACHYON_BROTLI} -q 11 -f -o ${brotli_file} ${file}
      DEPENDS ${file} ${TACHYON_WEB_STAMP}
      COMMENT "docs asset ${name}: gzip -9 and brotli -q 11"
      VERBATIM)
    list(APPEND compressed_files ${gzip_file} ${brotli_file})
    tachyon_embed(${symbol}_gzip ${gzip_file})
    tachyon_embed(${symbol}_br ${brotli_file})
    set(gzip_view "std::string_view(${symbol}_gzip_data, ${symbol}_gzip_size)")
    set(brotli_view "std::string_view(${symbol}_br_data, ${symbol}_br_size)")
  endif()
  string(APPEND table
    "      {\"${name}\", \"${content_type}\", std::string_view(${symbol}_data, ${symbol}_size), ${gzip_view},\n"
    "       ${brotli_view}},\n")
  math(EXPR index "${index} + 1")
endforeach()

set(TACHYON_DOCS_ASSETS_SOURCE ${CMAKE_BINARY_DIR}/generated/docs_assets.cpp)
file(GENERATE OUTPUT ${TACHYON_DOCS_ASSETS_SOURCE} CONTENT
"// Generated by cmake/docs_assets.cmake: the /docs files, embedded with .incbin. Do not edit.
#include <cstdint>

#include \"tachyon/openapi/assets.hpp\"

__asm__(
    \".pushsection .rodata.tachyon_docs,\\\"a\\\",@progbits\\n\"
${assembly}    \".popsection\\n\");

${declarations}
namespace tachyon::openapi {

std::span<const DocsAsset> docs_assets() {
  static const DocsAsset assets[] = {
${table}  };
  return assets;
}

}  // namespace tachyon::openapi
")
target_sources(tachyon_core PRIVATE ${TACHYON_DOCS_ASSETS_SOURCE})
# The stamp is touched after each install; npm gives the installed files a fixed old mtime, so their
# own timestamps would not show a change.
add_custom_target(tachyon_docs_compressed DEPENDS ${compressed_files})
add_dependencies(tachyon_docs_compressed tachyon_web_modules)
set_source_files_properties(${TACHYON_DOCS_ASSETS_SOURCE} PROPERTIES OBJECT_DEPENDS
                            "${asset_files};${compressed_files};${TACHYON_WEB_STAMP}")
add_dependencies(tachyon_core tachyon_web_modules tachyon_docs_compressed)
