# keytime: `make` installs missing Debian packages, then builds keytime-run.
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CFLAGS  ?= -O2 -g -Wall -Wextra -Wno-unused-parameter
VERSION := 0.1.0
CPPFLAGS += -DKEYTIME_VERSION=\"$(VERSION)\"
LUA_CFLAGS = $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS   = $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
LIBS    = -lbpf -lelf -lz $(LUA_LIBS) -lm
B       := build

RUNTIME_SRC := $(wildcard runtime/*.c)
RUNTIME_OBJ := $(patsubst runtime/%.c,$(B)/%.o,$(RUNTIME_SRC))

.PHONY: all deps binaries test demo clean
# deps first, then a fresh make that sees what deps installed (pkg-config).
all: deps
	@$(MAKE) --no-print-directory binaries

binaries: keytime-run

deps:
	@bash tools/install-deps.sh

$(B):
	mkdir -p $(B)

$(B)/vmlinux.h: | $(B)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/keytime.bpf.o: bpf/keytime.bpf.c bpf/keytime.h $(B)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(B) -Ibpf -c $< -o $@

$(B)/keytime.skel.h: $(B)/keytime.bpf.o
	$(BPFTOOL) gen skeleton $< name keytime_bpf > $@.tmp && mv $@.tmp $@

$(B)/%.o: runtime/%.c $(wildcard runtime/*.h) bpf/keytime.h $(B)/keytime.skel.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LUA_CFLAGS) -I$(B) -Ibpf -Iruntime -c $< -o $@

keytime-run: $(RUNTIME_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

test:
	bash tests/run.sh

# The first command of the README: keytime.lua on the lifecycle workload
# (which ends with exit status 7 on purpose).
demo: all
	@$(MAKE) --no-print-directory $(TB)/lifecycle
	./keytime-run scripts/keytime.lua --follow -c '$(TB)/lifecycle /tmp/keytime-demo.manifest'; test $$? -eq 7

clean:
	rm -rf $(B) keytime-run tests/build

# ---- tests -----------------------------------------------------------------
TB := tests/build
# Every tests/workload/NAME.c becomes $(TB)/NAME; lifecycle also as a static binary.
WORKLOADS := $(patsubst tests/workload/%.c,$(TB)/%,$(wildcard tests/workload/*.c))
TEST_BINS := $(WORKLOADS) $(TB)/lifecycle-static $(TB)/unit_runtime
.PHONY: tests
tests: $(TEST_BINS)

$(TB):
	mkdir -p $(TB)

$(TB)/%: tests/workload/%.c | $(TB)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

$(TB)/lifecycle-static: tests/workload/lifecycle.c | $(TB)
	$(CC) -O2 -Wall -Wextra -static -pthread -o $@ $<

$(TB)/unit_runtime: tests/unit/test_runtime.c runtime/events.c runtime/ksyms.c runtime/options.c runtime/command.c | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $^ -lcmocka

# ---- benchmarks (not part of the test suite) ---------------------------------
.PHONY: bench
bench: all tests
	bash bench/run.sh
