// Layout of the behaviour-test arena (32-bit host process; see run32.c).
#ifndef MIRROR_RUN32_H
#define MIRROR_RUN32_H

#define ARENA 0x10000000 // native data + stack of the forms
#define ARENA_SIZE 0x10000
#define GDATA_OFF 0x7000 // absolute symbol gdata
#define STACK_LOW 0x8000 // the stack area: [STACK_LOW, ARENA_SIZE)
#define STACK_TOP 0xe000 // initial %esp (room above it for 4(%esp)...)

#endif
