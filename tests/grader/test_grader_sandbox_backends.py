"""The sandbox backends' command lines, the process filter and the container image, without running them
(docker and podman are not available where these tests run)."""
import shutil
import sys
from pathlib import Path

import pytest
from grader_support import REPO_ROOT

from autograder import confine, image, sandbox
from autograder.batch import submission_status
from autograder.results import GRADED, ExerciseResult, GradeReport

SLOT = Path("/tmp/autograder-x/run1/slot1")


@pytest.fixture
def layout():
    return sandbox.layout(REPO_ROOT, [SLOT], memory_mb=2048)


def test_only_what_grading_needs_is_visible(layout):
    visible = {str(path) for path in layout.readonly}
    for part in ("autograder", "coursekit", "data", "pyproject.toml"):
        assert str(REPO_ROOT / part) in visible
    for hidden in (REPO_ROOT / "solutions", REPO_ROOT / "tests"):
        assert not any(path == hidden or hidden in path.parents for path in map(Path, visible)), hidden
    assert str(REPO_ROOT) not in visible and str(Path.home()) not in visible
    assert layout.writable == (SLOT,)


def test_bwrap_unshares_everything_and_binds_read_only(layout):
    command = sandbox.bwrap_command("/usr/bin/bwrap", ["python", "-m", "x"], layout, SLOT / "sandbox")
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--disable-userns"):
        assert flag in command
    assert "--share-net" not in command
    assert command[command.index("--cap-drop") + 1] == "ALL"
    size = command.index("--size")
    assert command[size + 1:size + 4] == [str(sandbox.TMP_SIZE_MB * 2**20), "--tmpfs", "/tmp"]
    writable = [command[index + 1] for index, flag in enumerate(command) if flag == "--bind"]
    assert writable == [str(SLOT)]
    assert command[-5:] == ["--chdir", str(SLOT / "sandbox"), "--", "python", "-m", "x"][-5:]


def test_the_jax_cache_is_read_only_at_its_own_path_unless_compilations_are_kept():
    cache, copy = Path("/srv/course/.jax_cache"), SLOT / "jax-cache"
    shared = sandbox.layout(REPO_ROOT, [SLOT], 2048, ((cache, cache, False),))
    command = sandbox.bwrap_command("/usr/bin/bwrap", ["python"], shared, SLOT)
    assert " ".join(command).count(f"--ro-bind {cache} {cache}") == 1
    assert [command[index + 1] for index, flag in enumerate(command) if flag == "--bind"] == [str(SLOT)]
    kept = sandbox.layout(REPO_ROOT, [SLOT], 2048, ((copy, cache, True),))
    assert f"--bind {copy} {cache}" in " ".join(sandbox.bwrap_command("/usr/bin/bwrap", ["python"], kept, SLOT))
    docker = " ".join(sandbox.container_command("/usr/bin/docker", ["python"], shared, SLOT, {}, ""))
    assert f"--volume {cache}:{cache}:ro" in docker


def test_docker_runs_without_network_on_a_read_only_root_with_limits(layout):
    env = {"PATH": "/usr/bin", "PYTHONPATH": str(REPO_ROOT), "HOME": str(SLOT / "sandbox" / ".home")}
    command = sandbox.container_command("/usr/bin/docker", [sys.executable, "-m", "autograder.confine", "t.py"],
                                        layout, SLOT / "sandbox", env, "autograder-1-2")
    assert command[:2] == ["/usr/bin/docker", "run"]
    text = " ".join(command)
    for part in ("--rm", "--network none", "--read-only", "--memory 2048m", "--memory-swap 2048m",
                 f"--pids-limit {sandbox.PIDS_LIMIT}", "--cap-drop ALL", "--security-opt no-new-privileges",
                 f"--tmpfs /tmp:rw,nosuid,size={sandbox.TMP_SIZE_MB}m", "--name autograder-1-2",
                 f"--volume {SLOT}:{SLOT}:rw", f"--volume {REPO_ROOT / 'data'}:{REPO_ROOT / 'data'}:ro",
                 f"--env HOME={SLOT / 'sandbox' / '.home'}"):
        assert part in text
    assert f"{REPO_ROOT / 'solutions'}" not in text and "--env PATH" not in text
    assert command[-5:] == [sandbox.IMAGE, "python", "-m", "autograder.confine", "t.py"]
    assert sandbox.Sandbox("docker", "/usr/bin/docker").kill_command("autograder-1-2") == [
        "/usr/bin/docker", "kill", "autograder-1-2"]
    assert not sandbox.Sandbox("docker", "/usr/bin/docker").forks_inside


def test_auto_without_bubblewrap_says_what_to_do(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxError) as raised:
        sandbox.choose("auto")
    message = str(raised.value)
    assert "bubblewrap" in message and "--sandbox docker" in message and "--sandbox none" in message
    with pytest.raises(sandbox.SandboxError, match="docker is not on PATH"):
        sandbox.choose("docker")
    assert not sandbox.choose("none").isolated


def test_a_grade_without_sandbox_says_so_in_the_gradebook():
    exercise = ExerciseResult("ex01_least_squares", GRADED, 7, 7)
    report = GradeReport("s", [exercise], "now", grader={"sandbox": "none"})
    assert submission_status(report) == ("graded", sandbox.NO_SANDBOX_NOTE)
    report.grader["sandbox"] = "bwrap"
    assert submission_status(report) == ("graded", "")


@pytest.mark.parametrize("machine", sorted(confine.ARCHITECTURES))
def test_the_process_filter_is_whole_bpf_instructions(machine):
    code = confine.program(machine)
    assert len(code) % 8 == 0 and 0 < len(code) // 8 < 64


def test_the_image_installs_the_pinned_requirements_only():
    text = image.containerfile(REPO_ROOT)
    assert text.startswith(f"FROM {image.BASE}\n")
    assert "jax==" in text and "numpyro==" in text and "-e ." not in text
    assert "USER grader" in text and "solutions" not in text
    assert image.build_command("podman", Path("/ctx")) == ["podman", "build", "--tag", sandbox.IMAGE,
                                                           "--file", "/ctx/Containerfile", "/ctx"]
