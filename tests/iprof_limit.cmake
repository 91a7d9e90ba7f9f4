# scripts/iprof --limit, the physical-limit figure of docs/benchmarks.md, on
# matfp (two timed windows, x87, calls): the memv6 run's user instructions
# without the ones the translator inserted must be the native run's (up to
# the alignment padding the assembler places differently in the longer
# translated code), and the translator must insert exactly one instruction
# per mirrored write there (issue 28: x87 stores at +1).
execute_process(COMMAND ${IPROF} -b ${BUILD} --limit memv6 matfp
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "iprof --limit memv6 matfp exited ${rc}:\n${out}\n${err}")
endif()
message(STATUS "${out}")
if(NOT out MATCHES "timed windows: 2 ")
  message(FATAL_ERROR "expected 2 timed windows (matfp times two kernels), got:\n${out}")
endif()
if(NOT out MATCHES "\nnative: ([0-9]+) ")
  message(FATAL_ERROR "no native count in:\n${out}")
endif()
set(native ${CMAKE_MATCH_1})
if(NOT out MATCHES "mirrored writes, [0-9]+ instructions inserted \\(([0-9.]+) per write\\), ([0-9]+) without them")
  message(FATAL_ERROR "no memv6 line in:\n${out}")
endif()
set(per_write ${CMAKE_MATCH_1})
set(without ${CMAKE_MATCH_2})
if(NOT per_write STREQUAL "1.000")
  message(FATAL_ERROR "inserted per mirrored write: ${per_write}, expected 1.000")
endif()
if(NOT out MATCHES "writes by kind: [^\n]*x87 [1-9]")
  message(FATAL_ERROR "expected x87 writes in matfp's windows, got:\n${out}")
endif()
math(EXPR diff "${without} - ${native}")
if(diff LESS 0)
  math(EXPR diff "-(${diff})")
endif()
math(EXPR allowed "${native} / 100")
if(diff GREATER allowed)
  message(FATAL_ERROR "memv6 without the inserted instructions: ${without}, native: ${native} "
                      "(differ by ${diff}, at most ${allowed} expected)")
endif()
