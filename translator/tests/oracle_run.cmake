# Runs the corpus program untranslated and mirrored (directly, or under
# qemu-i386 where the host cannot run 32-bit programs): the mirrored one must
# find no mismatch between native and mirror memory (exit 0) and both must
# print the same result.
foreach(v NATIVE MIRRORED)
  execute_process(COMMAND ${${v}} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 AND QEMU)
    execute_process(COMMAND ${QEMU} ${${v}} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${v} program failed (status ${rc}; 1 = native/mirror mismatch): ${err}")
  endif()
  set(out_${v} "${out}")
endforeach()
if(NOT out_NATIVE STREQUAL out_MIRRORED OR out_NATIVE STREQUAL "")
  message(FATAL_ERROR "results differ: native '${out_NATIVE}', mirrored '${out_MIRRORED}'")
endif()
message(STATUS "result ${out_NATIVE}native and mirror memory equal")
