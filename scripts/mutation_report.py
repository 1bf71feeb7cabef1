#!/usr/bin/env python3
"""Per-file mutation scores from the last `mutmut run`, and every mutant that was not killed.

    .venv/bin/python scripts/mutation_report.py [--min 90] [--no-diff]

Run from the repository root after `make mutation` (or `mutmut run`). Prints one line per
mutated file (`path  killed/total  NN.N%`), then each mutant that was not killed with its
file:line and what it changed, and exits 1 when a file scores under --min percent (or when the
run did not check every mutant). Killed means a test failed, timed out, or crashed on the
mutant; a mutant without tests, a surviving one and a suspicious one all count against the
score; mutants skipped by `# pragma: no mutate` are left out of the total, and lines matched
by do_not_mutate_patterns get no mutants at all (they are listed under the scores).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
import tomllib
from pathlib import Path

#: mutmut 3's exit codes (mutmut.stats.status_by_exit_code), so this script reads the results
#: even where mutmut is not installed.
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    2: "interrupted",
    None: "not checked",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    37: "type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
}
DETECTED = {"killed", "timeout", "type check", "segfault"}
SEPARATOR = "ǁ"  # mutmut's class-name separator in mutant names


def mutmut_config(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]


def unmutated_lines(root: Path, config: dict) -> list[str]:
    """`path:line, line` of the lines that do_not_mutate_patterns keeps out of the run."""
    patterns = [re.compile(p) for p in config.get("do_not_mutate_patterns", [])]
    found = []
    for path in config["only_mutate"]:
        lines = (root / path).read_text("utf-8").splitlines()
        numbers = [
            str(n) for n, line in enumerate(lines, 1) if any(p.search(line) for p in patterns)
        ]
        if numbers:
            found.append(f"{path}:{','.join(numbers)}")
    return found


def status_of(exit_code) -> str:
    return STATUS.get(exit_code, "suspicious")


def function_of(mutant: str) -> tuple[str, str | None]:
    """(function name, class name or None) of a mutant like pkg.mod.xǁClassǁname__mutmut_3."""
    mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if SEPARATOR in mangled:
        _x, class_name, name = mangled.split(SEPARATOR)
        return name, class_name
    return mangled.removeprefix("x_"), None


def def_lines(source: str) -> dict[tuple[str, str | None], int]:
    """Line of each top-level function's and method's `def`."""
    lines = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines[(node.name, None)] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines[(item.name, node.name)] = item.lineno
    return lines


class MutatedFile:
    """A mutated copy under mutants/ (parsed once): the functions mutmut generated in it."""

    def __init__(self, root: Path, path: str):
        self.original_defs = def_lines((root / path).read_text("utf-8"))
        mutated_path = root / "mutants" / path
        text = mutated_path.read_text("utf-8") if mutated_path.exists() else ""
        lines = text.splitlines()
        self.functions = {}
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and "__mutmut_" in node.name
            ):
                self.functions[node.name] = lines[node.lineno - 1 : node.end_lineno]

    def _named(self, generated: str, name: str) -> list[str]:
        """A generated function's lines, with its original name back on the `def` line."""
        lines = list(self.functions.get(generated, []))
        if lines:
            lines[0] = lines[0].replace(generated, name, 1)
        return lines

    def changes(self, mutant: str) -> tuple[int | None, list[str]]:
        """(file line of the first change, diff lines) of one mutant."""
        name, class_name = function_of(mutant)
        mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
        orig = self._named(mangled + "__mutmut_orig", name)
        changed = self._named(mutant.rpartition(".")[2], name)
        start = self.original_defs.get((name, class_name))
        first, diff = None, []
        matcher = difflib.SequenceMatcher(None, orig, changed, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if first is None and start is not None:
                first = start + i1  # line 0 of both is the `def` line, which is renamed
            diff += [f"- {line.strip()}" for line in orig[i1:i2]]
            diff += [f"+ {line.strip()}" for line in changed[j1:j2]]
        return first, diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="lowest passing score, %%")
    parser.add_argument("--no-diff", action="store_true", help="list survivors without diffs")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    root = args.root

    summary, survivors, unchecked = [], [], 0
    config = mutmut_config(root)
    for path in config["only_mutate"]:
        meta_path = root / "mutants" / f"{path}.meta"
        if not meta_path.exists():
            summary.append((path, 0, 0, None))
            continue
        exit_codes = json.loads(meta_path.read_text("utf-8"))["exit_code_by_key"]
        statuses = {mutant: status_of(code) for mutant, code in exit_codes.items()}
        counted = {m: s for m, s in statuses.items() if s != "skipped"}
        killed = sum(1 for s in counted.values() if s in DETECTED)
        summary.append(
            (path, killed, len(counted), 100 * killed / len(counted) if counted else 100.0)
        )
        unchecked += sum(1 for s in counted.values() if s in ("not checked", "interrupted"))
        survivors += [
            (path, m, s) for m, s in sorted(counted.items(), key=_natural) if s not in DETECTED
        ]

    width = max(len(path) for path, *_ in summary)
    lines = [
        f"{path:<{width}}  {killed:>4}/{total:<4}  "
        + ("  no results (run `make mutation`)" if score is None else f"{score:5.1f}%")
        for path, killed, total, score in summary
    ]
    print("Mutation score per file (killed / total):")
    print("\n".join("  " + line for line in lines))
    left_out = unmutated_lines(root, config)
    if left_out:
        print("Not mutated (do_not_mutate_patterns in pyproject.toml): " + "; ".join(left_out))

    if survivors:
        print(f"\nNot killed ({len(survivors)}):")
    files = {}
    for path, mutant, status in survivors:
        if path not in files:
            files[path] = MutatedFile(root, path)
        line, diff = files[path].changes(mutant)
        where = f"{path}:{line}" if line else path
        print(f"\n  {where}  {status}  {mutant}")
        if not args.no_diff:
            print("\n".join(f"      {d}" for d in diff))

    failing = [path for path, _k, _t, score in summary if score is None or score < args.min]
    print()
    print("\n".join("  " + line for line in lines))
    if unchecked:
        print(f"{unchecked} mutants were not checked: the run was interrupted")
    if failing or unchecked:
        print(f"under {args.min:g}% killed: {', '.join(failing) or 'none'}")
        return 1
    print(f"every file at or above {args.min:g}% killed")
    return 0


def _natural(item):
    mutant = item[0]
    prefix, _, number = mutant.rpartition("__mutmut_")
    return prefix, int(number) if number.isdigit() else 0


if __name__ == "__main__":
    sys.exit(main())
