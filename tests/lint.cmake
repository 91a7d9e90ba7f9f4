# Lint gate: cppcheck finds no warnings and clang-format would change nothing,
# over the project's own C sources (host and guest).
file(GLOB_RECURSE sources
     ${TOP}/harness/*.c ${TOP}/harness/*.h
     ${TOP}/translator/*.c ${TOP}/translator/*.h
     ${TOP}/xv6-memv6/*.c ${TOP}/xv6-memv6/*.h
     ${TOP}/linux/*.c ${TOP}/linux/*.h
     ${TOP}/tests/*.c)
list(FILTER sources EXCLUDE REGEX "/(build|corpus|fixtures)/")
if(MODE STREQUAL "cppcheck")
  execute_process(COMMAND ${CPPCHECK} --quiet --error-exitcode=1 --inline-suppr
                          --enable=warning,performance,portability
                          --suppress=missingIncludeSystem --std=c11 ${sources}
                  RESULT_VARIABLE rc)
elseif(MODE STREQUAL "format")
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror --style=file ${sources}
                  RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${MODE} found problems (see above)")
endif()
list(LENGTH sources n)
message(STATUS "${MODE}: ${n} files clean")
