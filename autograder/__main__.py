"""Command line: ``python -m autograder grade PATH``, ``batch FOLDER``, ``release OUT_DIR``, ``verify``,
``image``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.isolation import Limits
from autograder.sandbox import BACKENDS

DEFAULT_LIMITS = Limits()


def add_grading_options(parser: argparse.ArgumentParser, jobs: int) -> None:
    parser.add_argument("--instructor-root", default=None,
                        help="tree with the pristine tests/ (default: the one this autograder is in)")
    parser.add_argument("-e", "--exercise", action="append", default=[], metavar="NAME",
                        help="grade only this exercise (repeatable), e.g. -e ex03_aspirin")
    parser.add_argument("-j", "--jobs", type=int, default=jobs, help=f"exercises run in parallel (default {jobs})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_LIMITS.timeout,
                        help=f"wall-clock seconds per exercise (default {DEFAULT_LIMITS.timeout:g})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_LIMITS.memory_mb,
                        help=f"memory limit per exercise in MB (default {DEFAULT_LIMITS.memory_mb})")
    parser.add_argument("--output-kb", type=int, default=DEFAULT_LIMITS.output_kb,
                        help=f"stdout+stderr limit per exercise in KB (default {DEFAULT_LIMITS.output_kb})")
    parser.add_argument("--disk-mb", type=int, default=DEFAULT_LIMITS.disk_mb,
                        help=f"what an exercise may write to its folder, in MB (default {DEFAULT_LIMITS.disk_mb})")
    parser.add_argument("--jax-cache", default=None, type=Path,
                        help="JAX compilation cache shared by the runs (default: <instructor-root>/.jax_cache)")
    parser.add_argument("--catalog-cache", default=None, type=Path,
                        help="folder caching the checks' points table between runs "
                             "(default: $XDG_CACHE_HOME/course-autograder)")
    parser.add_argument("--no-prefork", action="store_true",
                        help="start every exercise as a new Python process instead of forking it from a "
                             "server that imported the libraries once (slower; for comparison)")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the temporary run folders (debugging)")
    parser.add_argument("--sandbox", choices=BACKENDS, default="auto",
                        help="where submission code runs: auto (default: bubblewrap when it works here, else an "
                             "error saying what to install), bwrap, docker or podman (image: `python -m autograder "
                             "image`), or none (no sandbox: only for code you trust; the reports say so)")
    parser.add_argument("--keep-compilations", action="store_true",
                        help="add the programs the sandboxed runs compiled to the JAX cache (for one student's own "
                             "grading, or the solutions; by default a run's writes never reach the shared cache)")


def grade_options(args: argparse.Namespace):
    from autograder.grade import GradeOptions

    limits = Limits(timeout=args.timeout, memory_mb=args.memory_mb, output_kb=args.output_kb, disk_mb=args.disk_mb)
    return GradeOptions(limits=limits, jobs=args.jobs, exercises=tuple(args.exercise), jax_cache=args.jax_cache,
                        catalog_cache=args.catalog_cache, prefork=not args.no_prefork,
                        keep_workdir=args.keep_workdir, sandbox=args.sandbox,
                        keep_compilations=args.keep_compilations)


def command_grade(args: argparse.Namespace) -> int:
    from autograder import report as report_module
    from autograder.grade import Grader
    from autograder.progress import CHECKS, QUIET, Progress

    with Grader(args.instructor_root, grade_options(args), Progress(QUIET if args.quiet else CHECKS)) as grader:
        report = grader.grade(args.path)
    paths = report_module.write_all(report, args.out)
    print(report_module.to_text(report))
    print(f"\nReports: {', '.join(str(path) for path in paths.values())}")
    return 0


def command_batch(args: argparse.Namespace) -> int:
    from autograder.batch import grade_folder

    if args.cluster:
        from autograder.cluster import parse

        parse(args.cluster)  # a bad form is reported before anything is read
    try:
        grade_folder(args.folder, args.out, instructor_root=args.instructor_root, options=grade_options(args),
                     students_in_parallel=args.students, cluster=args.cluster, worker_root=args.worker_root)
    except KeyboardInterrupt:
        return 130
    return 0


def command_release(args: argparse.Namespace) -> int:
    from autograder.release import build_release

    summary = build_release(args.out_dir, source=args.source, force=args.force)
    print(summary)
    return 0


def command_verify(args: argparse.Namespace) -> int:
    from autograder import manifest

    problems = manifest.verify(Path(args.root).resolve())
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        kind, _, name = problem.partition(": ")
        print(f"::warning file={name}::{name} {kind} since the release (CHECKSUMS.sha256)" if annotate else problem)
    if not (Path(args.root) / manifest.MANIFEST_NAME).is_file():
        print(f"no {manifest.MANIFEST_NAME} in {args.root}: nothing to verify")
    elif not problems:
        print("all checked files match the release manifest")
    return 1 if problems else 0


def command_image(args: argparse.Namespace) -> int:
    from autograder.image import build

    return build(Path(args.root).resolve(), args.engine)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission (a student's repository or its exercises/)")
    grade.add_argument("path", type=Path, help="submission folder (holding exercises/exNN_name.py)")
    grade.add_argument("--out", type=Path, default=Path("build/grade"),
                       help="folder for report.json, junit.xml, summary.md, classroom.json (default build/grade)")
    grade.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    add_grading_options(grade, jobs=2)
    grade.set_defaults(run=command_grade)

    batch = commands.add_parser("batch", help="grade a folder of submissions, one sub-folder per student")
    batch.add_argument("folder", type=Path, help="folder with one sub-folder per student")
    batch.add_argument("--out", type=Path, default=Path("build/batch"),
                       help="folder for grades.csv, feedback/ and reports/ (default build/batch)")
    batch.add_argument("-s", "--students", type=int, default=2,
                       help="students graded in parallel on this machine (default 2; not with --cluster)")
    batch.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster: tcp://HOST:8786 (an existing scheduler) or local:N (N worker "
                            "processes here); an interrupted batch run again grades only what is missing")
    batch.add_argument("--worker-root", default=None, type=Path,
                       help="with --cluster: where the course tree (same checks) is on the workers' machines "
                            "(default: the instructor root's path)")
    add_grading_options(batch, jobs=1)
    batch.set_defaults(run=command_batch)

    release = commands.add_parser("release", help="build the repository students receive")
    release.add_argument("out_dir", type=Path, help="new folder for the student repository")
    release.add_argument("--source", type=Path, default=None, help="instructor tree (default: this repository)")
    release.add_argument("--force", action="store_true", help="replace out_dir if it exists")
    release.set_defaults(run=command_release)

    verify = commands.add_parser("verify", help="compare check files with the release manifest")
    verify.add_argument("root", nargs="?", default=".", help="repository root (default .)")
    verify.set_defaults(run=command_verify)

    image = commands.add_parser("image", help="build the container image of --sandbox docker/podman")
    image.add_argument("--engine", choices=("docker", "podman"), default="docker", help="container engine")
    image.add_argument("--root", default=".", help="repository holding requirements.txt (default .)")
    image.set_defaults(run=command_image)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, FileExistsError, RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
