# Lists every untranslated object linked into a mirrored program that stores
# through a pointer other than %esp/%ebp, and fails if there is one: such a
# store (libgcc's __udivmoddi4 writing the remainder into its caller's frame,
# say) never reaches the mirror. Script mode:
#   cmake -DMAPS=a.map|b.map -DTRANSLATED=libx.a|liby.a -DOBJDUMP=objdump -DAR=ar
#         -DWORK=dir [-DEXPECT_STORES=1] -P CheckUntranslated.cmake
# An archive member is untranslated when its archive is not one of TRANSLATED
# (add_mirrored_library's); objects given to the link directly are the
# mirrored ones. EXPECT_STORES=1 inverts the verdict (the check's own test).
string(REPLACE "|" ";" maps "${MAPS}")
string(REPLACE "|" ";" translated0 "${TRANSLATED}")
set(translated "")
foreach(t IN LISTS translated0)
  get_filename_component(t "${t}" ABSOLUTE)
  list(APPEND translated "${t}")
endforeach()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# Instructions that write their last operand, and that operand being memory
# addressed by anything but the stack or frame pointer (or an absolute or,
# on x86-64, %rip-relative address); string stores write through %edi/%rdi.
set(write_re "^(lock )?(mov[bwl]?|add|sub|and|or|xor|adc|sbb|inc|dec|neg|not|shl|shr|sal|sar|rol|ror|rcl|rcr|shld|shrd|set[a-z]+|xchg|xadd|cmpxchg|cmpxchg8b|bts|btr|btc|fst[a-z]*|fist[a-z]*|fbstp|fnst[a-z]*|pop|v?mov(ap[sd]|up[sd]|dq[au]|s[sd]|[dq]|[lh]p[sd]|nt[a-z]*)|v?pextr[bwdq])[bwlq]?$")
set(string_re "^(rep[a-z]* )?(stos|movs)[bwlq]?")

set(found "")
set(checked 0)
foreach(map IN LISTS maps)
  if(NOT EXISTS "${map}")
    message(FATAL_ERROR "${map}: no such link map (build the mirrored programs first)")
  endif()
  file(STRINGS "${map}" lines REGEX "^[^ ].*\\.a\\([^)]+\\)$")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^(.*\\.a)\\(([^)]+)\\)$" "\\1" archive "${line}")
    string(REGEX REPLACE "^(.*\\.a)\\(([^)]+)\\)$" "\\2" member "${line}")
    # A relative archive path is relative to where the link ran: the map's directory.
    get_filename_component(mapdir "${map}" DIRECTORY)
    get_filename_component(archive "${archive}" ABSOLUTE BASE_DIR "${mapdir}")
    list(FIND translated "${archive}" t)
    if(NOT t EQUAL -1)
      continue()
    endif()
    math(EXPR checked "${checked} + 1")
    get_filename_component(aname "${archive}" NAME)
    set(dir "${WORK}/${aname}")
    file(MAKE_DIRECTORY "${dir}")
    execute_process(COMMAND "${AR}" x "${archive}" "${member}" WORKING_DIRECTORY "${dir}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${AR} x ${archive} ${member} failed")
    endif()
    execute_process(COMMAND "${OBJDUMP}" -d --no-show-raw-insn "${dir}/${member}"
                    OUTPUT_VARIABLE dis RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${OBJDUMP} -d ${dir}/${member} failed")
    endif()
    string(REPLACE ";" "," dis "${dis}")
    string(REPLACE "\n" ";" dis "${dis}")
    foreach(insn IN LISTS dis)
      # "   1a:\tmov    %edx,0x4(%ecx)"
      if(NOT insn MATCHES "^ *[0-9a-f]+:\t(.*)$")
        continue()
      endif()
      string(STRIP "${CMAKE_MATCH_1}" text)
      string(REGEX REPLACE "^([a-z0-9 ]*[a-z0-9]) +([^ ].*)$" "\\1" mnem "${text}")
      string(REGEX REPLACE "^[a-z0-9 ]*[a-z0-9] +([^ ].*)$" "\\1" ops "${text}")
      if(ops STREQUAL text)
        set(ops "")
      endif()
      set(bad FALSE)
      if(mnem MATCHES "${string_re}")
        set(bad TRUE)
      elseif(mnem MATCHES "${write_re}")
        string(REGEX REPLACE "^.*,(.*)$" "\\1" last "${ops}")
        if(last MATCHES "\\(%[er](ax|bx|cx|dx|si|di)" OR last MATCHES "\\(%r([89]|1[0-5])"
           OR last MATCHES "\\(%rip\\)" OR last MATCHES "^(%[a-z]s:)?(0x[0-9a-f]+|[0-9]+)$")
          set(bad TRUE)
        endif()
      endif()
      if(bad)
        string(APPEND found "  ${archive}(${member}): ${text}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(EXPECT_STORES)
  if(found STREQUAL "")
    message(FATAL_ERROR "expected stores through non-stack pointers in ${checked} untranslated "
                        "members, found none")
  endif()
  message(STATUS "found, as expected:\n${found}")
  return()
endif()
if(NOT found STREQUAL "")
  message(FATAL_ERROR "untranslated code linked into mirrored programs stores through "
                      "non-stack pointers (unmirrored writes):\n${found}"
                      "translate it (add_mirrored_library) or replace it")
endif()
list(LENGTH maps nmaps)
message(STATUS "${nmaps} mirrored programs, ${checked} untranslated archive members: no "
               "stores through non-stack pointers")
