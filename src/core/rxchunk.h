/*
 * rxchunk.h — how received TCP bytes are cut into receive events.
 *
 * The host hands a read up whole (up to 64 KiB at once on loopback); the
 * ESP8266 hands up each TCP segment, at most 1460 bytes, and over a real
 * network a message can arrive in any pieces. A script that assumes one
 * receive per message works here and fails on the device. --rx-chunks=1460
 * cuts every read into pieces of at most that size, as the device does;
 * --rx-chunks=random[:SEED] into pieces of random sizes (reproducible with
 * the seed), to expose such scripts. Datagrams are never cut.
 */
#ifndef NETMCU_RXCHUNK_H
#define NETMCU_RXCHUNK_H

#include <stdbool.h>
#include <stddef.h>

/* "N" (1 to 65536), "random" or "random:SEED"; false for anything else. */
bool nm_rxchunk_set(const char *spec);
/* Sets the device's cut (1460) unless one was chosen already. */
void nm_rxchunk_default(size_t max);
/* The seed of random pieces (after nm_rxchunk_set), for the user to reproduce a run. */
unsigned long nm_rxchunk_seed(void);
bool nm_rxchunk_random(void);
/* The size of the next piece of `left` bytes still to deliver (left when not cutting). */
size_t nm_rxchunk_next(size_t left);

#endif
