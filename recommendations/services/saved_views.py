"""Write services of saved views: create, rename or share, and delete named filters of the list or the report.

A view's ``query`` is read by the one ``RecommendationFilterSet``: a parameter it does not know, or a value it refuses,
is a validation error naming the parameter. Sharing with a role is for members of that role and administrators;
sharing with everyone, and changing the tracker's own views (no owner), for administrators.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _

from core.changes import atomic_write
from core.models import field_max_length
from core.roles import ASSESSORS, MANAGERS, POLICY_TEAM

from ..choices import SavedViewPage, SharedWith
from ..filtersets import FILTER_PARAMS, MAX_STALE_DAYS, RecommendationFilterSet
from ..models import SavedView

#: The role group each role share names (``core.roles``).
SHARED_ROLE_GROUPS = {
    SharedWith.POLICY_TEAM: POLICY_TEAM,
    SharedWith.MANAGERS: MANAGERS,
    SharedWith.ASSESSORS: ASSESSORS,
}
#: Parameters a page reads besides the filters: the list's sort order, the report's idle days (``reports.forms``).
PAGE_PARAMS = {SavedViewPage.LIST: ("ordering",), SavedViewPage.REPORT: ("stale_days",)}

User = AuthUser | AnonymousUser


def _is_admin(user: User) -> bool:
    return bool(getattr(user, "is_superuser", False))


def user_role_shares(user: User) -> set[str]:
    """The role shares a user belongs to (administrators: every role)."""
    if not user.is_authenticated:
        return set()
    if _is_admin(user):
        return set(SHARED_ROLE_GROUPS)
    cached: set[str] | None = getattr(user, "_saved_view_role_shares", None)
    if cached is None:  # once per request: the menu and the form both ask
        names = set(user.groups.values_list("name", flat=True))
        cached = {share for share, group in SHARED_ROLE_GROUPS.items() if group in names}
        setattr(user, "_saved_view_role_shares", cached)  # noqa: B010
    return set(cached)


def shares_allowed(user: User) -> list[str]:
    """Who a user may share a view with: nobody, the roles they have, and (administrators) everyone."""
    allowed = [SharedWith.NOBODY.value]
    if _is_admin(user):
        allowed.append(SharedWith.EVERYONE.value)
    allowed += [share.value for share in SHARED_ROLE_GROUPS if share in user_role_shares(user)]
    return allowed


def can_edit_saved_view(user: User, view: SavedView) -> bool:
    """Whether a user may rename, share or delete a view: its owner, or an administrator."""
    if _is_admin(user):
        return True
    return view.owner_id is not None and view.owner_id == getattr(user, "pk", None)


def clean_saved_view_query(query: str, page: str) -> str:
    """The query string of a page's filters, normalised (no empty values, no page number); ValidationError if invalid.

    Every parameter must be one the page reads, and every value one the ``RecommendationFilterSet`` accepts.
    """
    if page not in SavedViewPage.values:
        raise ValidationError({"page": _("Choose the list or the report.")})
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("page", None)
    known = {*FILTER_PARAMS, *PAGE_PARAMS[SavedViewPage(page)]}
    unknown = sorted(key for key in params if key not in known)
    if unknown:
        raise ValidationError({"query": _("Unknown filters: %(names)s.") % {"names": ", ".join(unknown)}})
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            cleaned.setlist(key, kept)
    days = cleaned.getlist("stale_days")
    if days and (len(days) > 1 or not days[0].isdigit() or not 1 <= int(days[0]) <= MAX_STALE_DAYS):
        raise ValidationError(
            {"query": _("stale_days: give a whole number of days from 1 to %(max)d.") % {"max": MAX_STALE_DAYS}}
        )
    filterset = RecommendationFilterSet(cleaned)
    if not filterset.is_valid():
        lines = [f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in filterset.errors.items()]
        raise ValidationError({"query": _("Invalid filters: %(errors)s") % {"errors": "; ".join(lines)}})
    encoded = cleaned.urlencode()
    if len(encoded) > field_max_length(SavedView, "query"):
        raise ValidationError({"query": _("These filters are too long to save.")})
    return encoded


def _clean_names(name_ja: str, name_en: str) -> tuple[str, str]:
    names = (name_ja.strip(), name_en.strip())
    if not any(names):
        raise ValidationError({"name": _("Give the view a name.")})
    limit = field_max_length(SavedView, "name")
    if any(len(name) > limit for name in names):
        raise ValidationError({"name": _("A name has at most %(limit)d characters.") % {"limit": limit}})
    return names


def _check_share(user: User, shared_with: str, current: str | None = None) -> str:
    if shared_with not in SharedWith.values:
        raise ValidationError({"shared_with": _("Choose who sees the view.")})
    if shared_with != current and shared_with not in shares_allowed(user):
        raise ValidationError({"shared_with": _("You may share a view only with a role you have.")})
    return shared_with


@atomic_write
def saved_view_create(
    *, owner: User, page: str, query: str, name_ja: str = "", name_en: str = "", shared_with: str = ""
) -> SavedView:
    """Save a page's filters under a name, for the owner and whoever it is shared with."""
    if not isinstance(owner, AuthUser):
        raise PermissionDenied(_("Sign in to save a view."))
    cleaned_query = clean_saved_view_query(query, page)
    ja, en = _clean_names(name_ja, name_en)
    share = _check_share(owner, shared_with)
    return SavedView.objects.create(
        owner=owner, page=page, query=cleaned_query, name=en or ja, name_ja=ja, name_en=en, shared_with=share
    )


@atomic_write
def saved_view_update(
    *,
    view: SavedView,
    actor: User,
    name_ja: str,
    name_en: str,
    shared_with: str,
    page: str | None = None,
    query: str | None = None,
) -> SavedView:
    """Rename, re-share or re-filter a view (its owner, or an administrator; the tracker's own, administrators only)."""
    if not can_edit_saved_view(actor, view):
        raise PermissionDenied(_("Only the owner of a view or an administrator may change it."))
    if page is not None or query is not None:
        view.page = page if page is not None else view.page
        view.query = clean_saved_view_query(query if query is not None else view.query, view.page)
    ja, en = _clean_names(name_ja, name_en)
    share = _check_share(actor, shared_with, current=view.shared_with)
    if view.owner_id is None and not share:
        raise ValidationError({"shared_with": _("The tracker's own views must be shared.")})
    view.name, view.name_ja, view.name_en, view.shared_with = en or ja, ja, en, share
    view.save(update_fields=["name", "name_ja", "name_en", "shared_with", "page", "query", "updated_at"])
    return view


@atomic_write
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    """Delete a view (its owner, or an administrator; the tracker's own views, administrators only)."""
    if not can_edit_saved_view(actor, view):
        raise PermissionDenied(_("Only the owner of a view or an administrator may delete it."))
    view.delete()
