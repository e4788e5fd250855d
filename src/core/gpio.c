/*
 * gpio.c — the pin model and its control noun (see gpio.h).
 */
#include "core/gpio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
#include "core/loop.h"
#include "core/timer.h"

typedef struct pin {
    nm_gpio_mode mode;
    bool pullup;
    bool driver_on; /* the script's output driver (OUTPUT, OPENDRAIN, or after a write) */
    int latch;      /* what the script last wrote */
    int outside;    /* what the control channel drives: 0, 1, or -1 for nothing */
    int level;      /* the computed level, kept to report changes */
} pin;

static pin pins[NM_GPIO_PINS];
static bool outside_set; /* pins[].outside initialised (to -1) */
static nm_gpio_listener listener;
static void *listener_data;
static bool tracing;
static bool bare_module; /* no dev kit around the module: nothing pulls the pins up */

/* The NodeMCU dev kit pulls three pins up: D0 (GPIO16) through its LED, D3
 * (GPIO0) through the FLASH button's resistor, D4 (GPIO2) through the
 * module's LED and pull-up. */
static bool board_pulls_up(int n)
{
    return !bare_module && (n == 0 || n == 3 || n == 4);
}

static const char *const MODE_NAMES[] = {"input", "output", "opendrain", "int"};

static int compute_level(const pin *p)
{
    int n = (int)(p - pins);
    if (p->driver_on && p->mode != NM_GPIO_OPENDRAIN)
        return p->latch; /* also an input written to: the ESP8266 then enables its driver */
    if (p->driver_on && p->latch == 0)
        return 0; /* open drain pulling low */
    if (p->outside >= 0)
        return p->outside;
    return p->pullup || board_pulls_up(n) ? 1 : 0;
}

/* "gpio: [seconds.micros] pin N WHAT (script|control)" on stderr. */
void nm_gpio_trace_event(int n, const char *what, nm_gpio_cause cause)
{
    if (!tracing)
        return;
    uint64_t us = nm_uptime_us();
    fprintf(stderr, "gpio: [%4llu.%06llu] pin %d %s (%s)\n", (unsigned long long)(us / 1000000),
            (unsigned long long)(us % 1000000), n, what, cause == NM_GPIO_BY_SCRIPT ? "script" : "control");
    fflush(stderr);
}

/* Recomputes a pin's level and reports a change. */
static void update(int n, nm_gpio_cause cause)
{
    pin *p = &pins[n];
    int level = compute_level(p);
    if (level == p->level)
        return;
    p->level = level;
    nm_gpio_trace_event(n, level ? "= 1" : "= 0", cause);
    if (listener)
        listener(n, level, listener_data);
}

void nm_gpio_listen(nm_gpio_listener fn, void *data)
{
    listener = fn;
    listener_data = data;
}

void nm_gpio_set_mode(int n, nm_gpio_mode mode, bool pullup)
{
    pin *p = &pins[n];
    p->mode = mode;
    p->pullup = pullup && n != 0;
    p->driver_on = mode == NM_GPIO_OUTPUT || mode == NM_GPIO_OPENDRAIN;
    if (tracing) {
        char what[32];
        snprintf(what, sizeof what, "mode %s%s", MODE_NAMES[mode], p->pullup ? " pullup" : "");
        nm_gpio_trace_event(n, what, NM_GPIO_BY_SCRIPT);
    }
    update(n, NM_GPIO_BY_SCRIPT);
}

nm_gpio_mode nm_gpio_get_mode(int n)
{
    return pins[n].mode;
}

void nm_gpio_write(int n, int level)
{
    pins[n].latch = level ? 1 : 0;
    pins[n].driver_on = true;
    update(n, NM_GPIO_BY_SCRIPT);
}

void nm_gpio_latch(int n, int level)
{
    pins[n].latch = level ? 1 : 0;
    update(n, NM_GPIO_BY_SCRIPT);
}

int nm_gpio_level(int n)
{
    return pins[n].level;
}

int nm_gpio_drive(int n, int level, char *err, size_t size)
{
    pin *p = &pins[n];
    if (level >= 0 && p->driver_on && p->mode != NM_GPIO_OPENDRAIN) {
        snprintf(err, size, "pin %d is an output the script drives", n);
        return UV_EBUSY;
    }
    p->outside = level;
    update(n, NM_GPIO_BY_CONTROL);
    return 0;
}

static uv_async_t holder; /* never sent: an active handle that keeps the loop running */
static bool holder_open;

static void holder_close(void)
{
    if (holder_open && !uv_is_closing((uv_handle_t *)&holder))
        uv_close((uv_handle_t *)&holder, NULL);
    holder_open = false;
}

void nm_gpio_hold_loop(bool on)
{
    on = on && nm_control_path() != NULL;
    if (on && !holder_open) {
        if (uv_async_init(nm_loop(), &holder, NULL) != 0)
            return;
        holder_open = true;
        nm_loop_at_shutdown(holder_close);
    }
    if (!holder_open)
        return;
    if (on)
        uv_ref((uv_handle_t *)&holder);
    else
        uv_unref((uv_handle_t *)&holder);
}

void nm_gpio_set_trace(bool on)
{
    tracing = on;
}

void nm_gpio_set_bare_module(bool on)
{
    bare_module = on;
}

/* ---- the control noun ---------------------------------------------------- */

static int parse_pin(const char *word, char *reply, size_t size)
{
    char *end;
    long n = strtol(word, &end, 10);
    if (*word == '\0' || *end != '\0' || word[0] == '-' || word[0] == '+') {
        snprintf(reply, size, "not a pin number: '%.16s'", word);
        return -1;
    }
    if (n >= NM_GPIO_PINS) {
        snprintf(reply, size, "no pin %.16s (pins are 0-%d)", word, NM_GPIO_PINS - 1);
        return -1;
    }
    return (int)n;
}

static int parse_level(const char *word, char *reply, size_t size)
{
    if (strcmp(word, "0") == 0 || strcmp(word, "low") == 0)
        return 0;
    if (strcmp(word, "1") == 0 || strcmp(word, "high") == 0)
        return 1;
    snprintf(reply, size, "not a level: '%.16s' (0, 1, low or high)", word);
    return -1;
}

static void describe_pin(int n, char *reply, size_t size)
{
    const pin *p = &pins[n];
    const char *mode = p->driver_on && p->mode == NM_GPIO_INPUT ? "output" : MODE_NAMES[p->mode];
    snprintf(reply, size, "%d %s%s%s", p->level, mode, p->pullup ? " pullup" : "", p->outside >= 0 ? " driven" : "");
}

static void describe_all(char *reply, size_t size)
{
    size_t used = 0;
    reply[0] = '\0';
    for (int n = 0; n < NM_GPIO_PINS && used < size; n++) {
        const pin *p = &pins[n];
        int w = snprintf(reply + used, size - used, "%s%d:%d:%s", n ? " " : "", n, p->level,
                         p->driver_on && p->mode == NM_GPIO_INPUT ? "output" : MODE_NAMES[p->mode]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int usage(char *reply, size_t size)
{
    snprintf(reply, size, "usage: gpio set PIN 0|1 | gpio release PIN | gpio get [PIN]");
    return UV_EINVAL;
}

static int control_gpio(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data;
    if (argc == 0 || (argc == 1 && strcmp(argv[0], "get") == 0)) {
        describe_all(reply, size);
        return 0;
    }
    const char *verb = argv[0];
    bool set = strcmp(verb, "set") == 0;
    if (!(set && argc == 3) && !((strcmp(verb, "get") == 0 || strcmp(verb, "release") == 0) && argc == 2))
        return usage(reply, size);
    int n = parse_pin(argv[1], reply, size);
    if (n < 0)
        return UV_EINVAL;
    if (verb[0] == 'g') {
        describe_pin(n, reply, size);
        return 0;
    }
    int level = set ? parse_level(argv[2], reply, size) : -1;
    if (set && level < 0)
        return UV_EINVAL;
    return nm_gpio_drive(n, level, reply, size);
}

void nm_gpio_init(void)
{
    if (!outside_set) {
        for (int n = 0; n < NM_GPIO_PINS; n++)
            pins[n].outside = -1;
        outside_set = true;
    }
    for (int n = 0; n < NM_GPIO_PINS; n++) {
        pin *p = &pins[n];
        p->mode = NM_GPIO_INPUT;
        p->pullup = false;
        p->driver_on = false;
        p->latch = 0;
        p->level = compute_level(p);
    }
    nm_control_register("gpio", control_gpio, NULL);
}
