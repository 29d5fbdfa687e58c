"""The documentation's examples, run: every command shown with its output is executed and its output compared.

An example is a fenced block whose info string is `console`, in README.md or any page under docs/. In it, a line that
starts with `$ ` is a command (a line ending in a backslash continues it, and a here-document `<<'EOF'` takes the
lines up to its terminator), and the lines after it, up to the next command, are its expected standard output. Comparison is line by line, with trailing spaces ignored, and two
wildcards for what differs from run to run (primes drawn from the system's entropy, probabilities, times):
- a line that is exactly `...` matches any number of lines (none included);
- `...` inside a line matches any text within that line.
Standard error is not compared (progress goes there); an example that shows an error writes `2>&1`. A command's exit
status is not checked either: its output is. An example that imports torch runs where torch is importable, and is
skipped elsewhere (CI has no torch).

A block whose info string is `console slow` holds a whole study that takes minutes (a recorded run, shown with `...`
where times stand). Its commands run only when HESSIAN_RANK_SLOW_DOCS=1 is set, best with a release build, as
`bash .ci/slow-docs` does:

    swift build -c release
    HESSIAN_RANK=$PWD/.build/release/hessian-rank HESSIAN_RANK_SLOW_DOCS=1 python3 -m pytest Tests/python/test_docs.py

Every slow block has a quick `console` neighbour on its page (a few of its points, `--only`, or a smaller grid) that
runs on every test run, so the format and the first rows cannot drift unseen.

The commands of one page run in order, in one fresh working directory per page (so a page may write a file and read it
in a later example), through bash, with the `hessian-rank` under test first on PATH (`swift build --show-bin-path`, or
$HESSIAN_RANK) and the directory of the Python running the tests (`python3` is that interpreter) on PATH, and
OPENBLAS_NUM_THREADS=1.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from test_fixtures import binary

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))


HEREDOC = re.compile(r"<<-?\s*'?([A-Za-z_]+)'?")


SLOW = os.environ.get("HESSIAN_RANK_SLOW_DOCS") == "1"


def examples(page):
    """(line number, command, expected output lines, slow) for every command of every console block of `page`."""
    found = []
    lines = page.read_text().split("\n")
    in_block = False
    slow = False
    command = None
    heredoc = None
    for number, line in enumerate(lines, start=1):
        if heredoc:
            # A here-document's lines belong to the command, up to its terminator.
            command = (command[0], command[1] + "\n" + line, command[2], command[3])
            if line.strip() == heredoc:
                heredoc = None
            continue
        if line.startswith("```"):
            if in_block:
                if command:
                    found.append(command)
                command = None
            info = line[3:].split()
            in_block = not in_block and info[:1] == ["console"]
            slow = info == ["console", "slow"]
            continue
        if not in_block:
            continue
        if command and command[1].endswith("\\") and not command[2]:
            command = (command[0], command[1][:-1].rstrip() + " " + line.strip(), command[2], command[3])
            heredoc = (HEREDOC.search(line) or [None, None])[1]
        elif line.startswith("$ "):
            if command:
                found.append(command)
            command = (number, line[2:], [], slow)
            heredoc = (HEREDOC.search(line) or [None, None])[1]
        elif command:
            command[2].append(line)
    return found


def matches(expected, actual):
    """Whether the output lines `actual` match the expected lines with their wildcards."""
    def line_pattern(line):
        return re.compile("^" + ".*".join(re.escape(part) for part in line.rstrip().split("...")) + "$")

    patterns = [None if line.strip() == "..." else line_pattern(line) for line in expected]

    def match(i, j):
        if i == len(patterns):
            return j == len(actual)
        if patterns[i] is None:
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and patterns[i].match(actual[j].rstrip()) is not None and match(i + 1, j + 1)

    return match(0, 0)


def test_heredoc_and_continuation(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```console\n$ python3 - <<'EOF'\nprint(1)\nEOF\n1\n$ echo a \\\n    b\na b\n```\n"
                    "```console slow\n$ sleep 600\n```\n```sh\n$ not an example\n```\n")
    assert examples(page) == [(2, "python3 - <<'EOF'\nprint(1)\nEOF", ["1"], False), (6, "echo a b", ["a b"], False),
                              (11, "sleep 600", [], True)]


def test_matcher_wildcards():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert matches(["primes: ... (drawn)"], ["primes: 123, 456 (drawn)"])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "extra"])
    assert not matches(["x ... y"], ["x z"])


CASES = [(page, example) for page in PAGES for example in examples(page)]


def test_the_docs_have_examples():
    assert len(CASES) >= 10, "the pages' console blocks were not found"


def test_every_slow_block_has_a_quick_neighbour():
    """A slow example's subcommand and study also run quickly on the same page, so CI sees its output's shape."""
    def key(command):
        words = command.split()
        study = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--study", "--loss")]
        return (words[1] if len(words) > 1 else "", tuple(study))

    for page in PAGES:
        cases = examples(page)
        quick = {key(command) for _, command, _, slow in cases if not slow}
        for number, command, _, slow in cases:
            if slow:
                assert key(command) in quick, f"{page.relative_to(ROOT)}:{number}: `{command}` has no quick example"


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory):
    """One working directory per page, kept across that page's examples; the binary first on PATH."""
    bin_dir = tmp_path_factory.mktemp("bin")
    (bin_dir / "hessian-rank").symlink_to(binary())
    return {"bin": bin_dir, "pages": {}, "factory": tmp_path_factory}


@pytest.mark.parametrize("page,example", CASES,
                         ids=[f"{page.relative_to(ROOT)}:{example[0]}" for page, example in CASES])
def test_example(page, example, workdirs):
    number, command, expected, slow = example
    if slow and not SLOW:
        pytest.skip("a slow example (minutes): set HESSIAN_RANK_SLOW_DOCS=1 to run it")
    if re.search(r"^import torch|^\s*import torch|import torch,", command, re.M):
        pytest.importorskip("torch")
    pages = workdirs["pages"]
    if page not in pages:
        pages[page] = workdirs["factory"].mktemp(page.stem)
    # `python3` in an example is the interpreter running these tests (the one that has the package, and torch if any).
    python_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=f"{workdirs['bin']}:{python_dir}:{os.environ['PATH']}", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(["bash", "-c", command], cwd=pages[page], env=env, capture_output=True, text=True,
                            timeout=3600 if slow else 600)
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    actual = result.stdout.rstrip("\n").split("\n") if result.stdout.strip() else []
    assert matches(expected, actual), (
        f"{page.relative_to(ROOT)}:{number}: `{command}` printed\n" + result.stdout + "\nstderr:\n" + result.stderr[-2000:]
        + "\nexpected:\n" + "\n".join(expected))
