/*
 * adc.c — the analog input and its control noun (see adc.h).
 */
#include "core/adc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/control.h"
#include "core/home.h"

#define MODE_FILE "adc-init-byte" /* byte 107 of the PHY init data, in decimal */

static int pin_value;
static int vdd_mv = 3300;
static bool measures_vdd;

int nm_adc_pin(void)
{
    return pin_value;
}

int nm_adc_vdd(void)
{
    return vdd_mv;
}

bool nm_adc_measures_vdd(void)
{
    return measures_vdd;
}

int nm_adc_stored_byte(void)
{
    char path[4096];
    int byte = 0;
    if (nm_home_find(MODE_FILE, path, sizeof path) != 0)
        return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%d", &byte) != 1 || byte < 0 || byte > 255)
        byte = 0;
    fclose(f);
    return byte;
}

int nm_adc_store_byte(int byte)
{
    char path[4096];
    int rc = nm_home_path(MODE_FILE, path, sizeof path);
    if (rc != 0)
        return rc;
    if (byte == 0) /* the factory value: nothing to keep */
        return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -errno;
    int ok = fprintf(f, "%d\n", byte & 0xff) > 0;
    return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* A whole number within 0..max, or -1 with the error text in reply. */
static int parse_value(const char *word, int max, const char *what, char *reply, size_t size)
{
    char *end;
    long v = strtol(word, &end, 10);
    if (*word < '0' || *word > '9' || *end != '\0' || v > max) {
        snprintf(reply, size, "not %s: '%.16s' (0-%d)", what, word, max);
        return -1;
    }
    return (int)v;
}

static int control_adc(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data;
    if (argc == 1 && strcmp(argv[0], "get") == 0) {
        snprintf(reply, size, "%d %d %s", pin_value, vdd_mv, measures_vdd ? "vdd33" : "adc");
        return 0;
    }
    if (argc == 2 && strcmp(argv[0], "set") == 0) {
        int v = parse_value(argv[1], NM_ADC_MAX, "a reading", reply, size);
        if (v < 0)
            return -1;
        pin_value = v;
        return 0;
    }
    if (argc == 2 && strcmp(argv[0], "vdd") == 0) {
        int v = parse_value(argv[1], NM_ADC_VDD_MAX, "a voltage in mV", reply, size);
        if (v < 0)
            return -1;
        vdd_mv = v;
        return 0;
    }
    snprintf(reply, size, "usage: adc set 0-%d | adc vdd MV | adc get", NM_ADC_MAX);
    return -1;
}

void nm_adc_init(void)
{
    measures_vdd = nm_adc_stored_byte() == 0xff;
    nm_control_register("adc", control_adc, NULL);
}
