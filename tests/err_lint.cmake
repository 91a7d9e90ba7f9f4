# Self-formatting gate: mh_fail/mh_fail_errno must not take a message of an
# mh_err (`e->msg`, `err.msg`) among their arguments. Adding context to the
# message already in e is mh_err_prefix/mh_err_suffix's job (harness/src/base/err.h).
# -DSOURCES=a;b overrides the default file set (the test of this test does).
if(NOT DEFINED SOURCES)
  file(GLOB_RECURSE SOURCES ${TOP}/harness/*.c ${TOP}/harness/*.h
                            ${TOP}/translator/*.c ${TOP}/translator/*.h ${TOP}/tests/*.c)
  list(FILTER SOURCES EXCLUDE REGEX "/(build|corpus|fixtures)/")
endif()
set(bad 0)
foreach(f ${SOURCES})
  file(READ ${f} text)
  # A call runs to its ';', so [^;]* keeps each match inside one statement;
  # ';' inside string literals of such calls would only shorten the match.
  string(REGEX MATCHALL "mh_fail(_errno)?[ \t\n]*\\([^;]*(->|\\.)msg[^a-zA-Z0-9_][^;]*" hits
         "${text}")
  foreach(h ${hits})
    string(REGEX REPLACE "[ \t\n]+" " " h "${h}")
    message("${f}: formats an error message into itself: ${h}")
    math(EXPR bad "${bad} + 1")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "${bad} mh_fail call(s) with ->msg/.msg in their arguments: "
                      "use mh_err_prefix(e, \"context: \") or mh_err_suffix (err.h)")
endif()
list(LENGTH SOURCES n)
message(STATUS "err_lint: ${n} files, no self-formatting mh_fail")
