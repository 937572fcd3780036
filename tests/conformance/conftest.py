"""Per-file pass/skip counts of the conformance cases, printed after the run."""

from __future__ import annotations

from collections import Counter
from typing import Any

_counts: dict[str, Counter[str]] = {}


def pytest_runtest_logreport(report: Any) -> None:
    if "test_conformance.py::test_case[" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        name = report.nodeid.split("[", 1)[1].split("::", 1)[0]
        _counts.setdefault(name, Counter())[report.outcome] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _counts:
        return
    terminalreporter.section("protocol conformance")
    total: Counter[str] = Counter()
    for name in sorted(_counts):
        c = _counts[name]
        total.update(c)
        terminalreporter.write_line(
            f"{name}: {c['passed']} passed, {c['skipped']} skipped, {c['failed']} failed"
        )
    terminalreporter.write_line(
        f"all files: {total['passed']} passed, {total['skipped']} skipped, {total['failed']} failed"
    )
