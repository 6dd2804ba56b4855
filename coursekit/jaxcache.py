"""Turn on JAX's persistent compilation cache in a project-local folder.

Compiling a small NumPyro model costs seconds on a CPU; with the cache a repeat fit
(another chapter, another grading run) reuses the compiled program. The folder is
git-ignored and safe to delete.
"""
import os
import sys

from coursekit.paths import JAX_CACHE_DIR


def enable_compilation_cache(cache_dir=None) -> str:
    """Point JAX's persistent cache at ``cache_dir`` (default ``.jax_cache/``) and cache every compile.

    Before JAX is imported the settings go into the environment, where JAX reads them on import (and
    a session that never needs JAX does not load it); afterwards into ``jax.config``.

    With ``$COURSE_JAX_CACHE_READ_ONLY`` set (the grader's sandboxed runs, which see the shared cache
    read-only) the cache is only read: no compile is slow enough to be written.
    """
    path = str(cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR") or JAX_CACHE_DIR)
    os.makedirs(path, exist_ok=True)
    read_only = bool(os.environ.get("COURSE_JAX_CACHE_READ_ONLY"))
    settings = {"jax_compilation_cache_dir": path,
                "jax_persistent_cache_min_compile_time_secs": 10**9 if read_only else 0,
                "jax_persistent_cache_min_entry_size_bytes": -1}
    if "jax" in sys.modules:
        for name, value in settings.items():
            sys.modules["jax"].config.update(name, value)
    else:
        os.environ.update({name.upper(): str(value) for name, value in settings.items()})
    return path
