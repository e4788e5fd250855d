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
