/*
 * flash_test.c — the flash folder: names and subfolders, refused names and
 * links, page accounting, a full flash, rename, format and the open limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/flash.h"

#include "harness.h"

static char root[64];

static bool host_exists(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return lstat(path, &st) == 0;
}

static int put(const char *name, const char *data, size_t len)
{
    nm_flash_file *f = nm_flash_open(name, nm_flash_mode_flags("w"));
    if (f == NULL)
        return -1;
    ssize_t n = nm_flash_write(f, data, len);
    nm_flash_close(f);
    return n == (ssize_t)len ? 0 : -1;
}

static bool count_file(const char *name, uint64_t size, void *arg)
{
    (void)name;
    (void)size;
    (*(int *)arg)++;
    return true;
}

static int file_count(void)
{
    int n = 0;
    nm_flash_list(count_file, &n);
    return n;
}

static void names(void)
{
    report("a name with / is stored in a subfolder",
           put("http/index.html", "hi", 2) == 0 && host_exists("http/index.html"), "not stored");
    report("and has its size", nm_flash_size("http/index.html") == 2, "wrong size");
    report("/FLASH/ names the same file", nm_flash_size("/FLASH/http/index.html") == 2, "not found");
    /* Only "/FLASH" as a whole path component is the drive: "/FLASHfoo" is no name of "foo". */
    report("/FLASHfoo is not foo",
           nm_flash_open("/FLASHfoo", nm_flash_mode_flags("w")) == NULL && !host_exists("foo") &&
               nm_flash_size("/FLASHhttp/index.html") < 0,
           "the drive prefix was cut from a longer name");
    const char *refused[] = {"../x", "a/../x", "/etc/passwd", "./x", "a//b",
                             "a/",   "",       ".",           "..",  "0123456789012345678901234567890123"};
    bool none = true;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (nm_flash_name_ok(refused[i]) || nm_flash_open(refused[i], nm_flash_mode_flags("w")) != NULL)
            none = false;
    report("escaping, empty, dot and too long names are refused", none, "one was accepted");
    report("a 31-byte name is fine", put("0123456789012345678901234567890", "", 0) == 0, "refused");
    report("removing the last file of a folder removes the folder",
           nm_flash_remove("http/index.html") == 0 && !host_exists("http"), "folder left");
    report("removing a missing file fails", nm_flash_remove("http/index.html") == UV_ENOENT, "no failure");
}

static void links(void)
{
    char target[128], link[128];
    snprintf(target, sizeof target, "%s.outside", root);
    FILE *f = fopen(target, "w");
    if (f) {
        fputs("secret", f);
        fclose(f);
    }
    snprintf(link, sizeof link, "%s/link", root);
    int rc = symlink(target, link);
    snprintf(link, sizeof link, "%s/dirlink", root);
    rc |= symlink("/tmp", link);
    report("symlinks made", rc == 0, "symlink failed");
    report("a linked file is not opened", nm_flash_open("link", NM_FLASH_READ) == NULL, "opened");
    report("nor written through", nm_flash_open("link", nm_flash_mode_flags("w")) == NULL, "opened");
    report("a linked folder is not entered",
           nm_flash_size("dirlink/x") == UV_ENOENT && nm_flash_open("dirlink/y", nm_flash_mode_flags("w")) == NULL,
           "entered");
    report("links are not listed", file_count() == 1, "listed");
    report("nor removed", nm_flash_remove("link") < 0 && host_exists("link"), "removed");
    unlink(link);
    snprintf(link, sizeof link, "%s/link", root);
    unlink(link);
    unlink(target);
}

static void space(void)
{
    uint32_t total, used;
    nm_flash_format();
    nm_flash_info(&total, &used);
    /* 64 KB: 8 blocks of 32 pages, one lookup page each, two spare blocks, one emergency page */
    report("total of a 64 KB partition", total == ((8 - 2) * 31 + 1) * 251, "wrong total");
    report("an empty flash uses nothing", used == 0, "used");
    put("a", "", 0);
    nm_flash_info(&total, &used);
    report("an empty file uses its index page", used == 251, "wrong");
    char big[300];
    memset(big, 'x', sizeof big);
    put("a", big, 252);
    nm_flash_info(&total, &used);
    report("252 bytes: index + 2 data pages", used == 3 * 251, "wrong");

    nm_flash_file *f = nm_flash_open("full", nm_flash_mode_flags("w"));
    ssize_t n;
    size_t written = 0;
    while ((n = nm_flash_write(f, big, sizeof big)) == (ssize_t)sizeof big)
        written += (size_t)n;
    written += n > 0 ? (size_t)n : 0;
    nm_flash_info(&total, &used);
    report("writes stop when the flash is full", used == total && n < (ssize_t)sizeof big, "not full");
    report("the short write kept what fit", nm_flash_size("full") == (int64_t)written, "size differs");
    report("no new file in a full flash", nm_flash_open("new", nm_flash_mode_flags("w")) == NULL, "created");
    report("an existing file still opens", nm_flash_open_count() == 1, "count");
    nm_flash_close(f);
    report("format removes every file", nm_flash_format() == 0 && file_count() == 0, "files left");
    nm_flash_info(&total, &used);
    report("and frees every page", used == 0, "used");
}

static void rename_and_limit(void)
{
    put("x", "1", 1);
    put("y", "2", 1);
    report("rename onto an existing name fails", nm_flash_rename("x", "y") == UV_EEXIST, "renamed");
    report("rename into a folder", nm_flash_rename("x", "d/e/x") == 0 && host_exists("d/e/x"), "failed");
    report("rename out of it removes the folders", nm_flash_rename("d/e/x", "z") == 0 && !host_exists("d"),
           "folders left");
    nm_flash_file *open[NM_FLASH_MAX_OPEN];
    bool all = true;
    for (int i = 0; i < NM_FLASH_MAX_OPEN; i++)
        all = all && (open[i] = nm_flash_open("z", NM_FLASH_READ)) != NULL;
    report("four files open", all, "fewer");
    report("not a fifth", nm_flash_open("y", NM_FLASH_READ) == NULL, "opened");
    for (int i = 0; i < NM_FLASH_MAX_OPEN; i++)
        nm_flash_close(open[i]);
    nm_flash_file *f = nm_flash_open("z", NM_FLASH_READ);
    char c;
    report("seek past the end fails",
           f && nm_flash_seek(f, 5, SEEK_SET, false) == UV_EINVAL && nm_flash_read(f, &c, 1) == 1 && c == '1', "moved");
    report("3.0 leaves the position at the end",
           f && nm_flash_seek(f, 5, SEEK_SET, true) == UV_EINVAL && nm_flash_read(f, &c, 1) == 0, "not at the end");
    report("a read-only file takes no write", f && nm_flash_write(f, "x", 1) == UV_EBADF, "written");
    nm_flash_close(f);
}

int main(void)
{
    strcpy(root, "/tmp/nmflashXXXXXX");
    if (!mkdtemp(root))
        return 1;
    report("configure",
           nm_flash_configure(root, 64 * 1024) == 0 && strcmp(nm_flash_dir(), root) == 0 && nm_flash_chosen(),
           "failed");
    report("a partition below four blocks is refused", nm_flash_configure(NULL, 16 * 1024) != 0, "accepted");
    names();
    links();
    space();
    rename_and_limit();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        failures++;
    return failures != 0;
}
