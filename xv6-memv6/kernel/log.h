// The file system's write-ahead log. Every system call that writes the disk
// brackets its writes with begin_op()/end_op(); blocks go to disk through
// log_write() and reach their home location only after commit.
#ifndef LOG_H
#define LOG_H
struct buf;
struct superblock;
void log_init(int dev, struct superblock *sb);
void begin_op(void);
void end_op(void);
void log_write(struct buf *b);
#endif
