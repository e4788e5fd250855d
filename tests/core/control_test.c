/*
 * control_test.c — the control channel's noun table and command parser:
 * registration rules, the words a handler receives, and the reply lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/control.h"

#include "harness.h"

static char seen[256];

/* "lamp on|off": records the words it got; anything else is an error. */
static int lamp(void *data, int argc, char **argv, char *reply, size_t size)
{
    seen[0] = '\0';
    for (int i = 0; i < argc; i++)
        snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "[%s]", argv[i]);
    if (argc == 1 && (strcmp(argv[0], "on") == 0 || strcmp(argv[0], "off") == 0)) {
        snprintf(reply, size, "%s %s", (const char *)data, argv[0]);
        return 0;
    }
    if (argc == 1 && strcmp(argv[0], "quiet") == 0)
        return 0;
    snprintf(reply, size, "usage: lamp on|off");
    return UV_EINVAL;
}

static int other(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data, (void)argc, (void)argv, (void)reply, (void)size;
    return 0;
}

static void expect_reply(const char *name, const char *line, int want_rc, const char *want)
{
    char reply[NM_CONTROL_LINE_MAX + 1], why[600];
    int rc = nm_control_execute(line, reply, sizeof reply);
    snprintf(why, sizeof why, "rc %d reply '%s', want rc %d reply '%s'", rc, reply, want_rc, want);
    report(name, rc == want_rc && strcmp(reply, want) == 0, why);
}

int main(void)
{
    report("register a noun", nm_control_register("lamp", lamp, "lamp1") == 0, "refused");
    report("the same handler again is accepted", nm_control_register("lamp", lamp, "lamp1") == 0, "refused");
    report("a taken noun is refused", nm_control_register("lamp", other, NULL) == -EEXIST, "accepted");
    report("help is reserved", nm_control_register("help", other, NULL) == -EINVAL, "accepted");
    report("nouns are lowercase words",
           nm_control_register("Lamp", other, NULL) == -EINVAL && nm_control_register("", other, NULL) == -EINVAL &&
               nm_control_register("a b", other, NULL) == -EINVAL &&
               nm_control_register("sixteen_chars_xx", other, NULL) == -EINVAL,
           "a bad noun was accepted");
    report("a handler is required", nm_control_register("x", NULL, NULL) == -EINVAL, "accepted");
    report("register a second noun", nm_control_register("gpio_2", other, NULL) == 0, "refused");

    expect_reply("help lists the nouns", "help", 0, "ok lamp gpio_2");
    expect_reply("ok with INFO", "lamp on", 0, "ok lamp1 on");
    report("the handler gets the words after the noun", strcmp(seen, "[on]") == 0, seen);
    expect_reply("ok without INFO", "lamp quiet", 0, "ok");
    expect_reply("spaces and tabs separate words", "  lamp \t off ", 0, "ok lamp1 off");
    expect_reply("the handler's error", "lamp dim", UV_EINVAL, "error usage: lamp on|off");
    expect_reply("no words after the noun", "lamp", UV_EINVAL, "error usage: lamp on|off");
    report("argc 0 reaches the handler", seen[0] == '\0', seen);
    expect_reply("unknown noun", "kettle on", UV_EINVAL, "error unknown command 'kettle' (help lists the commands)");
    expect_reply("empty line", "", UV_EINVAL, "error empty command");
    expect_reply("blank line", " \t ", UV_EINVAL, "error empty command");
    seen[0] = '\0';
    expect_reply("control characters", "lamp\x01 on", UV_EINVAL,
                 "error control characters or non-ASCII bytes in the command");
    expect_reply("non-ASCII bytes", "lamp \xc3\xa9", UV_EINVAL,
                 "error control characters or non-ASCII bytes in the command");
    /* A NUL ends no command: the bytes after it are part of the line, refused. */
    char reply[NM_CONTROL_LINE_MAX + 1];
    static const char nul_line[] = "lamp on\0junk\001\377";
    int rc = nm_control_execute_bytes(nul_line, sizeof nul_line - 1, reply, sizeof reply);
    report("a NUL byte and what follows are refused, not cut off",
           rc == UV_EINVAL && strcmp(reply, "error control characters or non-ASCII bytes in the command") == 0 &&
               strcmp(seen, "[on]") != 0,
           reply);
    rc = nm_control_execute_bytes("lamp on\0", 8, reply, sizeof reply);
    report("a trailing NUL byte is refused", rc == UV_EINVAL, reply);
    rc = nm_control_execute_bytes("lamp onXX", 7, reply, sizeof reply);
    report("only len bytes are read", rc == 0 && strcmp(reply, "ok lamp1 on") == 0, reply);
    expect_reply("too many words", "lamp a b c d e f g h", UV_EINVAL, "error too many words (at most 8)");
    expect_reply("help takes no arguments", "help me", UV_EINVAL, "error help takes no arguments");

    char longline[NM_CONTROL_LINE_MAX + 10];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    expect_reply("an over-long line", longline, UV_EINVAL, "error line too long (at most 255 bytes)");

    char small[8];
    nm_control_execute("lamp on", small, sizeof small);
    report("a small reply buffer is truncated, terminated", strcmp(small, "ok lamp") == 0, small);
    return failures != 0;
}
