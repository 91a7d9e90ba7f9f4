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
add_executable(translator_run64 run64.c arena64.c harness64.S ${gen}/forms64_native.s
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

# Refusals (file:line and what to do) and mirror-cc's choice of table.
add_executable(translator_test_x86_64 test_x86_64.c)
target_include_directories(translator_test_x86_64 PRIVATE ${CMOCKA_INCLUDE_DIR})
target_compile_options(translator_test_x86_64 PRIVATE ${HOST_WARNINGS})
target_link_libraries(translator_test_x86_64 PRIVATE mirror_core translator_testlib
                      ${CMOCKA_LIBRARY})
add_test(NAME translator_x86_64_errors
         COMMAND translator_test_x86_64 $<TARGET_FILE:mirror-cc>
                 ${CMAKE_CURRENT_BINARY_DIR}/x86_64-work)

# The corpus as a mirrored static x86-64 program with an oracle, natively:
# its start-up (oracle_start64.S) maps and fills the mirror, runs main and
# compares native and mirror memory; the untranslated build must print the
# same result. Three builds: with the red zone (GCC's default for leaf
# functions), with -mno-red-zone, and at -O3 (vectorized SSE stores).
set(ORACLE64_CFLAGS -m64 -ffreestanding -fno-pic -fno-pie -fno-builtin -fno-stack-protector
    -fno-strict-aliasing -fcf-protection=none)
set(ORACLE64_LDFLAGS -m64 -nostdlib -static -no-pie -Wl,-e,_start)
set(oracle64_redzone -O2)
set(oracle64_noredzone -O2 -mno-red-zone)
set(oracle64_vector -O3)
set(corpus64 corpus/strings.c corpus/structs.c corpus/arith64.c)
foreach(v native mirror)
  add_library(translator_start64_${v} STATIC oracle_start64.S)
  target_compile_definitions(translator_start64_${v} PRIVATE MIRROR_OFFSET=${MIRROR_OFFSET})
endforeach()
target_compile_definitions(translator_start64_native PRIVATE NATIVE)
foreach(variant redzone noredzone vector)
  set(flags ${ORACLE64_CFLAGS} ${oracle64_${variant}})
  add_mirrored_library(translator_corpus64_lib_${variant} SOURCES ${corpus64}
                       COMPILE_OPTIONS ${flags} ARCH x86_64)
  add_mirrored_executable(translator_corpus64_oracle_${variant}
    SOURCES oracle_main.c COMPILE_OPTIONS ${flags} ARCH x86_64
    LINK_OPTIONS ${ORACLE64_LDFLAGS}
    LINK_LIBRARIES translator_start64_mirror translator_corpus64_lib_${variant} gcc)
  add_executable(translator_corpus64_native_${variant} oracle_main.c ${corpus64})
  target_compile_options(translator_corpus64_native_${variant} PRIVATE ${flags})
  target_link_options(translator_corpus64_native_${variant} PRIVATE ${ORACLE64_LDFLAGS})
  target_link_libraries(translator_corpus64_native_${variant} PRIVATE translator_start64_native gcc)
  add_test(NAME translator_x86_64_corpus_oracle.${variant}
           COMMAND ${CMAKE_COMMAND} -DNATIVE=$<TARGET_FILE:translator_corpus64_native_${variant}>
                   -DMIRRORED=$<TARGET_FILE:translator_corpus64_oracle_${variant}>
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/oracle_run.cmake)
endforeach()

# translator_x86_64_cuts: the .mirror_pairs entries of every translated form
# against its single-stepped run (cuts64.c), and read back by the
# recovery's decoder (mptable.c's mpt_find).
add_executable(translator_cuts64 cuts64.c arena64.c harness64.S ${gen}/forms64_native.s
               ${gen}/forms64_mirror.s ${CMAKE_SOURCE_DIR}/xv6-memv6/kernel/mptable.c)
target_include_directories(translator_cuts64 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_SOURCE_DIR}/xv6-memv6/include ${CMAKE_SOURCE_DIR}/xv6-memv6/kernel)
target_compile_definitions(translator_cuts64 PRIVATE MIRROR_OFFSET=${MIRROR_OFFSET})
target_compile_options(translator_cuts64 PRIVATE -m64 -fno-pie ${HOST_WARNINGS})
target_link_options(translator_cuts64 PRIVATE -m64 -no-pie
                    -Wl,-T,${CMAKE_SOURCE_DIR}/linux/common/mirrorpairs.ld)
add_test(NAME translator_x86_64_cuts COMMAND translator_cuts64)
