# Crash recovery with the real kernel: boot a writable copy of the image,
# run disk-heavy usertests, pull the plug (kill QEMU) after a few seconds,
# boot again (the kernel replays its log) and require fsck to find a
# consistent file system. The kill times are spread so that some crashes
# land in the middle of a commit; whatever the moment, the result must be
# consistent.
#
# cmake -DQEMU=... -DKERNEL=... -DIMAGE=... -DFSCK=... -DWORK=dir -P crash_recovery.cmake
foreach(var QEMU KERNEL IMAGE FSCK WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "crash_recovery: -D${var}= is required")
  endif()
endforeach()
set(disk ${WORK}/crash_recovery.img)
set(replays 0)

function(boot cmdline seconds out_var)
  execute_process(
    COMMAND ${QEMU} -machine pc -accel tcg -cpu qemu32,+mca -m 256M -display none -no-reboot
            -kernel ${KERNEL} -append "${cmdline}"
            -drive file=${disk},format=raw,if=ide,index=0,media=disk
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -monitor none
    TIMEOUT ${seconds} OUTPUT_VARIABLE out ERROR_QUIET RESULT_VARIABLE rc)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

foreach(seconds 3 4.5 6 7.5 9)
  file(COPY_FILE ${IMAGE} ${disk})
  boot("usertests bigfile manyfiles fulldisk" ${seconds} ignored)
  # The reboot only needs to mount (and so recover) the disk; echo writes
  # nothing, since the crash may have left the disk full.
  boot("echo recovered" 120 out)
  if(NOT out MATCHES "recovered" OR NOT out MATCHES "@exit status=0")
    message(FATAL_ERROR "crash at ${seconds}s: the reboot did not run cleanly:\n${out}")
  endif()
  if(out MATCHES "log: replaying ([0-9]+) blocks")
    math(EXPR replays "${replays} + 1")
    message(STATUS "crash at ${seconds}s: recovery replayed ${CMAKE_MATCH_1} blocks")
  endif()
  execute_process(COMMAND ${FSCK} ${disk} OUTPUT_VARIABLE report ERROR_VARIABLE problems
                  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "crash at ${seconds}s: fsck failed:\n${problems}")
  endif()
  message(STATUS "crash at ${seconds}s: ${report}")
endforeach()
file(REMOVE ${disk})
message(STATUS "crash_recovery: 5 crashes, ${replays} needed log replay, all consistent")
