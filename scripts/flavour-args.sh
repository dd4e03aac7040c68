#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel arguments a test-kernel flavour boots with (besides what
# scripts/qemu.sh always passes). Usage: scripts/flavour-args.sh FLAVOUR
#   debug  preempt=full
#   kcsan  preempt=full, and a KCSAN watchpoint every ~100 instrumented
#          accesses instead of ~4000: only kheap's modules are instrumented
#          (scripts/kconfig/kcsan.config), so they are sampled densely;
#          kheap_hier_random runs 3 rounds instead of 8 (each round is a
#          minute or more of that dense sampling; debug runs all 8);
#   rt     nothing: PREEMPT_RT is not PREEMPT_DYNAMIC, it has no preempt=;
#   lockdown  (make check-extra) preempt=full, lockdown=integrity, and
#          module.sig_enforce=1 (the kernel forces it already:
#          MODULE_SIG_FORCE, scripts/kconfig/lockdown.config).
set -euo pipefail

case "${1:?usage: flavour-args.sh FLAVOUR}" in
kcsan) echo "preempt=full kcsan.skip_watch=100 kheap_hier_random_test.rounds=3" ;;
rt) echo "" ;;
lockdown) echo "preempt=full lockdown=integrity module.sig_enforce=1" ;;
*) echo "preempt=full" ;;
esac
