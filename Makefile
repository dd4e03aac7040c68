# SPDX-License-Identifier: GPL-2.0
#
# kheap: out-of-tree kernel module. Targets:
#   make              build the modules against KDIR
#   make check        the test command: KUnit under QEMU on a sanitizer kernel,
#                     plus insmod/rmmod on Debian's stock 6.1 and 6.12 kernels
#   make check-harness  prove the harness goes red on broken test modules
#   make demo         boot stock 6.12 with kheap and the example; show debugfs
#   make lint         checkpatch --strict, kernel-doc, sparse and W=1 builds on
#                     stock 6.1/6.12/6.12-rt headers; fails on any finding
#   make docs         kernel-doc of include/kheap/ to build/docs/ (HTML, man9)
#   make dkms-check   dkms add + build (dkms.conf) for stock 6.1 and 6.12, then
#                     remove it again; needs root
#   make clean
#
# KDIR defaults to the running kernel's build tree when it exists, else the
# project's test kernel (built and cached by scripts/kernel.sh).

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; else scripts/kernel.sh debug; fi)
BUILD := $(CURDIR)/build

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

lint:
	scripts/lint.sh

docs:
	scripts/docs.sh

dkms-check:
	scripts/dkms-check.sh

clean:
	rm -rf $(BUILD)

.PHONY: all modules check check-harness demo lint docs dkms-check clean
