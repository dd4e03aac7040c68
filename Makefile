# SPDX-License-Identifier: GPL-2.0
#
# kheap: out-of-tree kernel module. Targets:
#   make              build the modules against KDIR
#   make check        the test command: KUnit under QEMU on three test kernels
#                     (debug: KASAN, lockdep, kmemleak; kcsan; rt: PREEMPT_RT;
#                     KHEAP_FLAVOURS picks), plus insmod/rmmod on Debian's
#                     stock 6.1, 6.12 and 6.12-rt kernels (KHEAP_SOAK_SECONDS=10
#                     and KHEAP_CYCLES, 25, size
#                     the soak and the load/unload cycles; README, Tests)
#   make check-harness  prove the harness goes red on broken test modules,
#                     each on the test kernel that must catch it
#   make check-extra  what make check leaves out (CI does not run it): the
#                     debug suite on 2 CPUs with preempt=none, a long soak and
#                     debugfs write fuzzer, a lockdown=integrity boot with
#                     signed modules (scripts/check-extra.sh; ~20 min)
#   make demo         boot stock 6.12 with kheap and the example; show debugfs
#   make bench        benchmark kheap against kmalloc, kmem_cache, mempool,
#                     objpool and kfifo on a non-debug 6.12 under QEMU; prints
#                     the table and the targets' PASS/MISS, writes
#                     build/bench.csv and build/bench.svg/.png (fails nothing)
#   make lint         checkpatch --strict, kernel-doc, sparse and W=1 builds on
#                     stock 6.1/6.12/6.12-rt headers; fails on any finding
#   make docs         kernel-doc of include/kheap/ to build/docs/ (HTML, man9)
#   make install      modules_install (against KDIR), the public headers
#                     (share/kheap/include), Module.symvers (share/kheap/
#                     <kernel>/) and the tool (bin/kheap) under PREFIX
#                     (/usr/local): the package's layout; honours DESTDIR
#   make check-tool   tools/kheap's tests alone, on the host (seconds): the
#                     dumped debugfs trees of tools/tests/fixtures/ and of
#                     the last make check (make check runs them too)
#   make deb          the kheap-dkms Debian package (debian/, dh-dkms):
#                     build/kheap-dkms_<VERSION>_all.deb
#   make dkms-check   dkms add + build (dkms.conf) for stock 6.1 and 6.12, then
#                     remove it again; needs root
#   make check-package  make deb, apt-get install it, dkms builds kheap and
#                     the package's client example for stock 6.12, both
#                     loaded in QEMU, the package's tool on their debugfs;
#                     purges it again (needs root)
#   make check-fresh  make demo, make check-package, then make lint, in a
#                     minimal Debian 12 root made with debootstrap from a
#                     clone of HEAD: proves the first commands work on a
#                     fresh machine (needs root; not part of make check)
#   make recipes      the README's tool recipes (perf, trace-cmd, a hist
#                     trigger, bpftrace, perf kmem) and its marked command
#                     blocks, run once as written on stock 6.12 with a full
#                     Debian 12 root (debootstrap) in one QEMU boot; prints
#                     the transcript, fails if any command fails (root; not
#                     part of make check; scripts/recipes.sh)
#   make clean
#
# KDIR defaults to the running kernel's build tree. Where there is none,
# make (and make install) stops and says what to run instead: it does not
# build a kernel, nor fetch one, without being asked.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(wildcard $(RUNNING_KDIR)/Makefile)
KDIR := $(patsubst %/Makefile,%,$(KDIR))
BUILD := $(CURDIR)/build
PREFIX ?= /usr/local

all: modules

modules:
ifeq ($(KDIR),)
	@echo "make: no headers for the running kernel ($(RUNNING_KDIR) is missing)." >&2
	@echo "make: not building or fetching a kernel unasked; build against one of:" >&2
	@echo "  apt-get install linux-headers-$(shell uname -r) && make   # the running kernel (a Debian kernel)" >&2
	@echo "  make KDIR=\$$(scripts/stock-kernels.sh --kdir 6.12)   # Debian's 6.12 headers, fetched into ~/.cache/kheap (~17 MB)" >&2
	@echo "  make KDIR=\$$(scripts/kernel.sh debug)   # the test kernel, built into ~/.cache/kheap (3-4 min the first time)" >&2
	@exit 2
endif
	scripts/deps.sh build
	scripts/build-modules.sh $(KDIR) $(BUILD)/modules
	@echo "modules: $$(cd $(BUILD)/modules && ls kmod/*.ko samples/*.ko kunit/*.ko 2>/dev/null | tr '\n' ' ')"

check:
	scripts/check.sh

check-harness:
	scripts/check-harness.sh

check-extra:
	scripts/check-extra.sh

check-tool:
	scripts/deps.sh tool
	python3 tools/tests/test_kheap.py

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

docs:
	scripts/docs.sh

dkms-check:
	scripts/dkms-check.sh

deb:
	scripts/deb.sh

check-package:
	scripts/check-package.sh

check-fresh:
	scripts/check-fresh.sh

recipes:
	scripts/recipes.sh

# A client module built elsewhere finds kheap with, in its Kbuild (the
# layout of the kheap-dkms package, PREFIX=/usr; examples/client/Kbuild):
#   ccflags-y += -I$(PREFIX)/share/kheap/include
#   KBUILD_EXTRA_SYMBOLS += $(PREFIX)/share/kheap/$(KERNELRELEASE)/Module.symvers
# (the Module.symvers of each kernel kheap was built and installed for).
# Modules are signed only when KDIR has its signing key: distribution header
# packages (Debian's) do not ship it; dkms signs with its own MOK key.
# kheap.ko alone is installed (not the example, nor the KUnit suites, as in
# the package): built again from kmod/ in build/install, so its
# Module.symvers lists kheap alone.
KREL = $$(cat $(KDIR)/include/config/kernel.release)
install: modules
	rm -rf $(BUILD)/install && mkdir -p $(BUILD)/install
	cp -r kmod include $(BUILD)/install/
	$(MAKE) -C $(KDIR) M=$(BUILD)/install/kmod modules
	$(MAKE) -C $(KDIR) M=$(BUILD)/install/kmod INSTALL_MOD_PATH=$(DESTDIR) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) \
		modules_install
	install -d $(DESTDIR)$(PREFIX)/share/kheap/include/kheap \
		$(DESTDIR)$(PREFIX)/share/kheap/$(KREL) $(DESTDIR)$(PREFIX)/bin
	install -m 755 tools/kheap $(DESTDIR)$(PREFIX)/bin/kheap
	install -m 644 include/kheap/*.h $(DESTDIR)$(PREFIX)/share/kheap/include/kheap/
	install -m 644 $(BUILD)/install/kmod/Module.symvers $(DESTDIR)$(PREFIX)/share/kheap/$(KREL)/

clean:
	rm -rf $(BUILD)

.PHONY: all modules check check-harness check-extra check-tool demo bench lint docs install dkms-check deb check-package check-fresh recipes clean
