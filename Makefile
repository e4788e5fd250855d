# netmcu — NodeMCU's net module on Linux.
#   make                 build/netmcu and build/net.so against Lua 5.1 (the device's Lua),
#                        and the Lua 5.3 runner build-5.3/netmcu that `netmcu --lua=5.3` runs
#   make LUA=5.3|5.4|luajit   the same in build-5.3/, build-5.4/, build-luajit/
#   make run             install what the build needs (tools/deps.sh build), build, run examples/demo.lua
#   make test            install that and the test peers (tools/deps.sh test; a peer that cannot
#                        be installed fails only its tests), build, run every test
#   make check           build, run every test (no package check)
#   make check-lua       build, run only the tests that depend on the Lua version
#   make prove           build, run every test and let prove(1) read each file's TAP
#   make format-check    the C files against .clang-format (make format rewrites them)
#   make sanitize        ASan+UBSan build in build-asan/, then the whole suite
#   make bench           benchmarks against plain C, Node.js and luv (not part of test)
#   make fuzz            seeded random API sequences against misbehaving peers, ASan+UBSan
#                        (FUZZ_SECONDS=60 by default; FUZZ_SEED, FUZZ_PROFILE to reproduce)
#   make soak            10,000 held connections and 1,000,000 keep-alive requests
#   make install, uninstall, deb: see mk/install.mk

DEFAULT_LUA := 5.1
LUA ?= $(DEFAULT_LUA)
ifeq ($(LUA),$(DEFAULT_LUA))
BUILD ?= build
else
BUILD ?= build-$(LUA)
endif

ifeq ($(LUA),luajit)
LUA_PC := luajit
LUA_BIN := luajit
else
LUA_PC := lua$(LUA)
LUA_BIN := lua$(LUA)
endif

CC ?= cc
# The C libraries: the loop, DNS, TLS, JSON and MQTT (the Lua library comes with LUA_PC).
SYS_PKGS := libuv libcares openssl yajl libmosquitto libmd
PKGS := $(LUA_PC) $(SYS_PKGS)
# The runner links neither OpenSSL nor libmosquitto: the code that calls them is
# in plugins it loads on first use (src/runtime/plugin.h).
RUNNER_PKGS := $(LUA_PC) libuv libcares yajl libmd
SSL_PLUGIN_PKGS := openssl
MQTT_PLUGIN_PKGS := libmosquitto openssl
# Goals that build nothing themselves may run before the libraries are installed.
NO_LIB_GOALS := deps deps-build deps-test clean run test sanitize fuzz soak bench format-check format print-%
ifneq ($(filter-out $(NO_LIB_GOALS),$(or $(MAKECMDGOALS),all)),)
MISSING_PKGS := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo yes),,$(p))))
ifneq ($(MISSING_PKGS),)
$(error pkg-config cannot find $(MISSING_PKGS) (LUA=$(LUA)); `make deps LUA=$(LUA)` installs the packages)
endif
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libhttp-parser (Debian's libhttp-parser-dev) has no pkg-config file.
HTTP_PARSER_LIBS := -lhttp_parser
PKG_SYS_LIBS = $(shell pkg-config --libs $(SYS_PKGS) 2>/dev/null) $(HTTP_PARSER_LIBS)
RUNNER_LIBS = $(shell pkg-config --libs $(RUNNER_PKGS) 2>/dev/null) $(HTTP_PARSER_LIBS)
READLINE_LIBS = $(shell pkg-config --libs readline 2>/dev/null || echo -lreadline)

# CFLAGS is the user's (optimisation, debugging: `make CFLAGS=-O0`); the
# project's own flags live in NM_CFLAGS, which a command-line CFLAGS cannot drop.
# STRICT_CFLAGS is for CI (-Werror -Wmissing-prototypes).
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
NM_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -fPIC -Isrc $(PKG_CFLAGS)
ALL_CFLAGS = $(NM_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) $(STRICT_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)

CORE_SRC := $(wildcard src/core/*.c)
# The runner (src/runner: the consoles, readline, the pty, the board's life cycle) is not part of net.so.
RUNNER_SRC := $(filter-out src/runner/line_editor.c,$(wildcard src/runner/*.c))
LUA_SRC := $(wildcard src/runtime/*.c src/modules/*.c src/modules/*/*.c)
# The CA certificate embedded at build time: server-ca.crt at the root of the
# tree, as in the firmware's build (an empty one when the file is absent).
CA_OBJ := $(BUILD)/obj/gen/server_ca.o
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CORE_SRC) $(LUA_SRC)) $(CA_OBJ)
MAIN_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(RUNNER_SRC))
# The plugins' code: in net.so, and for the runner in plugins/NAME.so beside it
# (the runner has forwarders in its place); plugin_linked.c is plugin.h for net.so.
SSL_PLUGIN_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,src/core/tls.c src/modules/crypto.c src/modules/encoder.c)
MQTT_PLUGIN_OBJ := $(BUILD)/obj/core/mqtt_client.o
LINKED_OBJ := $(BUILD)/obj/runtime/plugin_linked.o
RUNNER_LIB_OBJ := $(filter-out $(SSL_PLUGIN_OBJ) $(MQTT_PLUGIN_OBJ) $(LINKED_OBJ),$(LIB_OBJ))
PLUGINS := $(BUILD)/plugins/ssl.so $(BUILD)/plugins/mqtt.so $(BUILD)/plugins/readline.so
CORE_TESTS := $(patsubst tests/core/%.c,$(BUILD)/tests/%,$(wildcard tests/core/*.c))

.PHONY: all deps deps-build deps-test run test check check-lua prove format-check format sanitize asan fuzz soak bench clean lua53 FORCE
all: $(BUILD)/netmcu $(PLUGINS) $(BUILD)/net.so $(CORE_TESTS)

# The default build also makes the runner for firmware built with LUA=53,
# which `build/netmcu --lua=5.3` re-executes (and its net.so for lua5.3).
ifeq ($(BUILD),build)
all: lua53
endif
lua53:
	@$(MAKE) --no-print-directory LUA=5.3 BUILD=build-5.3 build-5.3/netmcu build-5.3/net.so

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/server_ca.c: FORCE
	@sh tools/embed-ca.sh server-ca.crt $@

$(CA_OBJ): $(BUILD)/gen/server_ca.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The runner exports its symbols (-E) for the plugins; it is built with its
# plugins, which -Bsymbolic keeps calling their own functions, not the
# runner's forwarders of the same names.
$(BUILD)/netmcu: $(MAIN_OBJ) $(RUNNER_LIB_OBJ) | $(PLUGINS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(RUNNER_LIBS) -lm -Wl,-E

$(BUILD)/plugins/ssl.so: $(SSL_PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(LDFLAGS) $(shell pkg-config --libs $(SSL_PLUGIN_PKGS))

$(BUILD)/plugins/mqtt.so: $(MQTT_PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(LDFLAGS) $(shell pkg-config --libs $(MQTT_PLUGIN_PKGS))

$(BUILD)/plugins/readline.so: $(BUILD)/obj/runner/line_editor.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(LDFLAGS) $(READLINE_LIBS)

# The module leaves the Lua symbols to the interpreter that loads it.
$(BUILD)/net.so: $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $^ $(LDFLAGS) $(PKG_SYS_LIBS)

$(BUILD)/tests/%: tests/core/%.c tests/core/harness.h $(filter $(BUILD)/obj/core/%,$(LIB_OBJ)) $(CA_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter-out %.h,$^) $(LDFLAGS) $(PKG_SYS_LIBS)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(BUILD)/obj/runner/line_editor.d

# The layers of set-up: run needs only the build's packages; the tests need
# their peers too, and NodeMCU-Tool from npm (when npm cannot get it, only
# tests/peers/serial_tool.sh fails, saying why).
deps-build:
	@LUA=$(LUA) sh tools/deps.sh build

deps-test:
	@LUA=$(LUA) sh tools/deps.sh test
	@sh tools/nodemcu-tool.sh >/dev/null 2>&1 || \
	  echo "deps: NodeMCU-Tool could not be installed from npm; tests/peers/serial_tool.sh will fail and say why" >&2

deps: deps-test

run: deps-build
	@$(MAKE) --no-print-directory all
	$(BUILD)/netmcu examples/demo.lua

test: deps-test
	@$(MAKE) --no-print-directory all
	NETMCU_BUILD=$(BUILD) LUA_BIN=$(LUA_BIN) tests/run-tests

check: all
	NETMCU_BUILD=$(BUILD) LUA_BIN=$(LUA_BIN) tests/run-tests

check-lua: all
	NETMCU_BUILD=$(BUILD) LUA_BIN=$(LUA_BIN) NETMCU_TEST_SET=lua tests/run-tests

# run-tests keeps each file's TAP; prove reads them all, whatever run-tests said.
prove: all
	rm -rf $(BUILD)/tap
	NETMCU_BUILD=$(BUILD) LUA_BIN=$(LUA_BIN) NETMCU_TAP_DIR=$(BUILD)/tap tests/run-tests; \
	  status=$$?; prove --exec cat $(BUILD)/tap/*.tap || status=1; exit $$status

# The C files against .clang-format: format-check lists what differs, format rewrites.
C_FILES = $(wildcard src/*/*.[ch] src/*/*/*.[ch] tests/core/*.[ch])
format-check:
	clang-format --dry-run -Werror $(C_FILES)

format:
	clang-format -i $(C_FILES)

print-%:
	@echo $($*)

# The ASan+UBSan build, shared by sanitize and fuzz.
asan:
	@$(MAKE) --no-print-directory all BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined"

sanitize: deps
	@$(MAKE) --no-print-directory asan
	NETMCU_BUILD=build-asan LUA_BIN=$(LUA_BIN) NETMCU_SANITIZED=1 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 tests/run-tests

fuzz: deps
	@$(MAKE) --no-print-directory asan
	NETMCU_BUILD=build-asan tests/fuzz/run

soak: deps
	@$(MAKE) --no-print-directory all
	NETMCU_BUILD=$(BUILD) bench/soak

bench: deps
	@$(MAKE) --no-print-directory all
	NETMCU_BUILD=$(BUILD) bench/run

clean:
	rm -rf build build-*

include mk/install.mk
