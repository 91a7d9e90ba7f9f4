# Whether this host runs 32-bit i386 Linux programs natively, decided once
# at configure time for everything that runs them (the translator's form and
# oracle tests, the guest programs as Linux processes in linux/, memharness's
# "host" timing). Host kernels without IA32 emulation cannot; those run
# them under qemu-i386 (Debian package qemu-user, scripts/setup installs
# it), which is right for tests but gives no real-hardware timings.
#
#   HOST_I386_PATH      native | qemu-i386 | none
#   HOST_I386_LAUNCHER  what to put before a 32-bit program's path:
#                       empty (native), or the path of qemu-i386
#   QEMU_USER_I386      qemu-i386's path, or empty
include_guard(GLOBAL)

find_program(QEMU_USER_I386 qemu-i386)
if(NOT QEMU_USER_I386)
  set(QEMU_USER_I386 "")
endif()

if(NOT DEFINED HOST_I386_RUNS)
  set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/host-i386)
  file(WRITE ${probe_dir}/probe.c "int main(void) { return 42; }\n")
  execute_process(COMMAND ${CMAKE_C_COMPILER} -m32 -static -o ${probe_dir}/probe ${probe_dir}/probe.c
                  RESULT_VARIABLE cc_rc OUTPUT_QUIET ERROR_VARIABLE cc_err)
  if(NOT cc_rc EQUAL 0)
    message(FATAL_ERROR "${CMAKE_C_COMPILER} -m32 cannot build a static 32-bit program "
                        "(${cc_err}): install gcc-multilib (./scripts/setup does)")
  endif()
  execute_process(COMMAND ${probe_dir}/probe RESULT_VARIABLE run_rc OUTPUT_QUIET ERROR_QUIET)
  if(run_rc EQUAL 42)
    set(runs TRUE)
  else()
    set(runs FALSE)
  endif()
  set(HOST_I386_RUNS ${runs} CACHE INTERNAL "The host runs 32-bit programs natively")
endif()

if(HOST_I386_RUNS)
  set(HOST_I386_PATH native CACHE INTERNAL "How 32-bit programs run here")
  set(HOST_I386_LAUNCHER "" CACHE INTERNAL "Launcher of 32-bit programs")
elseif(QEMU_USER_I386)
  set(HOST_I386_PATH qemu-i386 CACHE INTERNAL "How 32-bit programs run here")
  set(HOST_I386_LAUNCHER ${QEMU_USER_I386} CACHE INTERNAL "Launcher of 32-bit programs")
  message(STATUS "This host does not run 32-bit programs natively: tests use ${QEMU_USER_I386}; "
                 "host timings would be emulation, not real hardware")
else()
  set(HOST_I386_PATH none CACHE INTERNAL "How 32-bit programs run here")
  set(HOST_I386_LAUNCHER "" CACHE INTERNAL "Launcher of 32-bit programs")
  message(WARNING "This host runs no 32-bit programs and qemu-i386 is missing: install "
                  "qemu-user (./scripts/setup does); the 32-bit host tests will fail")
endif()
