# Runs CMD (a ;-list) and requires exit code EXPECT and, when REGEX is given,
# output (stdout and stderr) matching it. ctest alone can check one or the
# other, not both.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL EXPECT)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT}")
endif()
if(DEFINED REGEX AND NOT "${out}${err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match ${REGEX}")
endif()
