/* test_fileio.c - status strings, tt_fail detail, atomic output (incl. failure and signal cleanup) and tt_read_file refusals. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/tt_fileio.h"
#include "tinytex.h"
#include "tt_test.h"

static char tmpdir[256];

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

/* Number of entries in `dir` whose name contains ".tmp-". */
static int count_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-")) n++;
    closedir(d);
    return n;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_status(void)
{
    const char *seen[TT_STATUS_COUNT];
    for (int s = 0; s < TT_STATUS_COUNT; s++) {
        seen[s] = tt_status_str((tt_status)s);
        CHECK(seen[s] != NULL && seen[s][0] != '\0');
        for (int t = 0; t < s; t++) CHECK_MSG(strcmp(seen[s], seen[t]) != 0, "%d and %d share a name", s, t);
    }
    CHECK(tt_status_str((tt_status)999) != NULL);
    CHECK(tt_status_str((tt_status)-1) != NULL);
    CHECK(strcmp(tt_status_str(TT_ERR_IO), "I/O error") == 0);

    tt_clear_error();
    CHECK(strcmp(tt_last_error(), "") == 0);
    CHECK_EQ_INT(tt_fail(TT_ERR_FORMAT, "%s: reason %d", "foo.png", 42), TT_ERR_FORMAT);
    CHECK(strcmp(tt_last_error(), "foo.png: reason 42") == 0);
    /* Wrapping the previous message must not corrupt it (overlapping buffers). */
    CHECK_EQ_INT(tt_fail(TT_ERR_IO, "out.dds: %s", tt_last_error()), TT_ERR_IO);
    CHECK(strcmp(tt_last_error(), "out.dds: foo.png: reason 42") == 0);
    /* Very long messages are truncated, not overflowed. */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tt_fail(TT_ERR_IO, "%s", big);
    CHECK(strlen(tt_last_error()) > 100 && strlen(tt_last_error()) < sizeof big);
    errno = EACCES;
    tt_fail(TT_ERR_IO, "keeps errno");
    CHECK_EQ_INT(errno, EACCES);
    tt_clear_error();
    CHECK(tt_last_error()[0] == '\0');
}

static void test_atomic_write(void)
{
    char p[512];
    path_in(p, sizeof p, "out.bin");
    const char payload[] = "hello, atomic world";
    CHECK_EQ_INT(tt_write_file_atomic(p, payload, sizeof payload), TT_OK);
    uint8_t *data = NULL;
    size_t size = 0;
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_OK);
    CHECK_EQ_INT(size, sizeof payload);
    CHECK(data && memcmp(data, payload, sizeof payload) == 0);
    free(data);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);

    /* Replacing an existing file. */
    CHECK_EQ_INT(tt_write_file_atomic(p, "xy", 2), TT_OK);
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_OK);
    CHECK_EQ_INT(size, 2);
    CHECK(data && memcmp(data, "xy", 2) == 0);
    free(data);

    /* Zero bytes is a valid file. */
    CHECK_EQ_INT(tt_write_file_atomic(p, NULL, 0), TT_OK);
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_OK);
    CHECK_EQ_INT(size, 0);
    free(data);

    /* Streaming API: open, several writes, commit; the temp file lives in
     * the target's folder while open. */
    tt_atomic_file *f = NULL;
    path_in(p, sizeof p, "stream.bin");
    CHECK_EQ_INT(tt_atomic_open(p, &f), TT_OK);
    CHECK_EQ_INT(count_temp_files(tmpdir), 1);
    CHECK_EQ_INT(access(p, F_OK), -1); /* not visible before commit */
    CHECK_EQ_INT(tt_atomic_write(f, "ab", 2), TT_OK);
    CHECK_EQ_INT(tt_atomic_write(f, "cd", 2), TT_OK);
    CHECK_EQ_INT(tt_atomic_commit(f), TT_OK);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_OK);
    CHECK(size == 4 && memcmp(data, "abcd", 4) == 0);
    free(data);

    /* Abort removes the temporary and leaves the old target alone. */
    CHECK_EQ_INT(tt_atomic_open(p, &f), TT_OK);
    CHECK_EQ_INT(tt_atomic_write(f, "zzzz", 4), TT_OK);
    tt_atomic_abort(f);
    tt_atomic_abort(NULL);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_OK);
    CHECK(size == 4 && memcmp(data, "abcd", 4) == 0);
    free(data);

    /* Many files open at once, more than any fixed registry might hold. */
    tt_atomic_file *many[80];
    for (int i = 0; i < 80; i++) {
        char q[512];
        snprintf(q, sizeof q, "%s/many%02d", tmpdir, i);
        CHECK_EQ_INT(tt_atomic_open(q, &many[i]), TT_OK);
    }
    CHECK_EQ_INT(count_temp_files(tmpdir), 80);
    for (int i = 0; i < 80; i++) tt_atomic_abort(many[i]);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
}

static void test_atomic_failures(void)
{
    char p[512];
    /* Folder does not exist: nothing is created anywhere. */
    path_in(p, sizeof p, "no/such/dir/out.bin");
    CHECK_EQ_INT(tt_write_file_atomic(p, "x", 1), TT_ERR_IO);
    CHECK(strstr(tt_last_error(), "no/such/dir/out.bin") != NULL);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);

    /* Target is a directory: the temp file is created, the rename fails and
     * the temp file must be gone afterwards. */
    path_in(p, sizeof p, "adir");
    CHECK_EQ_INT(mkdir(p, 0755), 0);
    CHECK_EQ_INT(tt_write_file_atomic(p, "x", 1), TT_ERR_IO);
    CHECK(strstr(tt_last_error(), "adir") != NULL);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
    rmdir(p);

    /* Unwritable folder (meaningless as root, who may write anyway). */
    if (geteuid() != 0) {
        char ro[400];
        path_in(ro, sizeof ro, "readonly");
        CHECK_EQ_INT(mkdir(ro, 0555), 0);
        snprintf(p, sizeof p, "%s/out.bin", ro);
        CHECK_EQ_INT(tt_write_file_atomic(p, "x", 1), TT_ERR_IO);
        CHECK(strstr(tt_last_error(), "Permission denied") != NULL);
        CHECK_EQ_INT(count_entries(ro), 0);
        rmdir(ro);
    }

    /* Bad arguments. */
    tt_atomic_file *f = NULL;
    CHECK_EQ_INT(tt_atomic_open("", &f), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_atomic_open(NULL, &f), TT_ERR_INVALID_ARG);
    CHECK(f == NULL);
    CHECK_EQ_INT(tt_atomic_write(NULL, "x", 1), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_atomic_commit(NULL), TT_ERR_INVALID_ARG);
}

static void on_term(int sig)
{
    (void)sig;
    tt_atomic_cleanup_all();
    _exit(3);
}

static void test_cleanup_all(void)
{
    char p[512];
    path_in(p, sizeof p, "cleanup.bin");
    tt_atomic_file *f = NULL;
    CHECK_EQ_INT(tt_atomic_open(p, &f), TT_OK);
    CHECK_EQ_INT(tt_atomic_write(f, "abc", 3), TT_OK);
    CHECK_EQ_INT(count_temp_files(tmpdir), 1);
    tt_atomic_cleanup_all();
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
    tt_atomic_abort(f); /* still safe after the cleanup */
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);

    /* Real signal: a child opens two outputs, writes, and is killed; its
     * handler calls tt_atomic_cleanup_all. Nothing may remain. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, on_term);
        tt_atomic_file *a = NULL, *b = NULL;
        char q[512];
        snprintf(q, sizeof q, "%s/child_a.bin", tmpdir);
        if (tt_atomic_open(q, &a) != TT_OK) _exit(10);
        snprintf(q, sizeof q, "%s/child_b.bin", tmpdir);
        if (tt_atomic_open(q, &b) != TT_OK) _exit(11);
        tt_atomic_write(a, "data", 4);
        kill(getpid(), SIGTERM);
        _exit(12); /* not reached */
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
    path_in(p, sizeof p, "child_a.bin");
    CHECK_EQ_INT(access(p, F_OK), -1);
}

/* tt_atomic_cleanup_exit (the CLI's signal handler): removes what exists, and no temporary file can be created
 * or renamed over an output afterwards. In a child, since the process cannot create files after it. */
static void test_cleanup_exit(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        tt_atomic_file *a = NULL, *b = NULL, *c = NULL;
        char q[512], c_temp[600] = "";
        snprintf(q, sizeof q, "%s/exit_c.bin", tmpdir);
        if (tt_write_file_atomic(q, "old", 3) != TT_OK) _exit(20);
        if (tt_atomic_open(q, &c) != TT_OK || tt_atomic_write(c, "new", 3) != TT_OK) _exit(21);
        DIR *d = opendir(tmpdir);
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            if (strncmp(e->d_name, "exit_c.bin.tmp-", 15) == 0) snprintf(c_temp, sizeof c_temp, "%s/%s", tmpdir, e->d_name);
        if (d) closedir(d);
        if (!c_temp[0]) _exit(22);
        snprintf(q, sizeof q, "%s/exit_a.bin", tmpdir);
        if (tt_atomic_open(q, &a) != TT_OK) _exit(10);
        tt_atomic_cleanup_exit();
        if (count_temp_files(tmpdir) != 0) _exit(11);
        snprintf(q, sizeof q, "%s/exit_b.bin", tmpdir);
        if (tt_atomic_open(q, &b) != TT_ERR_IO || b != NULL) _exit(12);
        if (count_temp_files(tmpdir) != 0) _exit(13);
        /* Once the handler has begun, no output is replaced: a commit must not rename even where its temporary
         * file still exists (as for a writer on another thread that got past the unlink; recreated here by hand). */
        FILE *f = fopen(c_temp, "wb");
        if (!f || fwrite("new", 1, 3, f) != 3 || fclose(f) != 0) _exit(23);
        if (tt_atomic_commit(c) == TT_OK) _exit(24);
        snprintf(q, sizeof q, "%s/exit_c.bin", tmpdir);
        char got[8] = "";
        f = fopen(q, "rb");
        size_t n = f ? fread(got, 1, sizeof got - 1, f) : 0;
        if (f) fclose(f);
        if (n != 3 || memcmp(got, "old", 3) != 0) _exit(25);
        if (count_temp_files(tmpdir) != 0) _exit(26);
        _exit(0);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit status %d", WEXITSTATUS(status));
    CHECK_EQ_INT(count_temp_files(tmpdir), 0);
}

static void test_read_file(void)
{
    uint8_t *data = (uint8_t *)1;
    size_t size = 99;
    /* Missing file. */
    char p[512];
    path_in(p, sizeof p, "missing.bin");
    CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_ERR_IO);
    CHECK(data == NULL && size == 0);
    CHECK(strstr(tt_last_error(), "missing.bin") && strstr(tt_last_error(), "No such file"));

    /* Directory. */
    CHECK_EQ_INT(tt_read_file(tmpdir, 0, &data, &size), TT_ERR_IO);
    CHECK(strstr(tt_last_error(), "directory") != NULL);

    /* Character device. */
    CHECK_EQ_INT(tt_read_file("/dev/null", 0, &data, &size), TT_ERR_IO);
    CHECK(strstr(tt_last_error(), "not a regular file") != NULL);

    /* FIFO with no writer: must be refused, not block forever. */
    path_in(p, sizeof p, "fifo");
    if (mkfifo(p, 0600) == 0) {
        CHECK_EQ_INT(tt_read_file(p, 0, &data, &size), TT_ERR_IO);
        CHECK(strstr(tt_last_error(), "not a regular file") != NULL);
        unlink(p);
    }

    /* Size limit. */
    path_in(p, sizeof p, "ten.bin");
    CHECK_EQ_INT(tt_write_file_atomic(p, "0123456789", 10), TT_OK);
    CHECK_EQ_INT(tt_read_file(p, 9, &data, &size), TT_ERR_LIMIT);
    CHECK(strstr(tt_last_error(), "ten.bin") && strstr(tt_last_error(), "10 bytes"));
    CHECK_EQ_INT(tt_read_file(p, 10, &data, &size), TT_OK);
    CHECK(size == 10 && memcmp(data, "0123456789", 10) == 0);
    free(data);

    CHECK_EQ_INT(tt_read_file(NULL, 0, &data, &size), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_read_file(p, 0, NULL, &size), TT_ERR_INVALID_ARG);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0) rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

static long file_size_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* Scratch files (tt_scratch_reserve): created empty, never over an existing file, removed by the signal cleanup
 * while reserved, kept once renamed and released. */
static void test_scratch(void)
{
    char a[512], b[512], out[512];
    path_in(a, sizeof a, "cand.a.tnx");
    path_in(b, sizeof b, "cand.b.tnx");
    path_in(out, sizeof out, "out.tnx");
    int slot = -2, exists = -1;
    CHECK_EQ_INT(tt_scratch_reserve(a, &slot, &exists), TT_OK);
    CHECK(slot >= 0 && exists == 0);
    CHECK_EQ_INT(file_size_of(a), 0);
    /* a name that is taken: refused, the file untouched */
    CHECK_EQ_INT(tt_write_file_atomic(b, "user", 4), TT_OK);
    int slot_b = -2;
    CHECK_EQ_INT(tt_scratch_reserve(b, &slot_b, &exists), TT_ERR_IO);
    CHECK(exists == 1 && slot_b == -1);
    CHECK_EQ_INT(file_size_of(b), 4);
    int slot_c = -2;
    char missing[512];
    path_in(missing, sizeof missing, "no/such/dir/x.tnx");
    CHECK_EQ_INT(tt_scratch_reserve(missing, &slot_c, &exists), TT_ERR_IO);
    CHECK(exists == 0);
    /* a signal's cleanup removes the reserved file, not the user's */
    tt_atomic_cleanup_all();
    CHECK_EQ_INT(file_size_of(a), -1);
    CHECK_EQ_INT(file_size_of(b), 4);
    tt_scratch_release(a, slot, 1);   /* safe after the cleanup */
    /* the kept candidate: renamed over the output, then released without removal */
    CHECK_EQ_INT(tt_scratch_reserve(a, &slot, &exists), TT_OK);
    CHECK_EQ_INT(tt_write_file_atomic(a, "model", 5), TT_OK);
    CHECK_EQ_INT(tt_scratch_rename(a, out), 0);
    tt_scratch_release(a, slot, 0);
    tt_atomic_cleanup_all();
    CHECK_EQ_INT(file_size_of(out), 5);
    CHECK_EQ_INT(file_size_of(a), -1);
    /* a dropped candidate: released with removal */
    CHECK_EQ_INT(tt_scratch_reserve(a, &slot, &exists), TT_OK);
    tt_scratch_release(a, slot, 1);
    CHECK_EQ_INT(file_size_of(a), -1);
    CHECK_EQ_INT(tt_scratch_rename(a, out), ENOENT);
    remove(b);
    remove(out);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tt_test_fileio_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_status();
    test_atomic_write();
    test_atomic_failures();
    test_cleanup_all();
    test_cleanup_exit();
    test_scratch();
    test_read_file();
    remove_tree(tmpdir);
    TT_TEST_END();
}
