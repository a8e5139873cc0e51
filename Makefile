# SPDX-License-Identifier: GPL-2.0-or-later
# keytime: `make` builds keytime-run and keytime-ctl, and installs nothing;
# `make deps` (as root) installs the missing Debian packages, which `make test`
# and `make demo` do first.
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CFLAGS  ?= -O2 -g -Wall -Wextra -Wno-unused-parameter
# The version lives in one place: the first line of debian/changelog.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
CPPFLAGS += -DKEYTIME_VERSION=\"$(VERSION)\"
LUA_CFLAGS = $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS   = $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
LIBS    = -lbpf -ldw -lelf -lz $(LUA_LIBS) -lm -lreadline -lmicrohttpd -lpthread -lzstd
B       := build
# Each object's header dependencies, written by the compiler beside it.
DEPFLAGS = -MMD -MP
# Where `make install` puts things; DATADIR is also built into keytime-run.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/keytime
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR  ?= $(PREFIX)/share/doc/keytime

RUNTIME_SRC := $(wildcard runtime/*.c)
RUNTIME_OBJ := $(patsubst runtime/%.c,$(B)/%.o,$(RUNTIME_SRC))
# The REPL (-i), objects named repl_*.o beside the runtime's.
REPL_SRC := $(wildcard repl/*.c)
REPL_OBJ := $(patsubst repl/%.c,$(B)/repl_%.o,$(REPL_SRC))

.PHONY: all deps binaries test demo clean
# Only builds (a packager's make runs no apt-get); a failed build names the fix.
all:
	@$(MAKE) --no-print-directory binaries || \
	    { echo "keytime: build failed; if a tool or library is missing, run 'make deps' as root" >&2; exit 1; }

binaries: keytime-run keytime-ctl

deps:
	@bash tools/install-deps.sh

$(B):
	mkdir -p $(B)

# The BPF object is built for the machine's architecture (BPF_ARCH=arm64 to
# build another's: make bpf-object). bpf/kernel_types.h holds the kernel
# types the probes read, relocated at load time (CO-RE): the build reads no
# kernel's BTF.
BPF_ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' -e 's/aarch64/arm64/' \
                -e 's/armv.*/arm/' -e 's/ppc64.*/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/' \
                -e 's/loongarch64/loongarch/' -e 's/mips.*/mips/' -e 's/sparc64/sparc/')
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Ibpf \
             -I/usr/include/$(shell uname -m)-linux-gnu

$(B)/keytime.bpf.o: bpf/keytime.bpf.c bpf/keytime.h bpf/runq_hist_map.h bpf/offwake_map.h bpf/kernel_types.h | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The probes for another architecture, alone: make bpf-object BPF_ARCH=arm64
.PHONY: bpf-object
bpf-object: bpf/keytime.bpf.c bpf/keytime.h bpf/kernel_types.h
	mkdir -p $(B)/$(BPF_ARCH)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $(B)/$(BPF_ARCH)/keytime.bpf.o

$(B)/keytime.skel.h: $(B)/keytime.bpf.o
	$(BPFTOOL) gen skeleton $< name keytime_bpf > $@.tmp && mv $@.tmp $@

# The same probes with their task pointers cast read-only (task_walk() in
# bpf/keytime.bpf.c), for kernels that have bpf_rdonly_cast: runtime/probes.c
# opens keytime.skel.h's skeleton on these bytes, so the two objects must
# have the same maps, programs and globals: their skeletons, made under one
# name, must be the same but for the bytes.
$(B)/keytime_cast.bpf.o: bpf/keytime.bpf.c bpf/keytime.h bpf/runq_hist_map.h bpf/offwake_map.h bpf/kernel_types.h | $(B)
	$(CLANG) $(BPF_CFLAGS) -DKT_RDONLY_CAST -c $< -o $@

SKEL_BUT_BYTES = sed '/__elf_bytes(size_t \*sz)$$/,/^}$$/d'
$(B)/keytime_cast.skel.h: $(B)/keytime_cast.bpf.o $(B)/keytime.skel.h
	$(BPFTOOL) gen skeleton $< name keytime_bpf | $(SKEL_BUT_BYTES) > $@.same
	$(SKEL_BUT_BYTES) $(B)/keytime.skel.h | cmp -s - $@.same || \
		{ echo "keytime_cast.bpf.o and keytime.bpf.o differ in maps, programs or globals"; exit 1; }
	rm -f $@.same
	$(BPFTOOL) gen skeleton $< name keytime_cast_bpf > $@.tmp && mv $@.tmp $@

# The skeletons first: a first build has no dependency files yet.
$(B)/%.o: runtime/%.c | $(B)/keytime.skel.h $(B)/keytime_cast.skel.h
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(LUA_CFLAGS) -I$(B) -Ibpf -Iruntime -Irepl -c $< -o $@

$(B)/repl_%.o: repl/%.c | $(B)/keytime.skel.h $(B)/keytime_cast.skel.h
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(LUA_CFLAGS) -I$(B) -Ibpf -Iruntime -Irepl -c $< -o $@

-include $(wildcard $(B)/*.d)

keytime-run: $(RUNTIME_OBJ) $(REPL_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# deps first; tests/run.sh then builds with a fresh make that sees what deps
# installed (pkg-config).
test: deps
	bash tests/run.sh

# The first command of the README: keytime.lua on the lifecycle workload
# (which ends with exit status 7 on purpose).
demo: deps
	@$(MAKE) --no-print-directory all $(TB)/lifecycle
	./keytime-run scripts/keytime.lua --follow -c '$(TB)/lifecycle /tmp/keytime-demo.manifest'; test $$? -eq 7

clean:
	rm -rf $(B) keytime-run keytime-ctl tests/build

# ---- tests -----------------------------------------------------------------
TB := tests/build
# Every tests/workload/NAME.c becomes $(TB)/NAME; lifecycle also as a static binary.
WORKLOADS := $(patsubst tests/workload/%.c,$(TB)/%,$(wildcard tests/workload/*.c))
TEST_BINS := $(WORKLOADS) $(TB)/lifecycle-static $(TB)/unit_runtime $(TB)/unit_script_path $(TB)/unit_probe_loading $(TB)/unit_trust $(TB)/unit_metrics $(TB)/unit_event_json $(TB)/unit_cgroups
.PHONY: tests
tests: $(TEST_BINS)

$(TB):
	mkdir -p $(TB)

$(TB)/%: tests/workload/%.c tests/workload/die.h | $(TB)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

# ustack_work: frame pointers, and its own functions whole (ustacks.sh);
# the library it loads with dlopen, likewise
$(TB)/ustack_work: tests/workload/ustack_work.c tests/workload/die.h | $(TB)
	$(CC) -O1 -fno-omit-frame-pointer -Wall -Wextra -o $@ $<
TEST_BINS += $(TB)/libustack_lib.so
tests: $(TB)/libustack_lib.so
$(TB)/libustack_lib.so: tests/workload/lib/ustack_lib.c | $(TB)
	$(CC) -O1 -fno-omit-frame-pointer -Wall -Wextra -shared -fPIC -o $@ $<

$(TB)/lifecycle-static: tests/workload/lifecycle.c tests/workload/die.h | $(TB)
	$(CC) -O2 -Wall -Wextra -static -pthread -o $@ $<

$(TB)/unit_runtime: tests/unit/test_runtime.c runtime/events.c runtime/ksyms.c runtime/options.c runtime/command.c runtime/warn.c | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $^ -lcmocka

$(TB)/unit_event_json: tests/unit/test_event_json.c runtime/event_json.c runtime/event_fields.c runtime/container_id.c runtime/events.c runtime/event_json.h runtime/event_fields.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $(filter %.c,$^) -lcmocka

$(TB)/unit_probe_loading: tests/unit/test_probe_loading.c runtime/kernel_shape.c runtime/load_log.c runtime/kernel_shape.h runtime/load_log.h runtime/probes.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $(filter %.c,$^) -lcmocka -lbpf

$(TB)/unit_script_path: tests/unit/test_script_path.c runtime/script_path.c runtime/script_path.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka

$(TB)/unit_metrics: tests/unit/test_metrics.c runtime/metrics.c runtime/metrics.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka -lm

$(TB)/unit_cgroups: tests/unit/test_cgroups.c runtime/cgroups.c runtime/container_id.c runtime/cgroups.h runtime/container_id.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka

$(TB)/unit_trust: tests/unit/test_trust.c runtime/trust.c runtime/trust.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka

# The trace file's format code: trimmed exec records, writer and reader.
TEST_BINS += $(TB)/unit_trace_format
tests: $(TB)/unit_trace_format
$(TB)/unit_trace_format: tests/unit/test_trace_format.c runtime/trace_reader.c runtime/trace_writer.c runtime/trace_compact.c runtime/events.c runtime/trace_format.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $(filter %.c,$^) -lcmocka -lzstd

# The backlog's queue (runtime/backlog.c, kt.backlog).
TEST_BINS += $(TB)/unit_backlog
tests: $(TB)/unit_backlog
$(TB)/unit_backlog: tests/unit/test_backlog.c runtime/backlog.c runtime/backlog.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka

# The ring buffer's reader (runtime/ring_reader.c), on a ring in memory.
TEST_BINS += $(TB)/unit_ring_reader
tests: $(TB)/unit_ring_reader
$(TB)/unit_ring_reader: tests/unit/test_ring_reader.c runtime/ring_reader.c runtime/ring_reader.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka -lbpf

# Strings by 64-bit key (runtime/text_cache.c: stacks.c, usyms.c).
TEST_BINS += $(TB)/unit_text_cache
tests: $(TB)/unit_text_cache
$(TB)/unit_text_cache: tests/unit/test_text_cache.c runtime/text_cache.c runtime/text_cache.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka

# User-space symbols by build-id (runtime/usyms.c).
TEST_BINS += $(TB)/unit_usyms
tests: $(TB)/unit_usyms
$(TB)/unit_usyms: tests/unit/test_usyms.c tests/unit/elf_files.c tests/unit/elf_files.h runtime/usyms.c runtime/text_cache.c runtime/usyms.h runtime/text_cache.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka -ldw -lelf

# Processes' mappings for user stacks by address (runtime/umaps.c).
TEST_BINS += $(TB)/unit_umaps
tests: $(TB)/unit_umaps
$(TB)/unit_umaps: tests/unit/test_umaps.c tests/unit/elf_files.c tests/unit/elf_files.h runtime/umaps.c runtime/umaps.h runtime/usyms.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -o $@ $(filter %.c,$^) -lcmocka -ldw -lelf

# The probes' run-queue histogram buckets (bpf/runq_hist_map.h).
TEST_BINS += $(TB)/unit_runq_hist
tests: $(TB)/unit_runq_hist
$(TB)/unit_runq_hist: tests/unit/test_runq_hist.c bpf/runq_hist_map.h bpf/keytime.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ibpf -o $@ $(filter %.c,$^) -lcmocka

# The kernel's off-CPU pairs: spells opened (bpf/offwake_map.h), the host's totals.
TEST_BINS += $(TB)/unit_offwake
tests: $(TB)/unit_offwake
$(TB)/unit_offwake: tests/unit/test_offwake.c runtime/offwake_table.c runtime/events.c runtime/offwake_table.h runtime/grow.h bpf/offwake_map.h bpf/keytime.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ibpf -Iruntime -o $@ $(filter %.c,$^) -lcmocka

# trace_shift: moves a recording's clock later (tests/integration/json_exact.sh).
tests: $(TB)/trace_shift
$(TB)/trace_shift: tests/lib/trace_shift.c runtime/trace_reader.c runtime/trace_writer.c runtime/trace_compact.c runtime/events.c runtime/trace_format.h bpf/keytime.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $(filter %.c,$^) -lzstd
# trace_repeat: a long recording from a short one (record_replay.sh: replay memory).
tests: $(TB)/trace_repeat
$(TB)/trace_repeat: tests/lib/trace_repeat.c runtime/trace_reader.c runtime/trace_writer.c runtime/trace_compact.c runtime/events.c runtime/trace_format.h bpf/keytime.h | $(TB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iruntime -Ibpf -o $@ $(filter %.c,$^) -lzstd

# ---- benchmarks (not part of the test suite) ---------------------------------
.PHONY: bench
bench: deps
	@$(MAKE) --no-print-directory all tests
	bash bench/run.sh

# ---- keytime-ctl ---------------------------------------------------------------
CTL_OBJ := $(B)/ctl_main.o $(B)/maps.o $(B)/instance.o $(B)/procfs.o $(B)/attr_targets.o $(B)/cgroups.o $(B)/container_id.o
$(B)/ctl_main.o: ctl/keytime-ctl.c | $(B)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) -Ibpf -Iruntime -c $< -o $@

keytime-ctl: $(CTL_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

# ---- install -----------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=/staging]`; `make uninstall`.
# keytime-run looks for stock scripts and modules in $(DATADIR), built into
# script_path.o; the stamp changes only with DATADIR, so a new PREFIX rebuilds it.
.PHONY: install uninstall FORCE
FORCE:
$(B)/datadir.stamp: FORCE | $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/script_path.o: $(B)/datadir.stamp
$(B)/script_path.o: CPPFLAGS += -DKEYTIME_DATADIR=\"$(DATADIR)\"

# Every file under scripts/ and lua/ (sub-folders too), keeping the executable
# bit of scripts that start with #!/usr/bin/env keytime-run. keytime-ctl and
# the pages and completions of docs/man and completions/ as far as they exist.
# The docs go to $(DOCDIR).
install: all
	install -D -m 755 keytime-run '$(DESTDIR)$(BINDIR)/keytime-run'
	if [ -x keytime-ctl ]; then install -D -m 755 keytime-ctl '$(DESTDIR)$(BINDIR)/keytime-ctl'; fi
	for tree in scripts lua; do \
	    (cd $$tree && find . -type f ! -name '.*') | while read -r f; do \
	        mode=644; [ -x "$$tree/$$f" ] && mode=755; \
	        install -D -m $$mode "$$tree/$$f" '$(DESTDIR)$(DATADIR)'/$$tree/"$$f" || exit 1; \
	    done || exit 1; \
	done
	for page in docs/man/*.8; do install -D -m 644 "$$page" '$(DESTDIR)$(MANDIR)/man8/'"$${page##*/}" || exit 1; done
	for c in completions/*; do install -D -m 644 "$$c" '$(DESTDIR)$(BASHCOMPDIR)/'"$${c##*/}" || exit 1; done
	install -D -m 644 README.md '$(DESTDIR)$(DOCDIR)/README.md'
	install -D -m 644 docs/lua-api.md '$(DESTDIR)$(DOCDIR)/lua-api.md'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/keytime-run' '$(DESTDIR)$(BINDIR)/keytime-ctl'
	rm -f '$(DESTDIR)$(MANDIR)/man8/keytime-run.8' '$(DESTDIR)$(MANDIR)/man8/keytime-ctl.8'
	rm -f '$(DESTDIR)$(BASHCOMPDIR)/keytime-run' '$(DESTDIR)$(BASHCOMPDIR)/keytime-ctl'
	rm -f '$(DESTDIR)$(DOCDIR)/README.md' '$(DESTDIR)$(DOCDIR)/lua-api.md'
	rmdir '$(DESTDIR)$(DOCDIR)' 2>/dev/null || true
	@# DATADIR is ours alone only when it is named keytime: never rm -rf a shared folder.
	case '$(DATADIR)' in */keytime) rm -rf '$(DESTDIR)$(DATADIR)';; \
	    *) echo "uninstall: not removing $(DATADIR) (not a keytime folder)" >&2;; esac

# ==== reliability: sanitizers, valgrind, fuzzing, soak =========================
# (tests/fuzz/, tests/soak/, tools/*.sh; figures in docs/reliability.md)
.PHONY: asan valgrind fuzz fuzz-merge soak clean-reliability
SAN_B      := build-asan
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,float-cast-overflow \
              -fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter
# The sanitized keytime-run keeps its name (keytime-ctl and tests know tracers
# by their comm), in its own build folder; `make B=$(SAN_B)` builds its objects.
ifeq ($(B),$(SAN_B))
$(B)/keytime-run: $(RUNTIME_OBJ) $(REPL_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)
	ln -sfn ../scripts $(B)/scripts
	ln -sfn ../lua $(B)/lua
endif

# make asan: keytime-run and the unit tests with ASan+UBSan, then all tests.
asan: deps tests
	@$(MAKE) --no-print-directory B=$(SAN_B) TB=$(SAN_B)/tests CFLAGS='$(SAN_CFLAGS)' \
	    $(SAN_B)/keytime-run $(patsubst $(TB)/%,$(SAN_B)/tests/%,$(filter $(TB)/unit_%,$(TEST_BINS)))
	bash tools/asan.sh

# make valgrind: unit tests and core integration tests under memcheck.
valgrind: deps
	@$(MAKE) --no-print-directory all tests
	@bash tools/install-deps.sh valgrind
	bash tools/valgrind.sh

# Each tests/fuzz/fuzz_NAME.c is one target: a libFuzzer binary for
# `make fuzz`, and $(TB)/unit_fuzz_NAME for the test suite, which replays
# tests/fuzz/corpus/NAME/ through the same entry point (tests/fuzz/replay.c).
FUZZ_B     := build-fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRC_options     := runtime/options.c
FUZZ_SRC_ksyms       := runtime/ksyms.c
FUZZ_SRC_procfs      := runtime/procfs.c
FUZZ_SRC_script_path := runtime/script_path.c
FUZZ_SRC_event       := runtime/lua_event.c runtime/event_fields.c runtime/container_id.c runtime/event_json.c runtime/events.c
FUZZ_SRC_trace       := runtime/trace_reader.c runtime/trace_compact.c runtime/events.c
FUZZ_LIBS_event      := $(LUA_LIBS) -lbpf
FUZZ_LIBS_trace      := -lzstd
FUZZ_INC := $(LUA_CFLAGS) -Iruntime -Ibpf -Itests/fuzz
REPLAY_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter
define FUZZ_RULES
$(TB)/unit_fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c tests/fuzz/fuzz.h $(FUZZ_SRC_$(1)) $(wildcard runtime/*.h) | $(TB)
	$(CC) $(CPPFLAGS) $(REPLAY_CFLAGS) $(FUZZ_INC) -o $$@ $$(filter %.c,$$^) $(FUZZ_LIBS_$(1))
$(FUZZ_B)/fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz.h $(FUZZ_SRC_$(1)) $(wildcard runtime/*.h)
	@mkdir -p $(FUZZ_B)
	$(CLANG) $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_INC) -o $$@ $$(filter %.c,$$^) $(FUZZ_LIBS_$(1))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULES,$(n))))
tests: $(patsubst %,$(TB)/unit_fuzz_%,$(FUZZ_NAMES))

# FUZZ_SECONDS per target (default 45: six targets in under 5 minutes).
FUZZ_SECONDS ?= 45
fuzz: deps
	@bash tools/install-deps.sh libclang-rt-dev
	@$(MAKE) --no-print-directory $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_NAMES))
	bash tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
# Keeps what the last `make fuzz` found new (minimized) in the regression corpus.
fuzz-merge:
	bash tools/fuzz.sh merge $(FUZZ_NAMES)

# make soak [SOAK_SECONDS=180]: fork/exec and context-switch storms, traced.
SOAK_SECONDS ?= 180
soak: all tests $(TB)/soak_forkstorm $(TB)/soak_switchstorm
	bash tests/soak/run.sh $(SOAK_SECONDS)
$(TB)/soak_%: tests/soak/%.c | $(TB)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

clean: clean-reliability
clean-reliability:
	rm -rf $(SAN_B) $(FUZZ_B)
# ==== end of reliability ========================================================

# ==== fresh machine =============================================================
# make fresh-check: `make test` as root in a chroot holding a minimal Debian 12
# (debootstrap minbase + make, cached in /var/cache/keytime-fresh) and a copy of
# this checkout's tracked files: the README's set-up needs nothing more.
.PHONY: fresh-check
fresh-check:
	bash tools/fresh-machine.sh test
# ==== end of fresh machine ======================================================

# ==== the Debian package ========================================================
# make deb: build-deb/keytime_<version>_<arch>.deb, lintian-clean (debian/);
# make deb-check: that package installed with apt-get in a fresh Debian 12
# root, running a stock script by name (tests/package/check-installed.sh).
.PHONY: deb deb-check clean-deb
deb:
	bash tools/build-deb.sh build-deb
deb-check: deb
	bash tools/fresh-machine.sh --deb build-deb/keytime_$(VERSION)_$(shell dpkg --print-architecture).deb
# make image-check: deploy/'s container image built from that package with
# podman and its exporter scraped by Prometheus (tools/image-check.sh); it
# imports the minimal root that deb-check made.
.PHONY: image-check
image-check: deb
	bash tools/image-check.sh build-deb/keytime_$(VERSION)_$(shell dpkg --print-architecture).deb
clean: clean-deb
clean-deb:
	rm -rf build-deb

# ==== vmtest: the test suite in another kernel, under qemu =====================
# make vmtest KERNEL=6.1|6.12|linux-image-...-amd64|/path/to/vmlinuz
# (tools/vmtest.sh; cache in /var/cache/keytime-vmtest, logs in build-vm/).
# make vmbench KERNEL=...: bench/run.sh there (BENCH_* passed on, BCC's tools
# with the kernel's headers), its table in build-vm/KERNEL/RESULTS.md.
.PHONY: vmtest vmbench clean-vmtest
vmtest:
	@bash tools/vmtest.sh '$(KERNEL)'
vmbench:
	@VMTEST_MAKE=bench bash tools/vmtest.sh '$(KERNEL)'
clean: clean-vmtest
clean-vmtest:
	rm -rf build-vm
# ==== end of vmtest =============================================================
