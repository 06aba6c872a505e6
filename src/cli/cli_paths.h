/* cli_paths.h - the files one run reads and writes: no output may replace an input or another output, output names match what is written, -o's parent folders. */
#ifndef TT_CLI_PATHS_H
#define TT_CLI_PATHS_H

#include <stddef.h>
#include "tinytex.h"

/* One path of a run: `role` names it in messages ("input", "-o", "--decoded", "--json", ...). */
typedef struct {
    const char *path;
    const char *role;
    int is_output;
    int group;          /* outputs of one nonzero group are not compared with each other (the batch driver's
                           mirrored outputs, whose clashes it reports per file) */
} cli_path_role;

typedef struct {
    cli_path_role *items;
    size_t n, cap;
    int oom;
} cli_path_set;

void cli_paths_add(cli_path_set *s, const char *path, const char *role, int is_output);
void cli_paths_add_group(cli_path_set *s, const char *path, const char *role, int is_output, int group);
void cli_paths_free(cli_path_set *s);
/* Before any work: refuses (one error line naming both, EXIT_USAGE) an output that is the same file as an input or
 * as another output: the same real path (symbolic links and "." / ".." resolved, the folder of a file not yet
 * written resolved) or the same device and inode (hard links). "-" (stdout) and NULL are ignored. Returns EXIT_OK. */
int cli_paths_check(const cli_path_set *s);

/* EXIT_USAGE (with the error line) unless `path`'s extension is `ext` (lowercase, without the dot); "-" passes when
 * allow_stdout. `what` names the option ("--decoded"), `writes` the content ("PNG"). NULL passes. */
int cli_require_extension(const char *path, const char *ext, const char *what, const char *writes, int allow_stdout);

/* The -o rule (docs/cli.md, "Where outputs go"): one input file -> -o is a file (an existing folder, or a name
 * ending in '/', is a usage error); several inputs or a folder -> -o is a folder (an existing file, or a name that
 * looks like a file: ending in an extension tinytex writes or reads, such as .dds .ktx2 .tnx .png, unless it is an
 * existing folder, is a usage error). */
int cli_check_output_kind(const char *output, int single);

/* mkdir -p of the folder holding `file` (an existing folder of that name is success). */
tt_status cli_make_parent_dirs(const char *file);

#endif
