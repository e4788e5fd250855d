/*
 * home_test.c — the state directory: where it is, and that it is created
 * owner-only on first use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    report("NETMCU_HOME names the directory", rc == 0 && strncmp(path, want, strlen(want)) == 0 &&
                                                   strcmp(path + strlen(want), "/ca.pem") == 0,
           path);
    report("created owner-only on first use",
           stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
           "missing or wrong mode");

    unsetenv("NETMCU_HOME");
    snprintf(want, sizeof want, "%s/xdg", tmpl);
    setenv("XDG_DATA_HOME", want, 1);
    rc = nm_home_path("x", path, sizeof path);
    snprintf(want, sizeof want, "%s/xdg/netmcu/x", tmpl);
    report("XDG_DATA_HOME/netmcu without NETMCU_HOME", rc == 0 && strcmp(path, want) == 0, path);

    rc = nm_home_path("x", path, 8);
    report("too small a buffer is an error", rc == -ENAMETOOLONG, "no error");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        failures++;
    return failures != 0;
}
