/*
 * rxchunk.c — the cut of received bytes into receive events (rxchunk.h).
 */
#include "core/rxchunk.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static size_t max_piece; /* 0: deliver reads whole */
static bool random_pieces;
static unsigned long seed;
static unsigned short state[3]; /* nrand48's: reproducible from the seed */

static void seed_state(unsigned long s)
{
    seed = s;
    state[0] = (unsigned short)(s & 0xFFFF);
    state[1] = (unsigned short)((s >> 16) & 0xFFFF);
    state[2] = (unsigned short)(0x330E ^ ((s >> 32) & 0xFFFF));
}

bool nm_rxchunk_set(const char *spec)
{
    char *end;
    if (strncmp(spec, "random", 6) == 0 && (spec[6] == '\0' || spec[6] == ':')) {
        unsigned long s = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
        if (spec[6] == ':') {
            s = strtoul(spec + 7, &end, 10);
            if (spec[7] == '\0' || *end != '\0')
                return false;
        }
        seed_state(s);
        random_pieces = true;
        max_piece = 0;
        return true;
    }
    unsigned long n = strtoul(spec, &end, 10);
    if (*spec == '\0' || *end != '\0' || n < 1 || n > 65536)
        return false;
    max_piece = n;
    random_pieces = false;
    return true;
}

void nm_rxchunk_default(size_t max)
{
    if (max_piece == 0 && !random_pieces)
        max_piece = max;
}

unsigned long nm_rxchunk_seed(void)
{
    return seed;
}

bool nm_rxchunk_random(void)
{
    return random_pieces;
}

size_t nm_rxchunk_next(size_t left)
{
    if (random_pieces)
        return 1 + (size_t)nrand48(state) % left;
    return max_piece != 0 && left > max_piece ? max_piece : left;
}
