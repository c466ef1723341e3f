"""What importing the TUI costs, by package: `python -X importtime` of the first screen's modules.

A plain script (`python tests/benchmarks/import_breakdown.py [--runs 7] [--module tui.ui.app]`),
not collected by pytest, for the first-paint work of issue 15. Each run is a fresh interpreter
(`-X importtime -c "import MODULE"`, as `webengage-debugger --sandbox` imports it, pydantic's plugin
scan off as the CLI has it); each module's own time ("self", its children excluded) is summed by
group (`textual`, `pydantic`, `tui.store`, ...) and the median of the runs is printed, largest
first, with the total. `-X importtime` itself adds ~20 %: compare groups with each other and
runs with runs, not with the first-paint benchmark's wall-clock figures.

Also printed: the time to build the pydantic models defined under `tui` (class creation, from a
patched metaclass in a child, after one model of its own has loaded pydantic's schema machinery),
since their schemas are what `defer_build` postpones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections import defaultdict

GROUPED = ("tui",)
"""Packages split one level further (`tui.store`, `tui.ui`): ours, where the work is."""

MODEL_BUILDS = """
import time
import pydantic
class WarmUp(pydantic.BaseModel):  # (pydantic's first model loads its schema machinery)
    x: int
import pydantic._internal._model_construction as construction
original = construction.ModelMetaclass.__new__
spent = {}
def timed(mcs, name, bases, namespace, **kwargs):
    started = time.process_time()
    cls = original(mcs, name, bases, namespace, **kwargs)
    if namespace.get("__module__", "").startswith("tui."):
        spent[name] = time.process_time() - started
    return cls
construction.ModelMetaclass.__new__ = timed
import %s
print(round(sum(spent.values()) * 1000, 1), len(spent))
"""


def group_of(module: str) -> str:
    parts = module.strip().split(".")
    if parts[0] in GROUPED and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def one_run(module: str, env: dict[str, str]) -> dict[str, float]:
    """Self time (ms) per group, for one fresh interpreter importing `module`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    groups: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _total, name = line[len("import time:") :].split("|")
        groups[group_of(name)] += int(own) / 1000
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--module", default="tui.ui.app")
    parser.add_argument("--top", type=int, default=16)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    one_run(args.module, env)  # warm-up: bytecode written, files in the page cache
    runs = [one_run(args.module, env) for _ in range(args.runs)]
    names = {name for run in runs for name in run}
    medians = {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}
    totals = [sum(run.values()) for run in runs]
    print(f"import {args.module}: {args.runs} runs, medians of each module's own time")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}"
    )
    for name, ms in sorted(medians.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {name:<28} {ms:7.1f} ms")
    rest = sum(medians.values()) - sum(sorted(medians.values())[-args.top :])
    print(f"  {'(the rest)':<28} {rest:7.1f} ms")
    print(f"  {'total (median of runs)':<28} {statistics.median(totals):7.1f} ms")
    builds = subprocess.run(
        [sys.executable, "-c", MODEL_BUILDS % args.module],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    print(f"pydantic models defined under tui: {builds[1]}, built in {builds[0]} ms of CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
