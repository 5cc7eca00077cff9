#!/usr/bin/env bash
# tests/check_exports.sh NM LIBRARY: every symbol libipsim defines for other
# code to use is prefixed ipsim_, so it cannot collide with a user's or a
# library's. The exceptions are made by tools, from our names: the gsl_rng
# type that Random123's GSL_MICRORNG macro declares for ipsim's Philox
# adapter (base/rng.c), and the lock gcc's OpenMP makes for the named
# critical section ipsim_summary_merge (sim/cohort.c); AddressSanitizer's
# __odr_asan. aliases of our globals in the sanitizer build.
set -euo pipefail
nm_tool=$1 library=$2
allowed='^(__odr_asan[.])?(ipsim_|gsl_rng_ipsim_philox$|[.]gomp_critical_user_ipsim_)'
symbols=$("$nm_tool" -g --defined-only "$library" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
[[ -n $symbols ]] || { echo "no symbols read from $library with $nm_tool" >&2; exit 1; }
bad=$(grep -Ev "$allowed" <<<"$symbols" || true)
if [[ -n $bad ]]; then
  echo "exported symbols without the ipsim_ prefix:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "$(wc -l <<<"$symbols") exported symbols, all prefixed ipsim_"
