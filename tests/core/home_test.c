/*
 * home_test.c — the state directory: where it is (one per flash folder unless
 * NETMCU_HOME names it), and that it is created owner-only on first use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/flash.h"
#include "core/home.h"

#include "harness.h"

int main(void)
{
    char tmpl[] = "/tmp/nmhomeXXXXXX", want[512], path[512];
    struct stat st;
    if (!mkdtemp(tmpl))
        return 1;

    snprintf(want, sizeof want, "%s/deep/home", tmpl);
    setenv("NETMCU_HOME", want, 1);
    int rc = nm_home_path("ca.pem", path, sizeof path);
    report("NETMCU_HOME names the directory",
           rc == 0 && strncmp(path, want, strlen(want)) == 0 && strcmp(path + strlen(want), "/ca.pem") == 0, path);
    report("created owner-only on first use",
           stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "missing or wrong mode");

    /* Without NETMCU_HOME: one directory per flash folder, named for it. */
    unsetenv("NETMCU_HOME");
    snprintf(want, sizeof want, "%s/xdg", tmpl);
    setenv("XDG_DATA_HOME", want, 1);
    char flash_a[300], flash_b[300], again[300], path_a[512], path_b[512];
    snprintf(flash_a, sizeof flash_a, "%s/proj a", tmpl);
    snprintf(flash_b, sizeof flash_b, "%s/projb", tmpl);
    nm_flash_configure(flash_a, 0);
    rc = nm_home_path("x", path_a, sizeof path_a);
    snprintf(want, sizeof want, "%s/xdg/netmcu/boards/proj_a-", tmpl);
    size_t hex = strspn(path_a + strlen(want), "0123456789abcdef");
    report("XDG_DATA_HOME/netmcu/boards/NAME-HASH without NETMCU_HOME",
           rc == 0 && strncmp(path_a, want, strlen(want)) == 0 && hex == 16 &&
               strcmp(path_a + strlen(want) + hex, "/x") == 0,
           path_a);
    nm_flash_configure(flash_b, 0);
    nm_home_path("x", path_b, sizeof path_b);
    report("another flash folder has another state directory", strcmp(path_a, path_b) != 0, path_b);
    snprintf(again, sizeof again, "%s/projb/../proj a/.", tmpl);
    nm_flash_configure(again, 0);
    nm_home_path("x", path, sizeof path);
    report("the same folder by another path has the same one", strcmp(path, path_a) == 0, path);
    setenv("NETMCU_HOME", flash_b, 1);
    nm_home_find("x", path, sizeof path);
    snprintf(want, sizeof want, "%s/x", flash_b);
    report("NETMCU_HOME still overrides", strcmp(path, want) == 0, path);
    unsetenv("NETMCU_HOME");

    rc = nm_home_path("x", path, 8);
    report("too small a buffer is an error", rc == -ENAMETOOLONG, "no error");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        failures++;
    return failures != 0;
}
