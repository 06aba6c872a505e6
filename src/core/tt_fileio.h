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

#endif
