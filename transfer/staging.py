"""Where an uploaded import waits between its preview and its confirmation.

The file is kept in a staging folder, named by a random token held in the user's session together with the file's
SHA-256, so a confirmation can only apply the very bytes its user previewed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

#: Session key holding the staged uploads: {token: {"sha256", "filename", "create_missing", "signature"}}.
SESSION_KEY = "recommendation_imports"
#: Staged files older than this are removed (seconds).
STAGING_MAX_AGE = 24 * 3600
#: Most staged uploads one session keeps.
STAGING_PER_SESSION = 5


def _staging_dir() -> Path:
    """Where uploads wait for confirmation (settings.IMPORT_STAGING_DIR, else a folder in the system temp dir)."""
    folder = Path(getattr(settings, "IMPORT_STAGING_DIR", "") or Path(tempfile.gettempdir()) / "recommendation-imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stage(request: HttpRequest, *, content: bytes, filename: str, create_missing: bool, signature: str) -> str:
    """Keep an upload for its confirmation; return the token that names it. Old staged files are removed."""
    folder = _staging_dir()
    now = time.time()
    for old in folder.glob("*.upload"):
        with contextlib.suppress(OSError):  # another process may have removed it first
            if now - old.stat().st_mtime > STAGING_MAX_AGE:
                old.unlink()
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(content)
    staged = dict(request.session.get(SESSION_KEY, {}))
    for stale in list(staged)[: max(0, len(staged) - STAGING_PER_SESSION + 1)]:
        _unlink(stale)
        del staged[stale]
    staged[token] = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "filename": filename,
        "create_missing": create_missing,
        "signature": signature,
    }
    request.session[SESSION_KEY] = staged
    return token


def _unlink(token: str) -> None:
    """Remove a staged file, if it is still there."""
    with contextlib.suppress(OSError):
        os.unlink(_staging_dir() / f"{token}.upload")


def staged_upload(request: HttpRequest, token: str) -> tuple[dict[str, Any], bytes] | None:
    """The session's record of a staged upload and its bytes, or None if unknown, gone or altered."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None:
        return None
    try:
        content = (_staging_dir() / f"{token}.upload").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return None
    return entry, content


def discard(request: HttpRequest, token: str) -> None:
    """Forget a staged upload: its file and its session record."""
    _unlink(token)
    staged = dict(request.session.get(SESSION_KEY, {}))
    staged.pop(token, None)
    request.session[SESSION_KEY] = staged
