/*
 * pwm.c — the PWM model and its control noun (see pwm.h).
 */
#include "core/pwm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
#include "core/gpio.h"

typedef struct channel {
    bool used;
    bool running;
    unsigned duty; /* what start() applies */
} channel;

static channel channels[NM_PWM_PINS];
static unsigned frequency = 500; /* the driver's initial clock */

/* The driver keeps the frequency within 1..1000 Hz, from a 16-bit value. */
static unsigned clamp_frequency(unsigned freq)
{
    freq &= 0xFFFFu;
    return freq < 1 ? 1 : freq > NM_PWM_FREQ_MAX ? NM_PWM_FREQ_MAX : freq;
}

static void trace(int pin)
{
    char what[64];
    const channel *c = &channels[pin];
    if (c->used)
        snprintf(what, sizeof what, "pwm %u Hz duty %u %s", frequency, c->duty, c->running ? "on" : "off");
    else
        snprintf(what, sizeof what, "pwm closed");
    nm_gpio_trace_event(pin, what, NM_GPIO_BY_SCRIPT);
}

static int channels_used(void)
{
    int n = 0;
    for (int pin = 1; pin < NM_PWM_PINS; pin++)
        n += channels[pin].used;
    return n;
}

unsigned nm_pwm_setup(int pin, unsigned freq, unsigned duty)
{
    channel *c = &channels[pin];
    if (!c->used && channels_used() == NM_PWM_CHANNELS)
        return 0;
    nm_gpio_set_mode(pin, NM_GPIO_OUTPUT, false);
    c->used = true;
    c->running = false;
    c->duty = duty;
    frequency = clamp_frequency(freq);
    trace(pin);
    return frequency;
}

void nm_pwm_close(int pin)
{
    if (!channels[pin].used)
        return;
    channels[pin] = (channel){0};
    trace(pin);
}

bool nm_pwm_start(int pin)
{
    if (!channels[pin].used)
        return false;
    channels[pin].running = true;
    trace(pin);
    return true;
}

void nm_pwm_stop(int pin)
{
    if (!channels[pin].used)
        return;
    channels[pin].running = false;
    trace(pin);
}

unsigned nm_pwm_set_clock(int pin, unsigned freq)
{
    if (!channels[pin].used)
        return 0;
    frequency = clamp_frequency(freq);
    for (int n = 1; n < NM_PWM_PINS; n++)
        if (channels[n].used)
            trace(n);
    return frequency;
}

/* Setting the duty also (re)starts the output, as the driver's pwm_start does. */
unsigned nm_pwm_set_duty(int pin, unsigned duty)
{
    if (!channels[pin].used)
        return 0;
    channels[pin].duty = duty;
    channels[pin].running = true;
    trace(pin);
    return duty;
}

unsigned nm_pwm_clock(int pin)
{
    return channels[pin].used ? frequency : 0;
}

unsigned nm_pwm_duty(int pin)
{
    return channels[pin].used ? channels[pin].duty : 0;
}

/* ---- the control noun ---------------------------------------------------- */

static void describe_all(char *reply, size_t size)
{
    size_t used = 0;
    reply[0] = '\0';
    for (int pin = 1; pin < NM_PWM_PINS && used < size; pin++) {
        const channel *c = &channels[pin];
        if (!c->used)
            continue;
        int w = snprintf(reply + used, size - used, "%s%d:%u:%u:%s", used ? " " : "", pin, frequency, c->duty,
                         c->running ? "on" : "off");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int control_pwm(void *data, int argc, char **argv, char *reply, size_t size)
{
    (void)data;
    if (argc == 1 && strcmp(argv[0], "get") == 0) {
        describe_all(reply, size);
        return 0;
    }
    if (argc != 2 || strcmp(argv[0], "get") != 0) {
        snprintf(reply, size, "usage: pwm get [PIN]");
        return -1;
    }
    char *end;
    long pin = strtol(argv[1], &end, 10);
    if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || pin < 1 || pin >= NM_PWM_PINS) {
        snprintf(reply, size, "no pwm pin '%.16s' (pins are 1-%d)", argv[1], NM_PWM_PINS - 1);
        return -1;
    }
    const channel *c = &channels[pin];
    if (c->used)
        snprintf(reply, size, "%u %u %s", frequency, c->duty, c->running ? "on" : "off");
    else
        snprintf(reply, size, "none");
    return 0;
}

void nm_pwm_init(void)
{
    memset(channels, 0, sizeof channels);
    frequency = 500;
    nm_control_register("pwm", control_pwm, NULL);
}
