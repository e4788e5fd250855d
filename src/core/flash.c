/*
 * flash.c — the flash folder with SPIFFS's rules (see flash.h).
 *
 * Every name is reached from a descriptor of the flash folder, one component
 * at a time with O_NOFOLLOW, so a symbolic link anywhere on the way (or a
 * rename racing with us) can never lead outside the folder.
 */
#include "core/flash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* SPIFFS geometry of the firmware: 256-byte pages in 8 KB logical blocks,
 * each block starting with one lookup page; a page carries 251 bytes of
 * data after its header. An object index header page holds the name and
 * the first data page numbers; further index pages hold more of them. */
#define BLOCK_SIZE 8192u
#define PAGES_PER_BLOCK 32u
#define LOOKUP_PAGES 1u
#define DATA_PAGE 251u
#define HEADER_ENTRIES 106u
#define INDEX_ENTRIES 125u
#define PREFIX "/FLASH"

struct nm_flash_file {
    int fd;
    int flags;
};

static int root_fd = -1;
static char root_path[PATH_MAX];
static uint32_t part_size = NM_FLASH_DEFAULT_SIZE;
static bool chosen; /* a folder was named, not only the working directory */
static int open_count;
static int64_t used_pages = -1; /* -1: count again on the next write */

int nm_flash_configure(const char *dir, uint64_t size)
{
    if (size != 0) {
        if (size < NM_FLASH_MIN_SIZE || size > 0x7FFFFFFFu)
            return -EINVAL;
        part_size = (uint32_t)(size & ~(uint64_t)(BLOCK_SIZE - 1));
    }
    if (dir == NULL && root_fd >= 0)
        return 0;
    bool named = dir != NULL;
    if (dir == NULL)
        dir = ".";
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -errno;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (realpath(dir, root_path) == NULL) {
        int err = errno;
        close(fd);
        return -err;
    }
    if (root_fd >= 0)
        close(root_fd);
    root_fd = fd;
    chosen = named;
    used_pages = -1;
    return 0;
}

bool nm_flash_chosen(void)
{
    return chosen;
}

static int root(void)
{
    if (root_fd < 0 && nm_flash_configure(NULL, 0) != 0)
        return -1;
    return root_fd;
}

const char *nm_flash_dir(void)
{
    root();
    return root_path;
}

int nm_flash_mode_flags(const char *mode)
{
    static const struct {
        const char *mode;
        int flags;
    } modes[] = {
        {"r", NM_FLASH_READ},
        {"w", NM_FLASH_WRITE | NM_FLASH_CREATE | NM_FLASH_TRUNC},
        {"a", NM_FLASH_WRITE | NM_FLASH_CREATE | NM_FLASH_APPEND},
        {"r+", NM_FLASH_READ | NM_FLASH_WRITE},
        {"w+", NM_FLASH_READ | NM_FLASH_WRITE | NM_FLASH_CREATE | NM_FLASH_TRUNC},
        {"a+", NM_FLASH_READ | NM_FLASH_WRITE | NM_FLASH_CREATE | NM_FLASH_APPEND},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(mode, modes[i].mode) == 0)
            return modes[i].flags;
    return NM_FLASH_READ;
}

/* ---- names --------------------------------------------------------------- */

/* The name SPIFFS sees: the device's drive prefix goes, as its VFS drops it.
 * Only "/FLASH" alone or followed by '/' is the drive: the firmware also cuts
 * it from "/FLASHfoo", making that "foo" (README, compatibility table). */
static const char *spiffs_name(const char *name)
{
    size_t len = strlen(PREFIX);
    if (strncmp(name, PREFIX, len) == 0 && (name[len] == '\0' || name[len] == '/'))
        return name[len] == '/' ? name + len + 1 : name + len;
    return name;
}

static bool component_ok(const char *s, size_t len)
{
    return len > 0 && !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}

/* A name that maps one to one onto a path below the folder. */
static bool storable(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NM_FLASH_NAME_MAX)
        return false;
    const char *part = name;
    for (;;) {
        const char *slash = strchr(part, '/');
        size_t plen = slash ? (size_t)(slash - part) : strlen(part);
        if (!component_ok(part, plen))
            return false;
        if (!slash)
            return true;
        part = slash + 1;
    }
}

bool nm_flash_name_ok(const char *name)
{
    return storable(spiffs_name(name));
}

/* Opens the folder holding the first `upto` bytes of name's components
 * (creating them when asked). The caller closes the result unless it is
 * the root descriptor. */
static int open_dirs(const char *name, size_t upto, bool create)
{
    int dfd = root();
    char part[NM_FLASH_NAME_MAX + 1];
    size_t start = 0;
    while (dfd >= 0 && start < upto) {
        const char *slash = memchr(name + start, '/', upto - start);
        size_t end = slash ? (size_t)(slash - name) : upto;
        memcpy(part, name + start, end - start);
        part[end - start] = '\0';
        if (create && mkdirat(dfd, part, 0777) != 0 && errno != EEXIST) {
            if (dfd != root_fd)
                close(dfd);
            return -1;
        }
        int next = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd != root_fd)
            close(dfd);
        dfd = next;
        start = end + 1;
    }
    return dfd;
}

static void close_dir(int dfd)
{
    if (dfd >= 0 && dfd != root_fd)
        close(dfd);
}

/* The folder of a checked name's last component; *leaf points at that component. */
static int open_parent(const char *name, bool create, const char **leaf)
{
    const char *slash = strrchr(name, '/');
    *leaf = slash ? slash + 1 : name;
    return open_dirs(name, slash ? (size_t)(slash - name) : 0, create);
}

/* Removes the folders of name that became empty, deepest first. */
static void prune_dirs(const char *name)
{
    for (const char *slash = strrchr(name, '/'); slash != NULL;) {
        size_t upto = (size_t)(slash - name);
        const char *prev = upto ? memrchr(name, '/', upto) : NULL;
        size_t from = prev ? (size_t)(prev - name) + 1 : 0;
        int dfd = open_dirs(name, prev ? (size_t)(prev - name) : 0, false);
        char part[NM_FLASH_NAME_MAX + 1];
        memcpy(part, name + from, upto - from);
        part[upto - from] = '\0';
        int rc = dfd < 0 ? -1 : unlinkat(dfd, part, AT_REMOVEDIR);
        close_dir(dfd);
        if (rc != 0)
            return;
        slash = prev;
    }
}

/* Stats a regular file by name without following links; -1 when none. */
static int stat_file(const char *name, struct stat *st)
{
    const char *leaf;
    int dfd = open_parent(name, false, &leaf);
    int rc = dfd < 0 ? -1 : fstatat(dfd, leaf, st, AT_SYMLINK_NOFOLLOW);
    close_dir(dfd);
    return rc == 0 && S_ISREG(st->st_mode) ? 0 : -1;
}

/* ---- space --------------------------------------------------------------- */

static uint64_t file_pages(uint64_t size)
{
    uint64_t data = (size + DATA_PAGE - 1) / DATA_PAGE;
    uint64_t index = 1;
    if (data > HEADER_ENTRIES)
        index += (data - HEADER_ENTRIES + INDEX_ENTRIES - 1) / INDEX_ENTRIES;
    return data + index;
}

static uint64_t total_pages(void)
{
    uint64_t blocks = part_size / BLOCK_SIZE;
    return (blocks - 2) * (PAGES_PER_BLOCK - LOOKUP_PAGES) + 1; /* two spare blocks, one emergency page */
}

static bool count_pages(const char *name, uint64_t size, void *arg)
{
    (void)name;
    *(uint64_t *)arg += file_pages(size);
    return true;
}

static uint64_t pages_in_use(void)
{
    if (used_pages < 0) {
        uint64_t n = 0;
        nm_flash_list(count_pages, &n);
        used_pages = (int64_t)n;
    }
    return (uint64_t)used_pages;
}

static uint64_t free_pages(void)
{
    uint64_t used = pages_in_use(), total = total_pages();
    return used < total ? total - used : 0;
}

void nm_flash_info(uint32_t *total, uint32_t *used)
{
    used_pages = -1; /* files may have been copied in from outside */
    uint64_t t = total_pages(), u = pages_in_use();
    *total = (uint32_t)(t * DATA_PAGE);
    *used = (uint32_t)((u < t ? u : t) * DATA_PAGE);
}

void nm_flash_partition(uint32_t *addr, uint32_t *size)
{
    *addr = NM_FLASH_ADDR;
    *size = part_size;
}

/* ---- files --------------------------------------------------------------- */

static int os_flags(int flags)
{
    int o = (flags & NM_FLASH_READ) && (flags & NM_FLASH_WRITE) ? O_RDWR
            : (flags & NM_FLASH_WRITE)                          ? O_WRONLY
                                                                : O_RDONLY;
    if (flags & NM_FLASH_CREATE)
        o |= O_CREAT;
    if (flags & NM_FLASH_TRUNC)
        o |= O_TRUNC;
    if (flags & NM_FLASH_APPEND)
        o |= O_APPEND;
    return o | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
}

nm_flash_file *nm_flash_open(const char *name, int flags)
{
    name = spiffs_name(name);
    if (!storable(name) || open_count >= NM_FLASH_MAX_OPEN)
        return NULL;
    used_pages = -1;
    struct stat st;
    bool exists = stat_file(name, &st) == 0;
    if (!exists && (!(flags & NM_FLASH_CREATE) || free_pages() < 1))
        return NULL;
    const char *leaf;
    int dfd = open_parent(name, !exists, &leaf);
    int fd = dfd < 0 ? -1 : openat(dfd, leaf, os_flags(flags), 0666);
    close_dir(dfd);
    nm_flash_file *f = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (f = malloc(sizeof *f)) != NULL) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); /* O_NONBLOCK only kept a FIFO from blocking the open */
        f->fd = fd;
        f->flags = flags;
        open_count++;
        return f;
    }
    if (fd >= 0)
        close(fd);
    if (!exists)
        prune_dirs(name);
    return NULL;
}

void nm_flash_close(nm_flash_file *f)
{
    if (f == NULL)
        return;
    close(f->fd);
    open_count--;
    free(f);
}

int nm_flash_open_count(void)
{
    return open_count;
}

ssize_t nm_flash_read(nm_flash_file *f, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(f->fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

static ssize_t write_all(int fd, const char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* The most bytes written from start that keep the file within extra pages. */
static size_t fitting(uint64_t old_size, uint64_t start, size_t len, uint64_t extra)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        uint64_t end = start + mid;
        if (file_pages(end > old_size ? end : old_size) - file_pages(old_size) <= extra)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

ssize_t nm_flash_write(nm_flash_file *f, const void *buf, size_t len)
{
    struct stat st;
    if (!(f->flags & NM_FLASH_WRITE) || fstat(f->fd, &st) != 0)
        return -1;
    uint64_t old = (uint64_t)st.st_size;
    off_t pos = lseek(f->fd, 0, SEEK_CUR);
    uint64_t start = (f->flags & NM_FLASH_APPEND) || pos < 0 ? old : (uint64_t)pos;
    uint64_t end = start + len;
    uint64_t grow = file_pages(end > old ? end : old) - file_pages(old);
    uint64_t avail = free_pages();
    size_t n = grow <= avail ? len : fitting(old, start, len, avail);
    ssize_t written = n ? write_all(f->fd, buf, n) : 0;
    if (written > 0 && fstat(f->fd, &st) == 0)
        used_pages += (int64_t)(file_pages((uint64_t)st.st_size) - file_pages(old));
    return written;
}

int64_t nm_flash_seek(nm_flash_file *f, int64_t offset, int whence, bool to_end)
{
    struct stat st;
    off_t cur = lseek(f->fd, 0, SEEK_CUR);
    if (cur < 0 || fstat(f->fd, &st) != 0)
        return -1;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_END ? (int64_t)st.st_size : (int64_t)cur;
    int64_t target = base + offset;
    if (target < 0)
        return -1;
    if (target > (int64_t)st.st_size) {
        if (to_end)
            lseek(f->fd, st.st_size, SEEK_SET);
        return -1;
    }
    return lseek(f->fd, (off_t)target, SEEK_SET);
}

int nm_flash_flush(nm_flash_file *f)
{
    return f->fd >= 0 ? 0 : -1; /* writes reach the file at once */
}

/* ---- the name space ------------------------------------------------------ */

int64_t nm_flash_size(const char *name)
{
    struct stat st;
    name = spiffs_name(name);
    if (!storable(name) || stat_file(name, &st) != 0)
        return -1;
    return (int64_t)st.st_size;
}

int nm_flash_remove(const char *name)
{
    struct stat st;
    name = spiffs_name(name);
    if (!storable(name) || stat_file(name, &st) != 0)
        return -1;
    const char *leaf;
    int dfd = open_parent(name, false, &leaf);
    int rc = dfd < 0 ? -1 : unlinkat(dfd, leaf, 0);
    close_dir(dfd);
    used_pages = -1;
    if (rc == 0)
        prune_dirs(name);
    return rc == 0 ? 0 : -1;
}

int nm_flash_rename(const char *oldname, const char *newname)
{
    struct stat st;
    oldname = spiffs_name(oldname);
    newname = spiffs_name(newname);
    if (!storable(oldname) || !storable(newname) || stat_file(oldname, &st) != 0 ||
        stat_file(newname, &st) == 0)
        return -1;
    const char *oldleaf, *newleaf;
    int newdir = open_parent(newname, true, &newleaf);
    int olddir = open_parent(oldname, false, &oldleaf);
    int rc = newdir < 0 || olddir < 0 ? -1 : renameat2(olddir, oldleaf, newdir, newleaf, RENAME_NOREPLACE);
    close_dir(newdir);
    close_dir(olddir);
    prune_dirs(rc == 0 ? oldname : newname);
    return rc == 0 ? 0 : -1;
}

/* Lists dfd's files with names prefix + entry; prefix has plen bytes. */
static bool list_dir(int dfd, char *prefix, size_t plen, nm_flash_list_fn fn, void *arg)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd < 0 ? NULL : fdopendir(fd);
    if (dir == NULL) {
        if (fd >= 0)
            close(fd);
        return true;
    }
    bool go_on = true;
    struct dirent *e;
    while (go_on && (e = readdir(dir)) != NULL) {
        size_t nlen = strlen(e->d_name);
        struct stat st;
        if (!component_ok(e->d_name, nlen) || plen + nlen > NM_FLASH_NAME_MAX ||
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        memcpy(prefix + plen, e->d_name, nlen + 1);
        if (S_ISREG(st.st_mode)) {
            go_on = fn(prefix, (uint64_t)st.st_size, arg);
        } else if (S_ISDIR(st.st_mode) && plen + nlen + 1 < NM_FLASH_NAME_MAX) {
            int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                prefix[plen + nlen] = '/';
                go_on = list_dir(sub, prefix, plen + nlen + 1, fn, arg);
                close(sub);
            }
        }
    }
    closedir(dir);
    return go_on;
}

void nm_flash_list(nm_flash_list_fn fn, void *arg)
{
    char name[NM_FLASH_NAME_MAX + 2];
    if (root() >= 0)
        list_dir(root_fd, name, 0, fn, arg);
}

typedef struct name_list {
    char (*names)[NM_FLASH_NAME_MAX + 1];
    size_t len, cap;
    bool failed;
} name_list;

static bool collect(const char *name, uint64_t size, void *arg)
{
    (void)size;
    name_list *l = arg;
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        void *p = realloc(l->names, cap * sizeof *l->names);
        if (p == NULL) {
            l->failed = true;
            return false;
        }
        l->names = p;
        l->cap = cap;
    }
    strcpy(l->names[l->len++], name);
    return true;
}

int nm_flash_format(void)
{
    name_list l = {0};
    nm_flash_list(collect, &l);
    for (size_t i = 0; i < l.len; i++)
        if (nm_flash_remove(l.names[i]) != 0)
            l.failed = true;
    free(l.names);
    used_pages = -1;
    return l.failed ? -1 : 0;
}

int nm_flash_slurp(const char *name, char **data, size_t *len)
{
    nm_flash_file *f = nm_flash_open(name, NM_FLASH_READ);
    if (f == NULL)
        return -1;
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    if (fstat(f->fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        ssize_t n;
        while (got < (size_t)st.st_size && (n = nm_flash_read(f, buf + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)n;
    }
    nm_flash_close(f);
    if (buf == NULL)
        return -1;
    *data = buf;
    *len = got;
    return 0;
}
