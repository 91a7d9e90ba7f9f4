# Building mirrored (memv6) programs: every C and .S source is compiled to
# assembly, translated by mirror-translate (each memory write mirrored at
# MIRROR_OFFSET + address) and assembled, through the mirror-cc wrapper.
#
#   add_mirrored_executable(<target>
#     SOURCES <file>...                 .c, .S (preprocessed, then translated) or .s
#     [COMPILE_OPTIONS <flag>...]       e.g. ${XV6_USER_CFLAGS} (also used to assemble)
#     [INCLUDE_DIRECTORIES <dir>...]
#     [COMPILE_DEFINITIONS <NAME[=value]>...]
#     [LINK_OPTIONS <flag>...]          link flags, e.g. -m32 -nostdlib -static -Wl,-Ttext,0
#     [LINK_LIBRARIES <lib>...]         e.g. a library from add_mirrored_library
#     [OFFSET <number>]                 default: ${MIRROR_OFFSET} (from memlayout.h)
#     [ARCH i386|x86_64])               default: x86_64 when COMPILE_OPTIONS has -m64,
#                                       else i386
#
#   add_mirrored_library(<target> SOURCES ... [same options, no LINK_*])   static library
#
#   mirror_compile_sources(<out-var> <name> SOURCES ... [COMPILE_OPTIONS ...]
#     [INCLUDE_DIRECTORIES ...] [COMPILE_DEFINITIONS ...] [OFFSET ...] [ARCH ...]
#     [NO_STACK_MIRROR])
#     sets <out-var> to the list of mirrored object files (for add_executable,
#     add_library or a custom link), built under ${CMAKE_CURRENT_BINARY_DIR}/<name>.mirror/.
#
#   mirror_add_untranslated_check(<test-name> <target>...)
#     a ctest over the link maps of those mirrored executables:
#     fails when an untranslated archive member that stores through a
#     non-stack pointer went into one (CheckUntranslated.cmake).
#
# Flags: compile with the userland's flags. MIRROR_REQUIRED_CFLAGS lists what
# the translator needs of them for i386: 32-bit, no PIC (return addresses are
# stored as absolute labels), no SSE/MMX stores (not in the i386 table);
# MIRROR_X86_64_CFLAGS for x86-64: 64-bit, no PIC (link with
# -no-pie; code, data and mirror below 2 GiB). docs/translator.md.
include_guard(GLOBAL)
set(MIRROR_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR} CACHE INTERNAL "Where Mirror.cmake and its scripts are")

set(MIRROR_REQUIRED_CFLAGS -m32 -fno-pic -fno-pie -mno-sse -mno-mmx
    CACHE INTERNAL "Flags mirrored i386 code must be compiled with")
set(MIRROR_X86_64_CFLAGS -m64 -fno-pic -fno-pie
    CACHE INTERNAL "Flags mirrored x86-64 code must be compiled with")

function(mirror_compile_sources out_var name)
  cmake_parse_arguments(PARSE_ARGV 2 M "NO_STACK_MIRROR" "OFFSET;ARCH"
                        "SOURCES;COMPILE_OPTIONS;INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS")
  if(M_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mirror_compile_sources: unknown arguments: ${M_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT M_SOURCES)
    message(FATAL_ERROR "mirror_compile_sources(${name}): no SOURCES")
  endif()
  set(offset "${M_OFFSET}")
  if(NOT offset)
    set(offset "${MIRROR_OFFSET}")
  endif()
  if(NOT offset)
    message(FATAL_ERROR "mirror_compile_sources(${name}): MIRROR_OFFSET is not set")
  endif()
  set(flags ${M_COMPILE_OPTIONS})
  foreach(dir IN LISTS M_INCLUDE_DIRECTORIES)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND flags "-I${dir}")
  endforeach()
  foreach(def IN LISTS M_COMPILE_DEFINITIONS)
    list(APPEND flags "-D${def}")
  endforeach()
  set(arch "${M_ARCH}")
  if(NOT arch)
    if("-m64" IN_LIST M_COMPILE_OPTIONS)
      set(arch x86_64)
    else()
      set(arch i386)
    endif()
  endif()
  if(arch STREQUAL "i386")
    set(required ${MIRROR_REQUIRED_CFLAGS})
  elseif(arch STREQUAL "x86_64")
    set(required ${MIRROR_X86_64_CFLAGS})
  else()
    message(FATAL_ERROR "mirror_compile_sources(${name}): ARCH ${arch}: use i386 or x86_64")
  endif()
  foreach(f IN LISTS required)
    if(NOT f IN_LIST flags)
      list(APPEND flags ${f})
    endif()
  endforeach()

  set(no_stack "")
  if(M_NO_STACK_MIRROR)
    set(no_stack --mirror-no-stack)
  endif()
  set(objdir "${CMAKE_CURRENT_BINARY_DIR}/${name}.mirror")
  file(MAKE_DIRECTORY "${objdir}")
  set(objs "")
  set(seen "")
  foreach(src IN LISTS M_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(base "${src}" NAME)
    if(base IN_LIST seen)
      message(FATAL_ERROR "mirror_compile_sources(${name}): two sources named ${base}")
    endif()
    list(APPEND seen "${base}")
    set(obj "${objdir}/${base}.o")
    if(src MATCHES "\\.s$")
      set(deps "")
    else()
      set(deps -MD -MF "${obj}.d" -MT "${obj}")
    endif()
    add_custom_command(
      OUTPUT "${obj}"
      COMMAND mirror-cc "--mirror-offset=${offset}" "--mirror-arch=${arch}"
              "--mirror-translator=$<TARGET_FILE:mirror-translate>"
              "--mirror-cc=${CMAKE_C_COMPILER}" ${no_stack} ${flags} ${deps} -c "${src}" -o "${obj}"
      DEPENDS "${src}" mirror-cc mirror-translate
      DEPFILE "${obj}.d"
      COMMENT "Mirroring ${base} (${name})"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    set_source_files_properties("${obj}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    list(APPEND objs "${obj}")
  endforeach()
  set(${out_var} ${objs} PARENT_SCOPE)
endfunction()

function(add_mirrored_executable target)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "OFFSET;ARCH"
    "SOURCES;COMPILE_OPTIONS;INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS;LINK_OPTIONS;LINK_LIBRARIES")
  if(M_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_mirrored_executable: unknown arguments: ${M_UNPARSED_ARGUMENTS}")
  endif()
  mirror_compile_sources(objs ${target} SOURCES ${M_SOURCES}
    COMPILE_OPTIONS ${M_COMPILE_OPTIONS} INCLUDE_DIRECTORIES ${M_INCLUDE_DIRECTORIES}
    COMPILE_DEFINITIONS ${M_COMPILE_DEFINITIONS} OFFSET ${M_OFFSET} ARCH ${M_ARCH})
  add_executable(${target} ${objs})
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  # The link map says which untranslated archive members went in
  # (mirror_add_untranslated_check).
  set(map "${CMAKE_CURRENT_BINARY_DIR}/${target}.map")
  target_link_options(${target} PRIVATE ${M_LINK_OPTIONS} "-Wl,-Map=${map}")
  target_link_libraries(${target} PRIVATE ${M_LINK_LIBRARIES})
endfunction()

function(add_mirrored_library target)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "OFFSET;ARCH"
                        "SOURCES;COMPILE_OPTIONS;INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS")
  if(M_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_mirrored_library: unknown arguments: ${M_UNPARSED_ARGUMENTS}")
  endif()
  mirror_compile_sources(objs ${target} SOURCES ${M_SOURCES}
    COMPILE_OPTIONS ${M_COMPILE_OPTIONS} INCLUDE_DIRECTORIES ${M_INCLUDE_DIRECTORIES}
    COMPILE_DEFINITIONS ${M_COMPILE_DEFINITIONS} OFFSET ${M_OFFSET} ARCH ${M_ARCH})
  add_library(${target} STATIC ${objs})
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  set_property(GLOBAL APPEND PROPERTY MIRROR_LIBRARIES "$<TARGET_FILE:${target}>")
endfunction()

# mirror_add_untranslated_check(<test-name> <target>...): a ctest that reads
# the link map of each mirrored executable and fails, listing them, if an
# untranslated archive member (libgcc's, say) that stores through a pointer
# other than %esp/%ebp went into one: such stores never reach the mirror.
function(mirror_add_untranslated_check name)
  set(maps "")
  foreach(t IN LISTS ARGN)
    get_target_property(dir ${t} BINARY_DIR)
    list(APPEND maps "${dir}/${t}.map")
  endforeach()
  get_property(libs GLOBAL PROPERTY MIRROR_LIBRARIES)
  string(REPLACE ";" "|" maps_arg "${maps}")
  string(REPLACE ";" "|" libs_arg "${libs}")
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} "-DMAPS=${maps_arg}" "-DTRANSLATED=${libs_arg}"
                   "-DOBJDUMP=${CMAKE_OBJDUMP}" "-DAR=${CMAKE_AR}"
                   "-DWORK=${CMAKE_CURRENT_BINARY_DIR}/${name}.work"
                   -P ${MIRROR_CMAKE_DIR}/CheckUntranslated.cmake)
endfunction()
