"""Jobs the tests of ``core.jobs`` enqueue (a job must live at module level, where a worker can import it)."""

from __future__ import annotations

from core.jobs import JobFailed, job

#: What the jobs did, in this process (tests running jobs in-process read it).
CALLS: list[str] = []


@job()
def noop() -> str:
    """Does nothing, successfully."""
    CALLS.append("noop")
    return "done"


@job(attempts=3)
def flaky(label: str) -> None:
    """Always fails with an error a retry might fix."""
    CALLS.append(f"flaky {label}")
    raise RuntimeError(f"flaky {label} failed")


@job()
def refused() -> None:
    """Fails for a reason a retry cannot fix."""
    CALLS.append("refused")
    raise JobFailed("the input is wrong")
