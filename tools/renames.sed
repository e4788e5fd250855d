# tools/renames.sed — the identifier renames of issue 24, for code written
# against the old names: sed -i -f tools/renames.sed FILE...
# Core and runtime keep the nm_ prefix with verb-noun names; a binding's own
# exports take the module's name.
s/\bnm_node_restart_status\b/nm_restart_status/g
s/\bnm_node_restart\b/nm_request_restart/g
s/\bnm_node_set_rebooting\b/nm_set_rebooting/g
s/\bnm_node_clear_restart\b/nm_clear_restart/g
s/\bnm_dns_lookup_start\b/nm_dns_resolve/g
s/\bnm_addr_push_ip\b/net_push_ip/g
s/\bnm_addr_push_peer\b/net_push_peer/g
s/\bnm_err_push_tls_reason\b/net_push_tls_reason/g
s/\bnm_err_raise_bind\b/net_raise_bind_error/g
s/\bnm_file_check_name\b/file_check_name/g
s/\bnm_gpio_pulse_open\b/gpio_pulse_open/g
s/\bnm_gpio_pulse_close\b/gpio_pulse_close/g
s/\bnm_node_post_task\b/node_post_task/g
s/\bnm_pipe_push_new\b/pipe_push_new/g
s/\bnm_pipe_write\b/pipe_append/g
# The simulated radio moved into core (core/radio.h) and takes core's prefix.
s/\bradio_event\b/nm_radio_event/g
s/\bradio_has_station\b/nm_radio_has_station/g
s/\bradio_store_save\b/nm_radio_save_settings/g
s/\bradio_has_ap\b/nm_radio_has_ap/g
s/\bradio_link\b/nm_radio_link/g
s/\bradio_disconnect\b/nm_radio_disconnect/g
s/\bradio_connect\b/nm_radio_connect/g
s/\bradio_rssi\b/nm_radio_rssi/g
s/\bradio_ap_channel\b/nm_radio_ap_channel/g
s/\bradio_state\b/nm_radio_state/g
s/\bradio_sta_ip\b/nm_radio_sta_ip/g
s/\bradio_setmode\b/nm_radio_set_mode/g
s/\bradio_set_start_link\b/nm_radio_set_start_link/g
s/\bradio_set_address\b/nm_radio_set_address/g
s/\bradio_ap_bssid\b/nm_radio_ap_bssid/g
s/\bradio_store_mark_clean\b/nm_radio_mark_settings_clean/g
s/\bradio_store_load\b/nm_radio_load_settings/g
s/\bradio_sta_setip\b/nm_radio_set_sta_ip/g
s/\bradio_sta_config\b/nm_radio_config_sta/g
s/\bradio_sta_clear\b/nm_radio_clear_sta/g
s/\bradio_set_sink\b/nm_radio_set_sink/g
s/\bradio_set_autoconnect\b/nm_radio_set_autoconnect/g
s/\bradio_save_ap\b/nm_radio_config_ap/g
s/\bradio_power_on\b/nm_radio_power_on/g
s/\bradio_channel\b/nm_radio_channel/g
s/\bradio\.\([a-z_]\)/nm_radio.\1/g
s/\bnm_radio\.\([ch]\)\b/radio.\1/g
# Headers that moved (the runner's into src/runner, the Lua-free ones into
# core); netaddr.h's Lua half is now modules/net/netvalue.h. A file that
# calls nm_request_restart & co. needs "runtime/restart.h" (the compiler says so).
s|"runtime/console\.h"|"runner/console.h"|g
s|"runtime/boot\.h"|"runner/boot.h"|g
s|"runtime/serial\.h"|"runner/serial.h"|g
s|"modules/wifi/radio\.h"|"core/radio.h"|g
s|^#include "modules/net/netaddr\.h"$|#include "core/netaddr.h"\n#include "modules/net/netvalue.h"|
s/\bradio_set_watch\b/nm_radio_set_watch/g
s/\bradio_watch_changed\b/nm_radio_watch_changed/g
