# Runs a dedup workload RUNS times in one boot (dedup_repeat, docs/dedup.md)
# under qrun --icount and checks its @dedup lines itself, independently of
# the programs' own verdicts:
#   - qrun exit 0: every run exited 0 and every machine line is well formed;
#   - RUNS run lines, each with status 0 and the same free frames before and
#     after, in both zones (no leaks);
#   - in every run, the free frames after the phase RECLAIM_AT exceed those
#     at phase fill by >= 99 % of PAGES (both zones when MIRROR is set);
#   - with MIRROR, every mirror oracle summary found 0 mismatched bytes, and
#     there was one per dedup() of the workload.
# Inputs: QRUN KERNEL DISK LOG PROG PAGES RUNS RECLAIM_AT DEDUPS (dedup()
# calls per run of PROG), MIRROR (0/1).
execute_process(COMMAND ${QRUN} --quiet --icount --timeout 300 --ramdisk ${DISK} --log ${LOG}
                        ${KERNEL} dedup_repeat ${RUNS} ${PROG} ${PAGES}
                RESULT_VARIABLE rc)
# A line is taken from its "@dedup": console echo or another process's
# output may share the start of the line with it.
file(STRINGS ${LOG} raw REGEX "@dedup ")
set(dedup_lines "")
foreach(line IN LISTS raw)
  string(REGEX REPLACE "^.*(@dedup )" "\\1" line "${line}")
  list(APPEND dedup_lines "${line}")
  message("${line}")
endforeach()
if(NOT rc EQUAL 0)
  # What the programs and the kernel said about it.
  file(STRINGS ${LOG} said REGEX "^(dedup_|pid |panic|@panic|@exit)")
  string(REPLACE ";" "\n" said "${said}")
  message(FATAL_ERROR "qrun exit ${rc} (log: ${LOG})\n${said}")
endif()

function(field line key out)
  if(NOT "${line}" MATCHES " ${key}=(-?[0-9]+)")
    message(FATAL_ERROR "no ${key} in: ${line}")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

# Leaks: one run line per run, nothing changed.
set(runs_seen 0)
foreach(line IN LISTS dedup_lines)
  if(NOT line MATCHES "prog=dedup_repeat run=")
    continue()
  endif()
  math(EXPR runs_seen "${runs_seen} + 1")
  foreach(key status free_before free_after mirror_before mirror_after)
    field("${line}" ${key} ${key})
  endforeach()
  if(NOT status EQUAL 0 OR NOT free_before EQUAL free_after
     OR NOT mirror_before EQUAL mirror_after)
    message(FATAL_ERROR "run leaked or failed: ${line}")
  endif()
endforeach()
if(NOT runs_seen EQUAL RUNS)
  message(FATAL_ERROR "${runs_seen} run lines, expected ${RUNS}")
endif()

# Reclaimed frames, per run: fill -> RECLAIM_AT.
set(reclaims 0)
math(EXPR need "(${PAGES} * 99 + 99) / 100")
set(fill_free "")
foreach(line IN LISTS dedup_lines)
  if(line MATCHES "prog=${PROG} phase=fill ")
    field("${line}" free fill_free)
    field("${line}" mirror_free fill_mirror)
  elseif(line MATCHES "prog=${PROG} phase=${RECLAIM_AT} ")
    field("${line}" free free)
    field("${line}" mirror_free mirror)
    if(fill_free STREQUAL "")
      message(FATAL_ERROR "${RECLAIM_AT} without a fill line before it: ${line}")
    endif()
    math(EXPR got "${free} - ${fill_free}")
    math(EXPR got_mirror "${mirror} - ${fill_mirror}")
    if(got LESS need OR (MIRROR AND got_mirror LESS need))
      message(FATAL_ERROR "reclaimed ${got} normal / ${got_mirror} mirror frames "
                          "of a ${PAGES}-page fill, need ${need}")
    endif()
    message(STATUS "reclaimed ${got} normal, ${got_mirror} mirror frames of ${PAGES}")
    math(EXPR reclaims "${reclaims} + 1")
    set(fill_free "")
  endif()
endforeach()
if(NOT reclaims EQUAL RUNS)
  message(FATAL_ERROR "${reclaims} ${RECLAIM_AT} lines, expected ${RUNS}")
endif()

# The mirror oracle after every dedup() of the workload.
if(MIRROR)
  file(STRINGS ${LOG} oracle REGEX "^@oracle pid=0 pages=")
  list(LENGTH oracle n)
  math(EXPR want "${RUNS} * ${DEDUPS}")
  if(NOT n EQUAL want)
    message(FATAL_ERROR "${n} oracle summaries, expected ${want}")
  endif()
  foreach(line IN LISTS oracle)
    if(NOT line MATCHES " mismatches=0[\r]*$")
      message(FATAL_ERROR "mirror oracle: ${line}")
    endif()
  endforeach()
endif()
