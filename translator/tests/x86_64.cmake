# The x86-64 table's tests (included from CMakeLists.txt): they run natively
# on an x86-64 host as ordinary 64-bit processes, no emulator.
set(FORMS64 ${CMAKE_CURRENT_SOURCE_DIR}/forms64.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${FORMS64})

# translator_run64: every x86-64 form, untranslated and translated.
add_custom_command(OUTPUT ${gen}/forms64_native.s
  COMMAND translator_forms_gen ${FORMS64} native ${gen}/forms64_native.s 64
  DEPENDS translator_forms_gen ${FORMS64} VERBATIM)
add_custom_command(OUTPUT ${gen}/forms64_input.s
  COMMAND translator_forms_gen ${FORMS64} mirror ${gen}/forms64_input.s 64
  DEPENDS translator_forms_gen ${FORMS64} VERBATIM)
add_custom_command(OUTPUT ${gen}/forms64_mirror.s
  COMMAND mirror-translate --arch x86_64 --offset ${MIRROR_OFFSET} ${gen}/forms64_input.s
          -o ${gen}/forms64_mirror.s
  DEPENDS mirror-translate ${gen}/forms64_input.s VERBATIM)
add_executable(translator_run64 run64.c harness64.S ${gen}/forms64_native.s
               ${gen}/forms64_mirror.s)
target_include_directories(translator_run64 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(translator_run64 PRIVATE MIRROR_OFFSET=${MIRROR_OFFSET})
target_compile_options(translator_run64 PRIVATE -m64 -fno-pie ${HOST_WARNINGS})
target_link_options(translator_run64 PRIVATE -m64 -no-pie)

# One ctest per form.
file(STRINGS ${FORMS64} form64_lines REGEX "^form ")
foreach(line IN LISTS form64_lines)
  string(REGEX REPLACE "^form ([^ \t]+).*" "\\1" name "${line}")
  add_test(NAME translator_x86_64_form.${name}
           COMMAND translator_test_forms --arch x86_64 ${FORMS64}
                   $<TARGET_FILE:translator_run64> "" ${name})
endforeach()

