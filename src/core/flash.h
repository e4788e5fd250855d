/*
 * flash.h — the board's flash file system, kept in a folder of the host.
 *
 * The device's SPIFFS has one flat name space: `/` is an ordinary character
 * in a name of at most 31 bytes. Here each name is a path below the flash
 * folder, so `http/index.html` is the file index.html in the subfolder http,
 * and listing walks the subfolders to give the whole names back. A name that
 * cannot be stored that way (empty parts, `.` or `..`, a leading `/` other
 * than the device's own "/FLASH/" prefix) is refused, and no symbolic link is
 * ever followed, so nothing outside the folder is reachable.
 *
 * The flash has a size: the partition the device would give SPIFFS (4 MB
 * board by default). Used and total space are counted in SPIFFS pages the way
 * the device's fsinfo counts them, and a write that does not fit stores what
 * fits and fails, as a full SPIFFS does. At most NM_FLASH_MAX_OPEN files are
 * open at once, as on the device.
 */
#ifndef NETMCU_FLASH_H
#define NETMCU_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NM_FLASH_NAME_MAX 31 /* bytes in a name (SPIFFS_OBJ_NAME_LEN - 1) */
#define NM_FLASH_MAX_OPEN 4  /* SPIFFS_MAX_OPEN_FILES */
#define NM_FLASH_ADDR 0x80000u
#define NM_FLASH_DEFAULT_SIZE 0x37C000u /* what a 4 MB board leaves SPIFFS */
#define NM_FLASH_MIN_SIZE (4u * 8192u)  /* four logical blocks */

typedef struct nm_flash_file nm_flash_file;

enum {
    NM_FLASH_READ = 1,
    NM_FLASH_WRITE = 2,
    NM_FLASH_CREATE = 4,
    NM_FLASH_TRUNC = 8,
    NM_FLASH_APPEND = 16,
};

/* Chooses the folder (created if missing; NULL: the working directory) and
 * the partition size (0 keeps the default; rounded down to whole blocks).
 * Returns 0 or a negative errno. */
int nm_flash_configure(const char *dir, uint64_t size);
/* The folder's absolute path (the working directory until configured). */
const char *nm_flash_dir(void);
/* Whether a folder was chosen (dir given), not just the working directory. */
bool nm_flash_chosen(void);

/* The flags of a firmware open mode ("r", "w", "a", "r+", "w+", "a+"; any
 * other string opens for reading, as SPIFFS does). */
int nm_flash_mode_flags(const char *mode);

/* Opens a file by its flash name; NULL when the device would fail (no such
 * file, name too long or refused, too many open files, a full flash). */
nm_flash_file *nm_flash_open(const char *name, int flags);
void nm_flash_close(nm_flash_file *f);
/* How many files are open now. */
int nm_flash_open_count(void);
/* Bytes read (0 at the end), or a negative code (UV_EBADF: opened only for writing). */
ssize_t nm_flash_read(nm_flash_file *f, void *buf, size_t len);
/* Bytes written: fewer than len when the flash is full; a negative code on an
 * error (UV_EBADF: opened only for reading). */
ssize_t nm_flash_write(nm_flash_file *f, const void *buf, size_t len);
/* Moves to offset from SEEK_SET/SEEK_CUR/SEEK_END; the new position, or
 * UV_EINVAL when it would lie before the start or past the end (SPIFFS allows no gap;
 * later SPIFFS versions leave the position at the end then: to_end). */
int64_t nm_flash_seek(nm_flash_file *f, int64_t offset, int whence, bool to_end);
/* 0: writes reach the file at once. */
int nm_flash_flush(nm_flash_file *f);

/* Whether a name is one the flash can hold (see above). */
bool nm_flash_name_ok(const char *name);
/* 0, UV_ENOENT when no such file, UV_EINVAL for a refused name. */
int nm_flash_remove(const char *name);
/* 0, UV_ENOENT (no old file), UV_EEXIST (the new name exists), UV_EINVAL (a name refused). */
int nm_flash_rename(const char *oldname, const char *newname);
/* The size of a file, UV_ENOENT when there is none, UV_EINVAL for a refused name. */
int64_t nm_flash_size(const char *name);

/* Calls fn for every file, with its flash name and size; fn returns false to stop. */
typedef bool (*nm_flash_list_fn)(const char *name, uint64_t size, void *arg);
void nm_flash_list(nm_flash_list_fn fn, void *arg);

/* Total and used bytes as SPIFFS_info reports them. */
void nm_flash_info(uint32_t *total, uint32_t *used);
/* The partition: its flash address and size. */
void nm_flash_partition(uint32_t *addr, uint32_t *size);
/* Removes every file (the folders the names made go too). 0, or UV_EIO when one stays. */
int nm_flash_format(void);

/* Reads a whole file into a malloc'd buffer; 0, UV_ENOENT when it cannot be
 * opened, UV_ENOMEM. */
int nm_flash_slurp(const char *name, char **data, size_t *len);

#endif
