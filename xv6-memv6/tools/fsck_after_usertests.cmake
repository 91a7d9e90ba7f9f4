# Runs the whole usertests suite on a writable copy of the image, then
# requires fsck to find the disk consistent with no leaked inodes: every
# block and inode the tests used (unlinked open files included) must be
# back in the free pool once their processes are gone.
#
# cmake -DQEMU=... -DKERNEL=... -DIMAGE=... -DFSCK=... -DWORK=dir -P fsck_after_usertests.cmake
foreach(var QEMU KERNEL IMAGE FSCK WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "fsck_after_usertests: -D${var}= is required")
  endif()
endforeach()
set(disk ${WORK}/fsck_after_usertests.img)
file(COPY_FILE ${IMAGE} ${disk})
execute_process(
  COMMAND ${QEMU} -machine pc -accel tcg -cpu qemu32,+mca -m 256M -display none -no-reboot
          -kernel ${KERNEL} -append "usertests"
          -drive file=${disk},format=raw,if=ide,index=0,media=disk
          -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -monitor none
  TIMEOUT 600 OUTPUT_VARIABLE out ERROR_QUIET RESULT_VARIABLE rc)
if(NOT out MATCHES "@usertests passed=[0-9]+ failed=0")
  message(FATAL_ERROR "usertests did not pass on the writable image:\n${out}")
endif()
execute_process(COMMAND ${FSCK} ${disk} OUTPUT_VARIABLE report ERROR_VARIABLE problems
                RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fsck after usertests:\n${problems}")
endif()
if(NOT report MATCHES " 0 leaked inodes")
  message(FATAL_ERROR "usertests leaked inodes: ${report}")
endif()
file(REMOVE ${disk})
message(STATUS "${report}")
