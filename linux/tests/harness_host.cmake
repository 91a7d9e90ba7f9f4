# memharness's timing "host" (or TIMING, e.g. host64) end to end: a
# campaign of benchall crc32 as Linux processes, 5 interleaved repetitions
# per build: every run ok, the records say how they ran (and whether
# hardware counters could back them), and the summary has crc32's ratio
# with its bootstrap interval and the host bar judged.
#   cmake -DMEMHARNESS=path -DBUILD=dir -DWORK=dir [-DTIMING=host64] -P harness_host.cmake
if(NOT TIMING)
  set(TIMING host)
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/c.json "
{\"schema\": 1, \"name\": \"hosttest\", \"variants\": [\"native\", \"memv6\"],
 \"workloads\": [{\"name\": \"crc\", \"program\": \"benchall\", \"args\": [\"crc32\"],
                \"expect\": {\"status\": 0, \"tests\": 1, \"output\": [\"verify crc32 ok\"]}}],
 \"timing\": [\"${TIMING}\"], \"repetitions\": 5, \"jobs\": 2,
 \"thresholds\": {\"host\": {\"geomean_max\": 100}}}
")
execute_process(COMMAND ${MEMHARNESS} run ${WORK}/c.json -o ${WORK}/r.json --build-dir ${BUILD}
                RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "memharness run: exit ${rc}\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "memharness run exited ${rc}, expected 0")
endif()
file(READ ${WORK}/r.json doc)
function(expect what got want)
  if(NOT "${got}" STREQUAL "${want}")
    message(FATAL_ERROR "${what}: got \"${got}\", expected \"${want}\"")
  endif()
endfunction()
if(TIMING STREQUAL "host")
  string(JSON how GET "${doc}" host_i386)
  expect("$.host_i386" "${how}" native)
endif()
string(JSON counters_type TYPE "${doc}" host_counters available)
expect("type of $.host_counters.available" "${counters_type}" BOOLEAN)
string(JSON counters_why GET "${doc}" host_counters reason)
string(FIND "${counters_why}" "perf_event_open" at)
if(at LESS 0)
  message(FATAL_ERROR "$.host_counters.reason: \"${counters_why}\" does not name perf_event_open")
endif()
string(JSON nruns LENGTH "${doc}" runs)
expect("number of runs" "${nruns}" 10)
string(JSON accel GET "${doc}" runs 0 accel)
expect("$.runs[0].accel" "${accel}" host)
string(JSON timing GET "${doc}" summaries 0 timing)
expect("$.summaries[0].timing" "${timing}" ${TIMING})
string(JSON name GET "${doc}" summaries 0 tests 0 name)
expect("$.summaries[0].tests[0].name" "${name}" crc32)
string(JSON ratio GET "${doc}" summaries 0 tests 0 ratio)
string(JSON lo GET "${doc}" summaries 0 tests 0 ci lo)
string(JSON hi GET "${doc}" summaries 0 tests 0 ci hi)
if(NOT (lo LESS_EQUAL ratio AND ratio LESS_EQUAL hi AND ratio GREATER 0.5 AND ratio LESS 3))
  message(FATAL_ERROR "crc32: ratio ${ratio}, interval [${lo}, ${hi}]: expected lo <= ratio <= hi "
                      "and a ratio between 0.5 and 3")
endif()
string(JSON judged GET "${doc}" summaries 0 thresholds judged)
string(JSON met GET "${doc}" summaries 0 thresholds met)
expect("thresholds judged/met" "${judged}/${met}" "ON/ON")
message(STATUS "crc32 memv6/native on this host (${TIMING}): ${ratio} [${lo}, ${hi}]; "
               "counters: ${counters_why}")
