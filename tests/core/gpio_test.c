/*
 * gpio_test.c — the pin model: the level each pin shows for its mode, latch,
 * pull-up and outside drive, the changes reported to the listener, and the
 * `gpio` control commands.
 */
#include <stdio.h>
#include <string.h>

#include "core/control.h"
#include "core/gpio.h"

#include "harness.h"

static char changes[256];

static void listener(int pin, int level, void *data)
{
    (void)data;
    snprintf(changes + strlen(changes), sizeof changes - strlen(changes), "%d=%d ", pin, level);
}

static const char *run(const char *line)
{
    static char reply[NM_CONTROL_LINE_MAX + 1];
    nm_control_execute(line, reply, sizeof reply);
    return reply;
}

static void levels_follow_mode_latch_pullup_and_drive(void)
{
    nm_gpio_set_mode(4, NM_GPIO_OUTPUT, false);
    nm_gpio_write(4, 1);
    int output = nm_gpio_level(4) == 1;
    nm_gpio_set_mode(2, NM_GPIO_INPUT, true);
    int pullup = nm_gpio_level(2) == 1;
    char err[64] = "";
    nm_gpio_drive(2, 0, err, sizeof err);
    int driven = nm_gpio_level(2) == 0;
    nm_gpio_drive(2, -1, err, sizeof err);
    int released = nm_gpio_level(2) == 1;
    int refused = nm_gpio_drive(4, 0, err, sizeof err) == UV_EBUSY && strstr(err, "output") != NULL;
    nm_gpio_set_bare_module(true);
    nm_gpio_set_mode(0, NM_GPIO_INPUT, true);
    int no_pullup_on_0 = nm_gpio_level(0) == 0;
    nm_gpio_set_bare_module(false);
    nm_gpio_set_mode(8, NM_GPIO_OPENDRAIN, true);
    nm_gpio_write(8, 1);
    nm_gpio_drive(8, 0, err, sizeof err);
    int wired_and = nm_gpio_level(8) == 0;
    nm_gpio_drive(8, -1, err, sizeof err);
    nm_gpio_set_mode(9, NM_GPIO_INPUT, false);
    nm_gpio_latch(9, 1);
    int latch_only = nm_gpio_level(9) == 0;
    nm_gpio_set_mode(9, NM_GPIO_OUTPUT, false);
    int latch_then_output = nm_gpio_level(9) == 1;
    report("levels_follow_mode_latch_pullup_and_drive",
           output && pullup && driven && released && refused && no_pullup_on_0 && wired_and && latch_only &&
               latch_then_output,
           "a level is wrong");
}

static void changes_reach_the_listener_once(void)
{
    changes[0] = '\0';
    nm_gpio_set_mode(5, NM_GPIO_INT, false);
    run("gpio set 5 1");
    run("gpio set 5 high"); /* no change, no report */
    run("gpio release 5");
    nm_gpio_set_mode(6, NM_GPIO_OUTPUT, false);
    nm_gpio_write(6, 0);
    nm_gpio_write(6, 1);
    report("changes_reach_the_listener_once", strcmp(changes, "5=1 5=0 6=1 ") == 0, changes);
}

static void control_replies(void)
{
    nm_gpio_init();
    nm_gpio_set_mode(3, NM_GPIO_INT, true);
    struct {
        const char *line, *want;
    } cases[] = {
        {"gpio get 3", "ok 1 int pullup"},
        {"gpio set 3 0", "ok"},
        {"gpio get 3", "ok 0 int pullup driven"},
        {"gpio set 12 1", "ok"},
        {"gpio set 13 1", "error no pin 13 (pins are 0-12)"},
        {"gpio set 3 on", "error not a level: 'on' (0, 1, low or high)"},
        {"gpio set +3 1", "error not a pin number: '+3'"},
        {"gpio release", "error usage: gpio set PIN 0|1 | gpio release PIN | gpio get [PIN]"},
        {"gpio get 3 4", "error usage: gpio set PIN 0|1 | gpio release PIN | gpio get [PIN]"},
    };
    char why[768] = "";
    int good = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = run(cases[i].line);
        if (strcmp(got, cases[i].want) != 0) {
            snprintf(why, sizeof why, "'%s' -> '%s', want '%s'", cases[i].line, got, cases[i].want);
            good = 0;
            break;
        }
    }
    const char *all = run("gpio get");
    if (good && strncmp(all, "ok 0:1:input 1:0:input 2:0:input 3:0:int ", 41) != 0) {
        snprintf(why, sizeof why, "gpio get -> '%s'", all);
        good = 0;
    }
    report("control_replies", good, why);
}

/* Undriven inputs of the NodeMCU dev kit: D0, D3 and D4 read 1 (LED, FLASH
 * button, pull-up); a bare module's read 0; a pin the script drives wins. */
static void devkit_pulls_d0_d3_d4_up(void)
{
    char err[64];
    for (int n = 0; n < NM_GPIO_PINS; n++)
        nm_gpio_drive(n, -1, err, sizeof err);
    nm_gpio_init();
    int devkit = nm_gpio_level(0) == 1 && nm_gpio_level(3) == 1 && nm_gpio_level(4) == 1 && nm_gpio_level(1) == 0 &&
                 nm_gpio_level(5) == 0 && nm_gpio_level(8) == 0;
    nm_gpio_set_mode(4, NM_GPIO_OUTPUT, false);
    nm_gpio_write(4, 0);
    int driven_low = nm_gpio_level(4) == 0;
    nm_gpio_drive(3, 0, err, sizeof err);
    int button = nm_gpio_level(3) == 0;
    nm_gpio_drive(3, -1, err, sizeof err);
    nm_gpio_set_bare_module(true);
    nm_gpio_init();
    int bare = nm_gpio_level(0) == 0 && nm_gpio_level(3) == 0 && nm_gpio_level(4) == 0;
    nm_gpio_set_bare_module(false);
    nm_gpio_init();
    report("devkit_pulls_d0_d3_d4_up", devkit && driven_low && button && bare, "a default level is wrong");
}

static void init_keeps_what_the_outside_drives(void)
{
    nm_gpio_init(); /* pin 3 stays driven low, pin 12 high */
    nm_gpio_set_mode(3, NM_GPIO_INPUT, true);
    report("init_keeps_what_the_outside_drives", nm_gpio_level(3) == 0 && nm_gpio_level(12) == 1,
           "a reboot released a held button");
}

int main(void)
{
    nm_gpio_init();
    nm_gpio_listen(listener, NULL);
    levels_follow_mode_latch_pullup_and_drive();
    changes_reach_the_listener_once();
    control_replies();
    init_keeps_what_the_outside_drives();
    devkit_pulls_d0_d3_d4_up();
    return failures ? 1 : 0;
}
