#!/usr/bin/env python3
"""Run by scripts/check-deploy.sh: every COPY source in the Dockerfiles exists and is not excluded by .dockerignore."""
import os, re, subprocess, sys

def rx(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i): out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i): out, i = out + ".*", i + 2
        elif pattern[i] == "*": out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?": out, i = out + "[^/]", i + 1
        else: out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")

# .dockerignore as Docker reads it: the last matching pattern wins, and a pattern that matches a folder
# matches everything under it.
rules = []
for line in open(".dockerignore"):
    line = line.strip()
    if not line or line.startswith("#"): continue
    negate = line.startswith("!")
    rules.append((negate, rx(line.lstrip("!").strip("/"))))

def in_context(path):
    parts, keep = path.strip("/").split("/"), True
    for negate, pattern in rules:
        if any(pattern.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            keep = negate
    return keep

try:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
except (OSError, subprocess.CalledProcessError) as e:
    # Without the list the "tracked files are in the build context" check would pass having checked nothing.
    sys.exit(f"check-deploy: git ls-files failed ({e}); run it from a git checkout")

errors = []
for dockerfile in sys.argv[1:]:
    copies = 0
    for line in open(dockerfile):
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words): continue
        for src in [w for w in words[1:-1] if not w.startswith("--")]:
            copies += 1
            path = src.rstrip("/") or "."
            if not os.path.exists(path):
                errors.append(f"{dockerfile}: COPY source {src} does not exist")
            elif not in_context(path):
                errors.append(f"{dockerfile}: COPY source {src} is excluded by .dockerignore")
            elif os.path.isdir(path):
                # The Dockerfiles are left out on purpose (Docker reads them anyway).
                lost = [f for f in tracked if f.startswith(path + "/") and not in_context(f)
                        and os.path.basename(f) != "Dockerfile"]
                errors += [f"{dockerfile}: {f} (tracked) is excluded by .dockerignore" for f in lost]
    print(f"  {dockerfile}: {copies} COPY sources checked")
for e in errors: print("  " + e)
sys.exit(1 if errors else 0)
