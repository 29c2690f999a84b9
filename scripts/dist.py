#!/usr/bin/env python3
"""`make dist`: dist/gwq-<version>.zip — gwq.exe, the Linux binary, README.md,
samples/ (without its cache and outputs) and 快速上手.txt."""
import os, sys, zipfile

version, exe, linux = sys.argv[1:4]
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(os.path.join(here, "dist"), exist_ok=True)
out = os.path.join(here, "dist", f"gwq-{version}.zip")
skip = {".gwq", "reports", "ledger", "field"}
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    root = f"gwq-{version}"
    z.write(exe, f"{root}/gwq.exe")
    z.write(linux, f"{root}/gwq")
    z.write(os.path.join(here, "README.md"), f"{root}/README.md")
    z.write(os.path.join(here, "scripts", "快速上手.txt"), f"{root}/快速上手.txt")
    samples = os.path.join(here, "samples")
    for d, dirs, files in os.walk(samples):
        dirs[:] = sorted(x for x in dirs if x not in skip)
        for f in sorted(files):
            p = os.path.join(d, f)
            z.write(p, f"{root}/samples/" + os.path.relpath(p, samples).replace(os.sep, "/"))
os.replace(out + ".tmp", out)
print(f"{out}: {os.path.getsize(out) // (1024 * 1024)} MB")
