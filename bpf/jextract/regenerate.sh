#!/usr/bin/env bash
# Regenerates the Java FFM bindings for libbpf in
# bpf/src/main/java/dev/apiary/bpf/libbpf/ from libbpf.args and libbpf_all.h.
#
# Needs:
#   - an installed jextract (JDK 23+ flavour; the output needs JDK 23+), given as
#     JEXTRACT=/path/to/jextract (a jextract command or an equivalent launcher script);
#   - libbpf-dev 1.1.x headers in /usr/include/bpf and the kernel UAPI headers
#     (linux-libc-dev) in /usr/include/linux.
#
# Usage: JEXTRACT=/path/to/jextract bpf/jextract/regenerate.sh
# The generated sources are committed; run this only when the symbol list or libbpf changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bpf_module="$(dirname "$here")"
src_root="$bpf_module/src/main/java"
pkg_dir="$src_root/dev/apiary/bpf/libbpf"

if [[ -z "${JEXTRACT:-}" ]]; then
    echo "regenerate.sh: set JEXTRACT to the path of a jextract command" >&2
    exit 1
fi
if [[ ! -x "$JEXTRACT" ]] && ! command -v "$JEXTRACT" >/dev/null 2>&1; then
    echo "regenerate.sh: JEXTRACT=$JEXTRACT is not an executable jextract command" >&2
    exit 1
fi
if [[ ! -f /usr/include/bpf/libbpf.h ]]; then
    echo "regenerate.sh: /usr/include/bpf/libbpf.h not found (install libbpf-dev 1.1.x)" >&2
    exit 1
fi

rm -rf "$pkg_dir"
mkdir -p "$src_root"

"$JEXTRACT" \
    @"$here/libbpf.args" \
    --output "$src_root" \
    "$here/libbpf_all.h"

echo "Generated $(find "$pkg_dir" -name '*.java' | wc -l) files in $pkg_dir"
