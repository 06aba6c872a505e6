/* tt_fileio.h - internal file helpers of src/core/fileio.c beyond the public tt_read_file. */
#ifndef TT_FILEIO_H
#define TT_FILEIO_H

#include "tinytex.h"

/* Reads the first min(file size, max_read) bytes of a regular file, with the
 * same checks as tt_read_file (max_size refuses larger files, 0 = no limit;
 * directories, FIFOs and devices are refused without blocking). *file_size
 * receives the whole file's size, so a parser can read the header first and
 * then only the bytes the header describes. *data is malloc'ed. */
tt_status tt_read_file_head(const char *path, size_t max_size, size_t max_read, uint8_t **data, size_t *size,
                            size_t *file_size);

/* A scratch file the caller names (a candidate output it measures before keeping one): `path` is created empty with
 * O_EXCL, so no existing file is ever taken over (TT_ERR_IO; *exists = 1 when the name was taken), and registered
 * like tt_atomic_open's temporaries, so a signal removes it. *slot (-1 when the registry is full: no cleanup on
 * signals then) goes to tt_scratch_release once the file is removed or renamed (remove_file = 1: unlinked here). */
tt_status tt_scratch_reserve(const char *path, int *slot, int *exists);
void tt_scratch_release(const char *path, int slot, int remove_file);
/* rename(2) of a scratch file over `to`, refused (EINTR) once a signal handler is ending the process, as
 * tt_atomic_commit's rename. 0 or an errno. */
int tt_scratch_rename(const char *from, const char *to);

#endif
