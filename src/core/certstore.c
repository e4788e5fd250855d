/*
 * certstore.c — the CA and client-certificate "flash sectors" (see certstore.h).
 */
#include "core/certstore.h"
#include "core/setups.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/home.h"

#define NAME_SIZE 32
#define HEADER_SIZE (NAME_SIZE + 2)

typedef struct slot_info {
    const char *file;
    const char *types[2];
    const char *names[2];
    int count;
} slot_info;

static const slot_info slots[] = {
    [NM_CERT_CA] = {"server-ca.sector", {"CERTIFICATE", NULL}, {"certificate", NULL}, 1},
    [NM_CERT_CLIENT] = {"client-cert.sector", {"CERTIFICATE", "RSA PRIVATE KEY"}, {"certificate", "private_key"}, 2},
};

static unsigned char images[2][NM_CERT_SECTOR_SIZE];
static bool loaded[2];

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Appends one record for the PEM object at pem to image at *used, by the
 * firmware's rules: the first BEGIN line must name `type` (a prefix match),
 * the body is base64 where whitespace is skipped and '=' drops pending bits,
 * and it must end at an END line of the same type with no bits left over. */
static const char *append_record(unsigned char *image, size_t *used, const char *pem, const char *type,
                                 const char *name)
{
    if (pem == NULL)
        return "No PEM blob";
    pem = strstr(pem, "-----BEGIN ");
    if (pem == NULL)
        return "No PEM header";
    size_t type_len = strlen(type);
    if (strncmp(pem + 11, type, type_len) != 0)
        return "Wrong PEM type";
    pem = strchr(pem, '\n');
    if (pem == NULL)
        return "Incorrect PEM format";

    size_t start = *used + HEADER_SIZE, out = start;
    unsigned bits = 0, acc = 0;
    for (; *pem && out < NM_CERT_SECTOR_SIZE; pem++) {
        unsigned char c = (unsigned char)*pem;
        int v = base64_value(c);
        if (v >= 0) {
            acc = (acc << 6 | (unsigned)v) & 0xffffff;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                image[out++] = (unsigned char)(acc >> bits);
            }
        } else if (isspace(c)) {
            continue;
        } else if (c == '=') {
            bits = 0;
        } else if (c == '-') {
            break;
        } else {
            return "Invalid character in PEM";
        }
    }
    if (out >= NM_CERT_SECTOR_SIZE || strncmp(pem, "-----END ", 9) != 0 || strncmp(pem + 9, type, type_len) != 0 ||
        bits != 0)
        return "Invalid PEM format data";

    size_t len = out - start;
    memset(image + *used, 0, NAME_SIZE);
    memcpy(image + *used, name, strlen(name));
    image[*used + NAME_SIZE] = (unsigned char)(len & 0xff);
    image[*used + NAME_SIZE + 1] = (unsigned char)(len >> 8);
    *used = out;
    return NULL;
}

/* The embedded CA becomes the slot's first contents, as the firmware's build
 * pre-fills the sector (the record is named after the PEM type). */
static void load_embedded(unsigned char *image)
{
    size_t used = 0;
    if (nm_embedded_server_ca[0] == '\0')
        return;
    if (append_record(image, &used, nm_embedded_server_ca, "CERTIFICATE", "CERTIFICATE") != NULL)
        memset(image, 0xff, NM_CERT_SECTOR_SIZE);
}

static void load(nm_cert_slot slot)
{
    if (loaded[slot])
        return;
    loaded[slot] = true;
    nm_setup_done(NM_SETUP_CERT_SLOT);
    unsigned char *image = images[slot];
    memset(image, 0xff, NM_CERT_SECTOR_SIZE);
    char path[PATH_MAX];
    int fd = nm_home_path(slots[slot].file, path, sizeof path) == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
        if (slot == NM_CERT_CA)
            load_embedded(image);
        return;
    }
    ssize_t n = read(fd, image, NM_CERT_SECTOR_SIZE);
    close(fd);
    if (n != NM_CERT_SECTOR_SIZE) /* not a sector this host wrote: an erased one */
        memset(image, 0xff, NM_CERT_SECTOR_SIZE);
}

/* Replaces the file in one step, so that a crash leaves the old sector or the
 * new one, never half of each. */
static const char *persist(nm_cert_slot slot, const unsigned char *image)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (nm_home_path(slots[slot].file, path, sizeof path) != 0)
        return "Failed to erase sector";
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return "Failed to erase sector";
    bool ok = write(fd, image, NM_CERT_SECTOR_SIZE) == NM_CERT_SECTOR_SIZE;
    ok = fsync(fd) == 0 && ok;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return "Failed to write sector";
    }
    return NULL;
}

const char *nm_certstore_put(nm_cert_slot slot, const char *const *pems, int count)
{
    const slot_info *info = &slots[slot];
    unsigned char image[NM_CERT_SECTOR_SIZE];
    size_t used = 0;
    if (count > info->count)
        count = info->count;
    for (int i = 0; i < count; i++) {
        const char *err = append_record(image, &used, pems[i], info->types[i], info->names[i]);
        if (err)
            return err;
    }
    memset(image + used, 0xff, NM_CERT_SECTOR_SIZE - used);
    load(slot);
    if (memcmp(image, images[slot], NM_CERT_SECTOR_SIZE) == 0)
        return NULL;
    const char *err = persist(slot, image);
    if (err == NULL)
        memcpy(images[slot], image, NM_CERT_SECTOR_SIZE);
    return err;
}

bool nm_certstore_has(nm_cert_slot slot)
{
    load(slot);
    return images[slot][0] != 0x00 && images[slot][0] != 0xff;
}

bool nm_certstore_record(nm_cert_slot slot, int k, const unsigned char **der, size_t *len)
{
    load(slot);
    const unsigned char *image = images[slot];
    size_t at = 0;
    for (int i = 0;; i++) {
        if (at + HEADER_SIZE > NM_CERT_SECTOR_SIZE || image[at] == 0x00 || image[at] == 0xff)
            return false;
        size_t n = image[at + NAME_SIZE] | (size_t)image[at + NAME_SIZE + 1] << 8;
        if (at + HEADER_SIZE + n > NM_CERT_SECTOR_SIZE)
            return false;
        if (i == k) {
            *der = image + at + HEADER_SIZE;
            *len = n;
            return true;
        }
        at += HEADER_SIZE + n;
    }
}
