"""Forbid a sandboxed grading process to start processes or trace others (a seccomp filter, Linux).

A grading run needs threads (XLA, NumPyro's parallel chains) but never a new process: the audit hook of
``autograder.guard`` already refuses them from Python, and this filter refuses them to native code too,
so a fork bomb ends at its first ``fork``: the kernel kills the process (SIGSYS, which the report
explains) instead of letting it fill the process table. Installed in the
run's process before any submission code runs; it cannot be removed and is inherited by its threads.

    python -m autograder.confine PYTEST_ARGS...   # pytest, confined (a sandboxed run without prefork)
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
CLONE_THREAD = 0x00010000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
X32_BIT = 0x40000000

ARCHITECTURES = {  # machine: (AUDIT_ARCH, clone, clone3, syscalls refused outright)
    "x86_64": (0xC000003E, 56, 435, {"fork": 57, "vfork": 58, "ptrace": 101, "process_vm_writev": 311}),
    "aarch64": (0xC00000B7, 220, 435, {"ptrace": 117, "process_vm_writev": 271}),
}
"""Syscall numbers are per architecture; elsewhere the filter is not installed (``supported()``)."""


class ConfineError(OSError):
    """The filter could not be installed."""


def supported() -> bool:
    return sys.platform == "linux" and platform.machine() in ARCHITECTURES


def _instruction(code: int, jump_true: int, jump_false: int, value: int) -> bytes:
    return struct.pack("HBBI", code, jump_true, jump_false, value)


def program(machine: str | None = None) -> bytes:
    """The classic-BPF filter: fork, vfork, clone without CLONE_THREAD, ptrace and writing another process's
    memory kill the process; clone3 answers ENOSYS so that the C library falls back to clone (threads);
    syscalls of another ABI are refused (EPERM); the rest is allowed."""
    arch, clone, clone3, refused = ARCHITECTURES[machine or platform.machine()]
    deny = SECCOMP_RET_KILL_PROCESS
    allow = [_instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)]
    body = [_instruction(BPF_LD_W_ABS, 0, 0, 0),  # the syscall number; x32 numbers are refused
            _instruction(BPF_JGE_K, 0, 1, X32_BIT), _instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)]
    for number in refused.values():
        body += [_instruction(BPF_JEQ_K, 0, 1, number), _instruction(BPF_RET_K, 0, 0, deny)]
    body += [_instruction(BPF_JEQ_K, 0, 1, clone3), _instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS)]
    body += [_instruction(BPF_JEQ_K, 0, 3, clone),
             _instruction(BPF_LD_W_ABS, 0, 0, 16),  # clone's flags (low half of the first argument)
             _instruction(BPF_JSET_K, 1, 0, CLONE_THREAD),
             _instruction(BPF_RET_K, 0, 0, deny)]
    header = [_instruction(BPF_LD_W_ABS, 0, 0, 4),  # the architecture: another one (i386 calls) is refused
              _instruction(BPF_JEQ_K, 1, 0, arch),
              _instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)]
    return b"".join(header + body + allow)


def install() -> None:
    """Install the filter on the calling thread (call it while the process has only one thread)."""
    if not supported():
        raise ConfineError(f"no process filter for {sys.platform}/{platform.machine()}")
    code = program()
    filters = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(code) // 8, ctypes.addressof(filters))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise ConfineError(ctypes.get_errno(), "could not install the process filter")


def limit_self() -> None:
    """Set the run's data, file-size and core limits (``$AUTOGRADER_RLIMITS``) on this process: inside a
    sandbox it is not the process the grader started, so limits set from outside may come too late."""
    import resource

    values = os.environ.pop("AUTOGRADER_RLIMITS", "")
    if not values:
        return
    for which, value in zip((resource.RLIMIT_DATA, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE),
                            (int(part) for part in values.split(","))):
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def main(argv: list[str]) -> int:
    limit_self()
    install()
    import pytest

    sys.argv = ["pytest", *argv]
    return int(pytest.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
