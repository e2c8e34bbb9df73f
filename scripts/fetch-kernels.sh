#!/usr/bin/env bash
# Kernels for `mls … --target vm` (tests and CI): Debian's cloud kernels 6.1 and 6.12, fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a cache (nothing goes to /boot, nothing is
# installed), plus qemu-system-x86 (--no-install-recommends) when it is missing. Cached between runs:
#   ${MLS_KERNEL_CACHE:-~/.cache/mls/kernels}/linux-6.1  -> linux-image-6.1.*-cloud-amd64/{boot,lib}
#   ${MLS_KERNEL_CACHE:-~/.cache/mls/kernels}/linux-6.12 -> linux-image-6.12.*+deb12-cloud-amd64/{boot,lib}
# Debian 12's apt holds no 6.18 kernel, so there is no 6.18 guest (the host itself is the 6.18 judge).
# Prints one `<profile> <vmlinuz>` line per kernel.
set -euo pipefail
cache=${MLS_KERNEL_CACHE:-$HOME/.cache/mls/kernels}
mkdir -p "$cache"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
fi

updated=""
fetch() { # <profile> <package-name regex>
  local profile=$1 pattern=$2 pkg
  if [ -L "$cache/$profile" ] && ls "$cache/$profile"/boot/vmlinuz-* >/dev/null 2>&1; then return; fi
  [ -n "$updated" ] || { $sudo apt-get update -qq; updated=1; }
  # The newest signed image of that series (versions move: looked up, never hard-coded).
  pkg=$(apt-cache search --names-only "$pattern" | awk '{print $1}' | grep -vE -- '-(dbg|unsigned)$' | sort -V | tail -n 1)
  [ -n "$pkg" ] || { echo "fetch-kernels: apt has no package matching $pattern" >&2; exit 1; }
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq "$pkg")
  rm -rf "${cache:?}/$pkg"
  dpkg-deb -x "$tmp"/*.deb "$cache/$pkg"
  rm -rf "$tmp"
  ln -sfn "$pkg" "$cache/$profile"
}
fetch linux-6.1 '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$'
fetch linux-6.12 '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$'

for p in linux-6.1 linux-6.12; do
  echo "$p $(ls "$cache/$p"/boot/vmlinuz-* | head -n 1)"
done
