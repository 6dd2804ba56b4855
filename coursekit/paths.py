"""Where things live in the repository, resolved from this package's location."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
JAX_CACHE_DIR = REPO_ROOT / ".jax_cache"
