/* cli_manifest.h - what each output of a batch folder was made with (OUT/.tinytex-manifest.json), so a re-run rebuilds the outputs whose request changed. */
#ifndef TT_CLI_MANIFEST_H
#define TT_CLI_MANIFEST_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define CLI_MANIFEST_NAME ".tinytex-manifest.json"

typedef struct {
    char *path;                 /* OUT/.tinytex-manifest.json */
    cJSON *files;               /* as read: {REL: {"request", "bytes", "mtime_ns"}} of {"schema", "version", "files"} */
    cJSON *changes;             /* this run's: REL -> entry, or null for an output forgotten */
} cli_manifest;

/* Reads the manifest of output folder `out_dir` (a missing or unreadable one is empty: every output it does not
 * describe is rebuilt). Returns 0, or -1 when out of memory. */
int cli_manifest_load(cli_manifest *m, const char *out_dir);
/* Why `output` (REL under the folder) must be rebuilt for `request`, in `why` (empty when it is up to date: the
 * recorded request is the same and the file is the one recorded, by size and modification time). */
void cli_manifest_check(const cli_manifest *m, const char *rel, const char *output, const char *request, char *why,
                        size_t len);
/* Records (request != NULL) or forgets (NULL) an output after the run. */
void cli_manifest_set(cli_manifest *m, const char *rel, const char *output, const char *request);
/* Applies this run's changes to the manifest on disk under an exclusive lock of OUT (other shards
 * may have written it since it was read) and writes it atomically (an empty one is removed). Returns 0 or -1 (error printed). */
int cli_manifest_save(cli_manifest *m);
void cli_manifest_free(cli_manifest *m);

#endif
