# SPDX-License-Identifier: GPL-2.0
#
# kheap: out-of-tree kernel module. Targets:
#   make              build the modules against KDIR
#   make check        the test command: KUnit under QEMU on three test kernels
#                     (debug: KASAN, lockdep, kmemleak; kcsan; rt: PREEMPT_RT;
#                     KHEAP_FLAVOURS picks), plus insmod/rmmod on Debian's
#                     stock 6.1, 6.12 and 6.12-rt kernels (KHEAP_SOAK_SECONDS=20
#                     and KHEAP_CYCLES=100 size the soak and the load/unload
#                     cycles; README, Tests)
#   make check-harness  prove the harness goes red on broken test modules,
#                     each on the test kernel that must catch it
#   make demo         boot stock 6.12 with kheap and the example; show debugfs
#   make bench        benchmark kheap against kmalloc, kmem_cache, mempool,
#                     objpool and kfifo on a non-debug 6.12 under QEMU; prints
#                     the table and the targets' PASS/MISS, writes
#                     build/bench.csv and build/bench.svg/.png (fails nothing)
#   make lint         checkpatch --strict, kernel-doc, sparse and W=1 builds on
#                     stock 6.1/6.12/6.12-rt headers; fails on any finding
#   make docs         kernel-doc of include/kheap/ to build/docs/ (HTML, man9)
#   make install      modules_install (against KDIR), the public headers and
#                     Module.symvers under PREFIX (/usr/local); honours DESTDIR
#   make dkms-check   dkms add + build (dkms.conf) for stock 6.1 and 6.12, then
#                     remove it again; needs root
#   make clean
#
# KDIR defaults to the running kernel's build tree when it exists, else the
# project's test kernel (built and cached by scripts/kernel.sh).

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; else scripts/kernel.sh debug; fi)
BUILD := $(CURDIR)/build
PREFIX ?= /usr/local

all: modules

modules:
	scripts/deps.sh build
	scripts/build-modules.sh $(KDIR) $(BUILD)/modules
	@echo "modules: $$(cd $(BUILD)/modules && ls kmod/*.ko samples/*.ko kunit/*.ko 2>/dev/null | tr '\n' ' ')"

check:
	scripts/check.sh

check-harness:
	scripts/check-harness.sh

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

# A client module built elsewhere finds kheap with, in its Kbuild:
#   ccflags-y += -I$(PREFIX)/include
#   KBUILD_EXTRA_SYMBOLS += $(PREFIX)/share/kheap/Module.symvers
# (that Module.symvers is the one of the KDIR installed for; a client built
# for another kernel needs kheap built and installed for that kernel too).
# Modules are signed only when KDIR has its signing key: distribution header
# packages (Debian's) do not ship it; dkms signs with its own MOK key.
install: modules
	$(MAKE) -C $(KDIR) M=$(BUILD)/modules INSTALL_MOD_PATH=$(DESTDIR) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) \
		modules_install
	install -d $(DESTDIR)$(PREFIX)/include/kheap $(DESTDIR)$(PREFIX)/share/kheap
	install -m 644 include/kheap/*.h $(DESTDIR)$(PREFIX)/include/kheap/
	install -m 644 $(BUILD)/modules/Module.symvers $(DESTDIR)$(PREFIX)/share/kheap/

clean:
	rm -rf $(BUILD)

.PHONY: all modules check check-harness demo bench lint docs install dkms-check clean
