"""Where an uploaded import waits between its preview and its confirmation.

The file is kept in a staging folder, named by a random token held in the user's session together with the file's
SHA-256, so a confirmation can only apply the very bytes its user previewed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

#: Session key holding the staged uploads: {token: {"sha256", "filename", "create_missing", "signature"}}.
SESSION_KEY = "recommendation_imports"
#: Staged files older than this are removed (seconds).
STAGING_MAX_AGE = 24 * 3600
#: Most staged uploads one session keeps.
STAGING_PER_SESSION = 5


class StagingError(Exception):
    """The staging folder cannot be used safely (another user owns it, or others may write to it)."""


def _staging_dir() -> Path:
    """Where uploads wait for confirmation: settings.IMPORT_STAGING_DIR, else a folder of this user's in the system's
    temporary folder. It is created private (0700); an existing one must be ours and writable by nobody else, or
    someone else could read or swap the files a confirmation applies."""
    default = Path(tempfile.gettempdir()) / f"recommendation-imports-{os.geteuid()}"
    folder = Path(getattr(settings, "IMPORT_STAGING_DIR", "") or default)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.lstat()
    except OSError as error:
        raise StagingError(
            _("The import staging folder %(folder)s cannot be used: %(error)s")
            % {"folder": folder, "error": error.strerror}
        ) from error
    if stat.S_ISLNK(status.st_mode) or not stat.S_ISDIR(status.st_mode):
        raise StagingError(_("The import staging folder %(folder)s is not a folder.") % {"folder": folder})
    if status.st_uid != os.geteuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise StagingError(
            _(
                "The import staging folder %(folder)s belongs to another user or others may write to it; nothing "
                "is staged there. An administrator should make it private (chmod 700) or set IMPORT_STAGING_DIR."
            )
            % {"folder": folder}
        )
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
    # Created new (never an existing file or link), readable by this user only.
    descriptor = os.open(folder / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
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
