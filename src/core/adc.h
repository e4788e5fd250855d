/*
 * adc.h — the board's analog input: the TOUT pin (A0) and the supply voltage.
 *
 * The ESP8266 has one ADC that reads either the TOUT pin or the chip's own
 * supply, chosen by byte 107 of the PHY init data in flash and taking effect
 * at the next power-on (adc.force_init_mode). What the pin sees and what the
 * supply is come from outside, through the control channel's `adc` noun
 * (registered by nm_adc_init):
 *
 *   adc set VALUE     the pin's reading, 0-1024 (a dev kit's A0 divider
 *                     maps 0-3.3 V onto it); 0 until set, the divider to
 *                     ground of an open input
 *   adc vdd MV        the supply voltage in millivolts, 0-3600 (3300 until set)
 *   adc get           "ok VALUE MV MODE", MODE "adc" or "vdd33"
 *
 * Both readings stay as set across reboots, as the wiring does.
 */
#ifndef NETMCU_ADC_H
#define NETMCU_ADC_H

#include <stdbool.h>

#define NM_ADC_MAX 1024
#define NM_ADC_VDD_MAX 3600

/* Registers the control noun (again harmlessly) and reads the mode stored in
 * the flash for this power-on. */
void nm_adc_init(void);
/* The pin's reading and the supply, in millivolts. */
int nm_adc_pin(void);
int nm_adc_vdd(void);
/* Whether this power-on measures the supply (else the pin). */
bool nm_adc_measures_vdd(void);
/* Byte 107 of the PHY init data the flash holds for the next power-on
 * (0xff: the supply; anything else: the pin); storing it returns 0 or a
 * negative errno. */
int nm_adc_stored_byte(void);
int nm_adc_store_byte(int byte);

#endif
