# Builds a researcher's own programs for the guest, both ways, and the disk
# images that hold them beside the standard programs (docs/campaign.md,
# "Your own programs"). memharness runs it as
#   cmake -DSRC=DIR -DOUT=DIR [-DCFLAGS=a;b] -P <build>/xv6-memv6/userprogs.cmake
# which sets the build's paths (the XV6_UP_* variables) and includes this
# file. Every DIR/NAME.c is the program NAME; every subdirectory DIR/NAME
# holding .c files is the program NAME built from all of them. The
# programs link against the guest's user library (user.h, math.h), natively
# for the native image and through the mirror translator for the memv6 one.
# Results: OUT/fs-native.img and OUT/fs-memv6.img. On failure OUT/error.txt
# says which source, and what the compiler or the translator said
# (file:line), and the script exits non-zero.
cmake_minimum_required(VERSION 3.20)

function(up_fail msg)
  file(WRITE "${OUT}/error.txt" "${msg}\n")
  message(FATAL_ERROR "${msg}")
endfunction()

# Runs a command; on failure up_fail(what: its output).
function(up_run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    up_fail("${what}:\n${out}${err}")
  endif()
endfunction()

foreach(var SRC OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "userprogs: -D${var}=DIR is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
if(NOT IS_DIRECTORY "${SRC}")
  up_fail("${SRC}: not a directory (programs.dir names a directory of C sources)")
endif()

# The programs: NAME.c files and NAME/ directories with .c files in them.
file(GLOB entries RELATIVE "${SRC}" "${SRC}/*")
list(SORT entries)
set(names "")
foreach(e IN LISTS entries)
  if(IS_DIRECTORY "${SRC}/${e}")
    file(GLOB srcs "${SRC}/${e}/*.c")
    if(NOT srcs)
      continue()
    endif()
    set(name "${e}")
  elseif(e MATCHES "\\.c$")
    string(REGEX REPLACE "\\.c$" "" name "${e}")
    set(srcs "${SRC}/${e}")
  else()
    continue()
  endif()
  if(NOT name MATCHES "^[A-Za-z0-9_-]+$")
    up_fail("${SRC}/${e}: the program name ${name} is not a word (letters, digits, _ and -)")
  endif()
  string(LENGTH "${name}" len)
  if(len GREATER 14)
    up_fail("${SRC}/${e}: the program name ${name} is longer than 14 characters (DIRSIZ)")
  endif()
  if(name IN_LIST XV6_UP_BASE_NAMES)
    up_fail("${SRC}/${e}: ${name} is already a program of the guest; rename it")
  endif()
  list(APPEND names "${name}")
  set(srcs_${name} ${srcs})
endforeach()
if(NOT names)
  up_fail("${SRC}: no programs (NAME.c files or NAME/ directories with .c files)")
endif()

set(includes -I${XV6_UP_INCLUDE_DIR} -I${XV6_UP_USER_DIR})
set(native_objs "${OUT}/native")
set(memv6_objs "${OUT}/memv6")
file(MAKE_DIRECTORY "${native_objs}" "${memv6_objs}" "${OUT}/user-native" "${OUT}/user-memv6")

# One source, both ways: OBJ_native and OBJ_memv6 name the two objects.
function(up_compile src dir)
  get_filename_component(base "${src}" NAME)
  get_filename_component(srcdir "${src}" DIRECTORY)
  set(flags ${XV6_UP_CFLAGS} ${CFLAGS} ${includes} -I${srcdir})
  file(MAKE_DIRECTORY "${native_objs}/${dir}" "${memv6_objs}/${dir}")
  set(n "${native_objs}/${dir}/${base}.o")
  set(m "${memv6_objs}/${dir}/${base}.o")
  up_run("${src}: does not build for the guest" ${XV6_UP_CC} ${flags} -c "${src}" -o "${n}")
  up_run("${src}: refused by the mirror translator (memv6 build)" ${XV6_UP_MIRROR_CC}
         --mirror-offset=${XV6_UP_MIRROR_OFFSET} --mirror-translator=${XV6_UP_TRANSLATOR}
         --mirror-cc=${XV6_UP_CC} ${flags} -DXV6_MIRRORED=1 -c "${src}" -o "${m}")
  set(OBJ_native "${n}" PARENT_SCOPE)
  set(OBJ_memv6 "${m}" PARENT_SCOPE)
endfunction()

up_compile("${XV6_UP_USER_DIR}/crt0.S" crt0)
set(crt0_native "${OBJ_native}")
set(crt0_memv6 "${OBJ_memv6}")

set(progs_native "")
set(progs_memv6 "")
foreach(name IN LISTS names)
  set(objs_native "")
  set(objs_memv6 "")
  foreach(src IN LISTS srcs_${name})
    up_compile("${src}" "${name}")
    list(APPEND objs_native "${OBJ_native}")
    list(APPEND objs_memv6 "${OBJ_memv6}")
  endforeach()
  set(n "${OUT}/user-native/${name}")
  set(m "${OUT}/user-memv6/${name}")
  up_run("${name}: does not link for the guest" ${XV6_UP_CC} ${XV6_UP_LDFLAGS} ${crt0_native}
         ${objs_native} ${XV6_UP_ULIB} -lgcc -o "${n}")
  up_run("${name}: the memv6 build does not link" ${XV6_UP_CC} ${XV6_UP_LDFLAGS} ${crt0_memv6}
         ${objs_memv6} ${XV6_UP_UMLIB} -lgcc "-Wl,-Map=${m}.map" -o "${m}")
  # Nothing untranslated that stores through a pointer may be linked in
  # (libgcc's helpers, say): those stores would never reach the mirror.
  up_run("${name}: the memv6 build links untranslated code that stores through pointers"
         ${CMAKE_COMMAND} -DMAPS=${m}.map -DTRANSLATED=${XV6_UP_UMLIB} -DOBJDUMP=${XV6_UP_OBJDUMP}
         -DAR=${XV6_UP_AR} -DWORK=${OUT}/untranslated.work -P ${XV6_UP_CHECK_UNTRANSLATED})
  list(APPEND progs_native "${n}")
  list(APPEND progs_memv6 "${m}")
endforeach()

up_run("mkfs fs-native.img" ${XV6_UP_MKFS} "${OUT}/fs-native.img" ${XV6_UP_BASE_native}
       ${progs_native})
up_run("mkfs fs-memv6.img" ${XV6_UP_MKFS} "${OUT}/fs-memv6.img" ${XV6_UP_BASE_memv6}
       ${progs_memv6})
string(REPLACE ";" " " shown "${names}")
message(STATUS "userprogs: built ${shown} into ${OUT}/fs-native.img and fs-memv6.img")
