# mk/install.mk — installing netmcu (included by the Makefile).
#   make install         the runner(s), net.so for each Lua, the man page and the LuaLS
#                        LuaLS type definitions under PREFIX (default /usr/local), staged under DESTDIR
#   make uninstall       removes exactly what install put there
#   make deb             the Debian packages netmcu and lua-netmcu in build/deb/ (lintian-checked)
#   make print-version   the version, whose one definition is NETMCU_VERSION in src/runtime/modules.h
#
# INSTALL_RUNNER_LUAS: the Luas whose runner is installed; the first is `netmcu`, the
# others `netmcu-5.3`, … beside it, where `netmcu --lua=5.3` finds them (default: the
# build's Lua, and 5.3 for the default build).
# INSTALL_MODULE_LUAS: the Luas whose net.so is installed into that Lua's C module
# folder (Debian's multiarch folder under PREFIX=/usr, else PREFIX/lib/lua/5.x).
# A Lua's build folder is that of `make LUA=…`: $(BUILD) for this run's Lua, build/ for the
# default Lua, else build-5.x.

VERSION := $(shell sed -n 's/^\#define NETMCU_VERSION "\(.*\)"$$/\1/p' src/runtime/modules.h)
PREFIX ?= /usr/local
DESTDIR ?=
# The default build (build/) also makes the Lua 5.3 runner that `--lua=5.3` runs.
INSTALL_RUNNER_LUAS ?= $(LUA)$(if $(and $(filter build,$(BUILD)),$(filter-out 5.3,$(LUA))), 5.3)
INSTALL_MODULE_LUAS ?= $(INSTALL_RUNNER_LUAS)

# The Lua that `make` alone builds into build/ (the Makefile's DEFAULT_LUA where it has one).
NM_DEFAULT_LUA := $(or $(DEFAULT_LUA),5.3)
nm_build_dir = $(if $(filter $(1),$(LUA)),$(BUILD),$(if $(filter $(1),$(NM_DEFAULT_LUA)),build,build-$(1)))

.PHONY: install uninstall install-build deb print-version
print-version:
	@echo $(VERSION)

# Builds every Lua's runner and module that install takes.
install-build:
	$(foreach l,$(sort $(INSTALL_RUNNER_LUAS) $(INSTALL_MODULE_LUAS)),\
	  $(MAKE) --no-print-directory LUA=$(l) BUILD=$(call nm_build_dir,$(l)) \
	    $(call nm_build_dir,$(l))/netmcu $(call nm_build_dir,$(l))/net.so &&) true

install: install-build
	@PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' sh tools/install.sh install \
	  '$(foreach l,$(INSTALL_RUNNER_LUAS),$(l):$(call nm_build_dir,$(l)))' \
	  '$(foreach l,$(INSTALL_MODULE_LUAS),$(l):$(call nm_build_dir,$(l)))'

uninstall:
	@PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' sh tools/install.sh uninstall \
	  '$(foreach l,$(INSTALL_RUNNER_LUAS),$(l):-)' '$(foreach l,$(INSTALL_MODULE_LUAS),$(l):-)'

# The packages are built from a copy of the tree (tracked and new files, not the
# build folders) in build/deb/, so `debian/rules clean` never touches the
# developer's builds; the .deb files land in build/deb/.
deb:
	rm -rf build/deb && mkdir -p build/deb/netmcu-$(VERSION)
	git ls-files -co --exclude-standard -z | xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh \
	  | tar --null -T - -cf - | tar xf - -C build/deb/netmcu-$(VERSION)
	cd build/deb/netmcu-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error build/deb/netmcu_$(VERSION)_*.changes

# LuaRocks' make backend (rockspecs/): `luarocks make` runs `make rock` and
# `make rock-install` with the interpreter it runs for (ROCK_LUA_INTERP) and the
# rock's C and Lua module folders (ROCK_LIBDIR, ROCK_LUADIR); the module is that Lua's build
# of net.so, with netmcu.test beside it.
ROCK_LUA = $(shell $(ROCK_LUA_INTERP) -e 'io.write((_VERSION:gsub("^Lua ", "")))')
.PHONY: rock rock-install
rock:
	@test -n '$(ROCK_LUA)' || { echo 'rock: ROCK_LUA_INTERP must name a Lua interpreter' >&2; exit 2; }
	$(MAKE) --no-print-directory LUA=$(ROCK_LUA) BUILD=$(call nm_build_dir,$(ROCK_LUA)) \
	  $(call nm_build_dir,$(ROCK_LUA))/net.so

rock-install:
	install -D -m 0644 $(call nm_build_dir,$(ROCK_LUA))/net.so $(ROCK_LIBDIR)/net.so
	install -D -m 0644 lua/netmcu/test.lua $(ROCK_LUADIR)/netmcu/test.lua

# The packages, then the test that unpacks and runs them (not part of make test: slow).
.PHONY: deb-check
deb-check: deb
	bash tests/deb/deb.sh
