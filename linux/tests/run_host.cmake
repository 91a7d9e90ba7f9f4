# Runs one guest program as a Linux process (i386 or x86-64), untranslated
# and mirrored, natively or under qemu-i386 (LAUNCHER, from HostI386.cmake),
# and checks what a researcher relies on: each exits with its STATUS_<build>,
# prints every line of EXPECT and EXPECT_<build> ('|'-separated
# substrings), and the mirrored one's oracle at exit reports ORACLE
# mismatched bytes.
# EXPECT_STDERR_<build> lines are looked for on its stderr. Without
# MIRRORED only the untranslated build runs (and no oracle is looked for).
#   cmake -DLAUNCHER= -DPATH_KIND=native|qemu-i386 -DNATIVE=prog -DMIRRORED=prog
#         [-DARGS=a|b] -DEXPECT=a|b [-DEXPECT_NATIVE=..] [-DEXPECT_MIRRORED=..]
#         [-DEXPECT_STDERR_MIRRORED=..] [-DSTATUS_NATIVE=0]
#         [-DSTATUS_MIRRORED=0] -DORACLE=0 [-DINPUT=file] -P run_host.cmake
message(STATUS "host programs run here: ${PATH_KIND}")
if(PATH_KIND STREQUAL "none")
  message(FATAL_ERROR "this host runs no 32-bit programs and qemu-i386 is missing: install "
                      "qemu-user (./scripts/setup does) and reconfigure")
endif()
if(NOT INPUT)
  set(INPUT /dev/null)
endif()
string(REPLACE "|" ";" args "${ARGS}")
set(builds NATIVE)
if(MIRRORED)
  list(APPEND builds MIRRORED)
endif()
foreach(v IN LISTS builds)
  if(NOT DEFINED STATUS_${v})
    set(STATUS_${v} 0)
  endif()
  string(REPLACE "|" ";" expect "${EXPECT}|${EXPECT_${v}}")
  execute_process(COMMAND ${LAUNCHER} ${${v}} ${args} INPUT_FILE ${INPUT} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${v}: status ${rc}\n${out}${err}")
  if(NOT rc STREQUAL "${STATUS_${v}}")
    message(FATAL_ERROR "${v} build of ${${v}}: exit status ${rc}, expected ${STATUS_${v}}")
  endif()
  foreach(line IN LISTS expect)
    string(FIND "${out}" "${line}" at)
    if(at LESS 0)
      message(FATAL_ERROR "${v} build: expected output \"${line}\" not seen; got:\n${out}")
    endif()
  endforeach()
  string(REPLACE "|" ";" expect_err "${EXPECT_STDERR_${v}}")
  foreach(line IN LISTS expect_err)
    string(FIND "${err}" "${line}" at)
    if(at LESS 0)
      message(FATAL_ERROR "${v} build: expected \"${line}\" on stderr, not seen; got:\n${err}")
    endif()
  endforeach()
endforeach()
if(NOT MIRRORED)
  return()
endif()
set(want "mlx: mirror oracle: ${ORACLE} mismatched bytes")
string(FIND "${err}" "${want}" at)
if(at LESS 0)
  message(FATAL_ERROR "mirrored build: expected \"${want}\" on stderr; got:\n${err}")
endif()
