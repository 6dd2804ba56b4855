"""Record the machine a benchmark ran on: cores, CPU, memory, load and package versions."""
from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

PACKAGES = ("jax", "jaxlib", "numpyro", "numpy", "scipy", "pandas", "pymc", "pytensor")


def package_versions(packages=PACKAGES) -> dict[str, str]:
    """Installed version of each package, or ``"absent"``."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name from ``/proc/cpuinfo``, else what ``platform`` knows."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """Total memory in GiB from ``/proc/meminfo``; None where that file does not exist."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average() -> float | None:
    """One-minute load average, or None where the OS does not report one."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def git_commit(repo: Path) -> str:
    """The checked-out commit (with ``+dirty`` for local changes), or ``"unknown"``."""
    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_record(repo: Path) -> dict:
    """Everything needed to read a timing: when, where, on what, at what load, with which versions."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "os": platform.platform(),
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "memory_gib": memory_gib(),
        "load_average_1min": load_average(),
        "python": platform.python_version(),
        "commit": git_commit(repo),
        **package_versions(),
    }


def busy_warning(record: dict) -> str | None:
    """A warning when the machine was busier than its cores: at the start, other work was running; at the
    end only, the load may be the benchmark's own (a batch runs more threads than cores), so say both."""
    start, end, cores = record.get("load_average_1min"), record.get("load_average_1min_end"), record["cores"]
    if start is not None and start > cores:
        return (f"the 1-minute load average was {start:.1f} on {cores} cores when the benchmark started: other "
                "work shared the CPU, so these timings overstate the cost on a quiet machine")
    if end is not None and end > cores:
        return (f"the 1-minute load average reached {end:.1f} on {cores} cores by the end (it was {start} at the "
                "start): the benchmark's own last minute counts in it, so this alone does not show other work; "
                "if other work ran, these timings overstate the cost on a quiet machine")
    return None
