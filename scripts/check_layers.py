#!/usr/bin/env python3
"""Fails when a lower layer of the library includes a higher one.

The layers and what each may include are drawn in docs/architecture.md; this
script is their enforcement (a ctest test, `layers`). Each module is a
directory engine/src/NAME/ plus the public headers it owns in
engine/include/dubare/. A file may include headers of its own module and of
the modules listed for it below; tools/ may include only public headers
(dubare/...) and its own. Third-party and system headers are not checked.

    python3 scripts/check_layers.py [REPO_ROOT]
"""
import os
import re
import sys

# module -> modules it may include (besides itself), lowest first.
ALLOWED = {
    "base": [],
    "text": ["base"],
    "io": ["base"],
    "sketch": ["base", "text"],
    "lsh": ["base", "text", "sketch"],
    "dedup": ["base", "text", "sketch", "lsh"],
    "passages": ["base", "text", "io", "sketch"],
    "index": ["base", "text", "sketch", "lsh"],
    "dist": ["base", "text", "sketch", "lsh", "dedup"],
    "mpi": ["base", "text", "sketch", "lsh", "dedup", "dist"],
    "jobs": ["base", "text", "io", "sketch", "lsh", "dedup", "dist", "passages", "index"],
}

# Public header -> the module that owns it.
PUBLIC = {
    "status.h": "base", "file.h": "base", "progress.h": "base",
    "normalize.h": "text",
    "reader.h": "io", "json_writer.h": "io",
    "shingle.h": "sketch", "sketch.h": "sketch",
    "lsh.h": "lsh",
    "dedup.h": "dedup",
    "distributed.h": "dist", "mpi.h": "mpi",
    "passages.h": "passages", "report.h": "passages",
    "index.h": "index",
    "jobs.h": "jobs",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of_include(path):
    """The module an include path names, or None for third-party headers."""
    if path.startswith("dubare/"):
        return PUBLIC.get(path[len("dubare/"):], "?unknown public header")
    head = path.split("/", 1)[0]
    return head if head in ALLOWED and "/" in path else None


def check(root):
    errors = []

    def check_file(path, module):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            target = module_of_include(inc)
            if target is None:
                continue
            if target.startswith("?"):
                errors.append(f"{path}: includes {inc}: {target[1:]} (add it to PUBLIC)")
            elif module == "tools":
                if not inc.startswith("dubare/"):
                    errors.append(f"{path}: tools may include only public headers, not {inc}")
            elif target != module and target not in ALLOWED[module]:
                errors.append(f"{path}: module '{module}' includes {inc} of module '{target}', "
                              f"which is above it (docs/architecture.md)")

    include_dir = os.path.join(root, "engine", "include", "dubare")
    for name in sorted(os.listdir(include_dir)):
        if name not in PUBLIC:
            errors.append(f"{os.path.join(include_dir, name)}: public header of no module "
                          f"(add it to PUBLIC in {sys.argv[0]})")
            continue
        check_file(os.path.join(include_dir, name), PUBLIC[name])
    src = os.path.join(root, "engine", "src")
    for module in sorted(os.listdir(src)):
        if module not in ALLOWED:
            errors.append(f"{os.path.join(src, module)}: a module without a layer (add it to ALLOWED)")
            continue
        for dirpath, _, files in os.walk(os.path.join(src, module)):
            for name in sorted(files):
                if name.endswith((".h", ".cc")):
                    check_file(os.path.join(dirpath, name), module)
    tools = os.path.join(root, "tools")
    for name in sorted(os.listdir(tools)):
        if name.endswith((".h", ".cc")):
            check_file(os.path.join(tools, name), "tools")
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    errors = check(os.path.abspath(root))
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"layers: {len(errors)} include(s) break the layering", file=sys.stderr)
        return 1
    print("layers: every include respects the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
