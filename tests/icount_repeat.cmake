# Runs the whole usertests suite twice under -icount (qrun: shift=0,sleep=off,
# disk in RAM) and requires the same cycle count for every test, the
# clock-bound ones (sleep, preemption, kill) included: the figures the paper
# tables rely on must be exact, not merely close.
set(tests_to_run "")
foreach(run 1 2)
  execute_process(COMMAND ${QRUN} --quiet --icount --timeout 300 --ramdisk ${DISK}
                          --log ${CMAKE_CURRENT_BINARY_DIR}/icount_run${run}.log ${KERNEL}
                          usertests ${tests_to_run}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "icount run ${run} failed (qrun exit ${rc})")
  endif()
  file(STRINGS ${CMAKE_CURRENT_BINARY_DIR}/icount_run${run}.log lines${run} REGEX "^@test ")
endforeach()
list(LENGTH lines1 n)
if(n EQUAL 0)
  message(FATAL_ERROR "no @test lines in the icount runs")
endif()
if(NOT "${lines1}" STREQUAL "${lines2}")
  message(FATAL_ERROR "icount cycles differ between runs:\n${lines1}\nvs\n${lines2}")
endif()
message(STATUS "icount: ${n} tests, identical cycles in both runs")
