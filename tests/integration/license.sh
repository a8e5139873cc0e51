# SPDX-License-Identifier: GPL-2.0-or-later
# The licensing is complete: LICENSE holds the GPL version 2 text, every
# tracked source file names its license in an SPDX line (tools/spdx.sh), the
# probes say GPL to the kernel, and debian/copyright says the same.
source "$(dirname "$0")/../lib/common.sh"
cd "$TOP"
grep -q "GNU GENERAL PUBLIC LICENSE" LICENSE && grep -q "Version 2, June 1991" LICENSE ||
    fail "LICENSE is not the GPL version 2 text"
bash tools/spdx.sh >"$WORK/spdx" || fail "files without an SPDX line: $(head -n 5 "$WORK/spdx")"
# The probes: GPL-2.0-only in the file, "GPL" in their license section.
head -n 1 bpf/keytime.bpf.c | grep -q "SPDX-License-Identifier: GPL-2.0-only" ||
    fail "bpf/keytime.bpf.c: $(head -n 1 bpf/keytime.bpf.c)"
grep -q 'char LICENSE\[\] SEC("license") = "GPL";' bpf/keytime.bpf.c || fail "the probes' license section"
# User space: GPL-2.0-or-later, as README.md and debian/copyright say.
head -n 1 runtime/main.c | grep -q "GPL-2.0-or-later" || fail "runtime/main.c: $(head -n 1 runtime/main.c)"
grep -q "^License: GPL-2.0-or-later" debian/copyright && grep -q "^License: GPL-2.0-only" debian/copyright ||
    fail "debian/copyright does not name both licenses"
grep -q "^## License" README.md || fail "README.md has no License section"
# A file without the line is found (the check can fail).
mkdir -p "$WORK/repo/runtime" && cp tools/spdx.sh "$WORK/repo/" && mkdir -p "$WORK/repo/tools" &&
    mv "$WORK/repo/spdx.sh" "$WORK/repo/tools/" && printf 'int x;\n' >"$WORK/repo/runtime/new.c" &&
    git -C "$WORK/repo" init -q && git -C "$WORK/repo" add -A
out=$(bash "$WORK/repo/tools/spdx.sh" 2>&1) && fail "a file without an SPDX line passed: $out"
grep -q "runtime/new.c" <<<"$out" || fail "the missing line is not named: $out"
