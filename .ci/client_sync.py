"""A short sync with a client generated from the live schema (run by .ci/generated-client, not by the test suite).

It does what an integrator's tool does, using only the generated package's typed calls and models: a full walk of
the recommendations by ``next_cursor``, the change feed by ``next_after``, a conditional update with ``If-Match``
(and a stale one, reading ``current_version`` from the typed 412), an idempotent create (the retry's typed 409 names
the existing object) and a deletion. Any surprise is a failure with a message; the exit status says which.

Usage: python client_sync.py BASE_URL POLICY_TOKEN ADMIN_TOKEN BUNDLE.json
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter
from typing import Any

from tracker_client import AuthenticatedClient
from tracker_client.api.changes import changes_retrieve
from tracker_client.api.me import me_retrieve
from tracker_client.api.recommendations import (
    recommendations_create,
    recommendations_destroy,
    recommendations_list,
    recommendations_partial_update,
    recommendations_retrieve,
)
from tracker_client.models import (
    AlreadyExistsError,
    ChangeFeedPage,
    PaginatedRecommendationList,
    PartnerAssignmentRequest,
    PatchedRecommendationWriteRequest,
    PreconditionFailedError,
    Recommendation,
    RecommendationChange,
    RecommendationsListOrderingItem,
    RecommendationWriteRequest,
    StatusEnum,
)


class SyncFailed(Exception):
    """What the client saw differs from what the API promises."""


def report(line: str) -> None:
    """A line of progress on standard output."""
    sys.stdout.write(line + "\n")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SyncFailed(message)


def walk(client: AuthenticatedClient) -> list[Recommendation]:
    """Every recommendation, a small page at a time, newest target date first, following ``next_cursor``."""
    seen: list[Recommendation] = []
    cursor: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"page_size": 7, "ordering": [RecommendationsListOrderingItem.TARGET_DATE_DESC]}
        if cursor:
            kwargs["cursor"] = cursor
        response = recommendations_list.sync_detailed(client=client, **kwargs)
        page = response.parsed
        check(isinstance(page, PaginatedRecommendationList), f"list page: {response.status_code} {response.content!r}")
        assert isinstance(page, PaginatedRecommendationList)
        pages += 1
        seen.extend(page.results)
        link = response.headers.get("Link", "")
        check((page.next_cursor is None) == ('rel="next"' not in link), f"Link header and next_cursor differ: {link}")
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        check(pages < 1000, "the walk does not end")
    ids = [r.id for r in seen]
    check(len(ids) == len(set(ids)), "the walk returned a recommendation twice")
    report(f"walk: {len(seen)} recommendations in {pages} pages")
    return seen


def feed(client: AuthenticatedClient, after: int = 0) -> tuple[list[Any], int]:
    """Every change after ``after``, following ``next_after``; returns them and where to poll next."""
    changes: list[Any] = []
    while True:
        response = changes_retrieve.sync_detailed(client=client, after=after, limit=20)
        page = response.parsed
        check(isinstance(page, ChangeFeedPage), f"feed page: {response.status_code} {response.content!r}")
        assert isinstance(page, ChangeFeedPage)
        changes.extend(page.results)
        if page.next_after is None:
            return changes, max([after, page.last_seq])
        after = page.next_after


def main(base_url: str, policy_token: str, admin_token: str, bundle_path: str) -> None:
    with open(bundle_path, encoding="utf-8") as handle:
        bundle = json.load(handle)
    policy = AuthenticatedClient(base_url=base_url, token=policy_token, raise_on_unexpected_status=True)
    admin = AuthenticatedClient(base_url=base_url, token=admin_token, raise_on_unexpected_status=True)

    me = me_retrieve.sync(client=policy)
    check(me is not None and me.username == "ci-policy", f"me: {me}")

    # 1. Full walk: exactly the shipped recommendations.
    walked = walk(policy)
    expected = {item["reference"] for item in bundle["recommendations"]}
    check({r.reference for r in walked} == expected, "the walk does not return the shipped recommendations")

    # 2. The feed from the start: one typed "created" change per shipped object, told apart by object_type.
    changes, last_seq = feed(policy)
    kinds = Counter(type(change).__name__ for change in changes)
    report(f"feed: {len(changes)} changes up to seq {last_seq}: {dict(kinds)}")
    created = {c.data.reference for c in changes if isinstance(c, RecommendationChange) and c.action == "created"}
    check(created == expected, "the feed does not create every shipped recommendation")
    check(kinds["PartnerChange"] >= len(bundle["partners"]), "the feed misses partners")

    # 3. A conditional update: If-Match with the ETag read; a stale one gets a typed 412 with the current version.
    target = walked[0]
    read = recommendations_retrieve.sync_detailed(target.id, client=policy)
    etag = read.headers["ETag"]
    note = PatchedRecommendationWriteRequest(status=StatusEnum.UNDER_REVIEW, status_note="Raised at the 2+2.")
    changed = recommendations_partial_update.sync_detailed(target.id, client=policy, body=note, if_match=etag)
    check(isinstance(changed.parsed, Recommendation), f"update: {changed.status_code} {changed.content!r}")
    assert isinstance(changed.parsed, Recommendation)
    check(changed.parsed.status == StatusEnum.UNDER_REVIEW, "the update did not change the status")
    check(changed.headers["ETag"] != etag, "the ETag did not change with the update")
    stale = recommendations_partial_update.sync_detailed(
        target.id, client=policy, body=PatchedRecommendationWriteRequest(team="Stale team"), if_match=etag
    )
    check(isinstance(stale.parsed, PreconditionFailedError), f"stale update: {stale.status_code} {stale.content!r}")
    assert isinstance(stale.parsed, PreconditionFailedError)
    check(f'"{stale.parsed.current_version}"' == changed.headers["ETag"], "412 names another version than the ETag")
    report(f"update: {target.reference} now {changed.parsed.status.value}; stale If-Match answered 412")

    # 4. An idempotent create: the retry with the same id answers a typed 409 naming the object, writes nothing.
    new_id = uuid.uuid4()
    body = RecommendationWriteRequest(
        id=new_id,
        reference=f"CI-{new_id.hex[:8]}",
        title="Hold an annual Japan-Philippines coast guard exercise",
        description="Made by the generated client's sync in CI.",
        source=bundle["sources"][0]["slug"],
        partners=[PartnerAssignmentRequest(slug=bundle["partners"][0]["slug"])],
    )
    first = recommendations_create.sync_detailed(client=policy, body=body)
    check(isinstance(first.parsed, Recommendation), f"create: {first.status_code} {first.content!r}")
    retry = recommendations_create.sync_detailed(client=policy, body=body)
    check(isinstance(retry.parsed, AlreadyExistsError), f"retried create: {retry.status_code} {retry.content!r}")
    assert isinstance(retry.parsed, AlreadyExistsError)
    check(retry.parsed.id == new_id and retry.headers["Location"] == retry.parsed.url, "409 does not name the object")
    check(len(walk(policy)) == len(walked) + 1, "the retried create wrote a second recommendation")

    # 5. A deletion (administrators delete), conditional like every write; then the object is gone.
    current = recommendations_retrieve.sync_detailed(new_id, client=admin)
    gone = recommendations_destroy.sync_detailed(new_id, client=admin, if_match=current.headers["ETag"])
    check(gone.status_code == 204, f"delete: {gone.status_code} {gone.content!r}")
    after = recommendations_retrieve.sync_detailed(new_id, client=admin)
    check(after.status_code == 404, f"read after delete: {after.status_code}")

    # 6. The feed since step 2 tells the whole story, in order.
    story, _ = feed(policy, after=last_seq)
    mine = [c.action.value for c in story if isinstance(c, RecommendationChange) and c.object_id == new_id]
    check(mine == ["created", "deleted"], f"the feed says {mine} for the created and deleted recommendation")
    updated = [c for c in story if isinstance(c, RecommendationChange) and c.object_id == target.id]
    check([c.action.value for c in updated] == ["updated"], "the feed misses the update")
    report("sync: walk, feed, update with If-Match, idempotent create and delete all behaved as documented")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except SyncFailed as failure:
        sys.exit(f"generated client sync failed: {failure}")
