# dedup()'s cost per user page in guest instructions (docs/dedup.md): runs
# dedup_bench under qrun --icount (rdtsc counts instructions, exactly) on
# BIN/kernel-V.elf with BIN/fs-V.img for each V in VARIANTS (comma
# separated) and prints its per-page lines. SIZES: the fill sizes in pages,
# comma separated (default: the program's own, 512 and 2560).
# Fails when a run fails or prints no per-page figure.
string(REPLACE "," ";" variants "${VARIANTS}")
string(REPLACE "," ";" sizes "${SIZES}")
foreach(variant IN LISTS variants)
  set(log ${CMAKE_CURRENT_BINARY_DIR}/dedup_bench_${variant}.log)
  execute_process(COMMAND ${QRUN} --quiet --icount --timeout 300 --ramdisk ${BIN}/fs-${variant}.img
                          --log ${log} ${BIN}/kernel-${variant}.elf dedup_bench ${sizes}
                  RESULT_VARIABLE rc)
  file(STRINGS ${log} lines REGEX "^(dedup_bench|@test)")
  foreach(line IN LISTS lines)
    message("${variant}: ${line}")
  endforeach()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${variant}: qrun exit ${rc} (log: ${log})")
  endif()
  if(NOT "${lines}" MATCHES "cycles/page")
    message(FATAL_ERROR "${variant}: no per-page figure (log: ${log})")
  endif()
endforeach()
