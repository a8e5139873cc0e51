#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/spdx.sh [--add]: lists the tracked source files whose first three
# lines carry no SPDX-License-Identifier (exit 1 if any); with --add, gives
# each of them one, after a #! line if there is one. The probes (bpf/,
# *.bpf.c; not bpf/keytime.h, which user space includes too) are
# GPL-2.0-only, everything else GPL-2.0-or-later (README.md, "License").
set -euo pipefail
cd "$(dirname "$0")/.."
add=false
[ "${1:-}" = --add ] && add=true

# The source files: code, scripts, build and packaging files.
sources() {
    git ls-files | grep -E '\.(c|h|lua|sh|bt|8)$|(^|/)(Makefile|rules)$|^completions/|^tools/vm/|^\.ci/'
}
# bpf/keytime.h is shared with user space, which links GPL-3 readline: it
# stays "or later" (compatible with both sides).
license_of() {
    case $1 in
        bpf/keytime.h) echo GPL-2.0-or-later;;
        bpf/*|*.bpf.c) echo GPL-2.0-only;;
        *) echo GPL-2.0-or-later;;
    esac
}
comment_for() {   # file, license: the SPDX line in the file's own comment syntax
    case $1 in
        *.c) echo "// SPDX-License-Identifier: $2";;
        *.h) echo "/* SPDX-License-Identifier: $2 */";;
        *.lua) echo "-- SPDX-License-Identifier: $2";;
        *.bt) echo "// SPDX-License-Identifier: $2";;
        *.8) echo ".\\\" SPDX-License-Identifier: $2";;
        *) echo "# SPDX-License-Identifier: $2";;
    esac
}
missing=0
while IFS= read -r f; do
    [ -f "$f" ] || continue
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' && continue
    if $add; then
        line=$(comment_for "$f" "$(license_of "$f")")
        if head -c 2 "$f" | grep -q '^#!'; then
            awk -v l="$line" 'NR == 1 { print; print l; next } { print }' "$f" >"$f.spdx"
        else
            { printf '%s\n' "$line"; cat "$f"; } >"$f.spdx"
        fi
        chmod --reference="$f" "$f.spdx"
        mv "$f.spdx" "$f"
        echo "spdx: added to $f"
    else
        echo "spdx: no SPDX-License-Identifier in the first lines of $f"
        missing=$((missing + 1))
    fi
done < <(sources)
[ $missing -eq 0 ]
