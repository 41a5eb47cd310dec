"""The Mobilizon channel: an event item becomes an event of the association's group.

What an officer sees on Mobilizon: an event page with the item's title, its dates
(`event_start`, and `event_end` when there is one) shown in the configured time zone,
the place, the picture with its alt text, and the body as HTML (Markdown rendered and
sanitised), then the item's link. The event page's URL is the receipt, so the routes
that announce it on Facebook, Mastodon or Bluesky (role "announce") link to it.

Exactly once: Mobilizon takes no idempotency key, so each event carries the delivery
key in its metadata (key "crosspost:delivery", shown on the page as "Référence
Crosspost"), which the group's event list gives back. `find_existing` reads that list,
newest first, back to a little before the delivery was first due or sent; when it
cannot read that far it says it cannot tell (Permanent), never "not there". The time
the first request went out is kept as progress before it is sent, so a new try looks
before sending again.
"""

from __future__ import annotations

import html
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    ChannelSettings,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.media import read_image
from channels.mobilizon import queries
from channels.mobilizon.api import GraphQL, Upload
from channels.mobilizon.errors import GROUP_RIGHTS, LoginRefused, TokenRefused
from channels.mobilizon.media import picture_problems, upload_name, upload_type
from channels.mobilizon.session import access_token, session_file
from channels.mobilizon.settings import MobilizonSettings
from crosspost.clock import utcnow
from crosspost.domain import Item
from crosspost.i18n import _
from crosspost.secrets import MissingSecret, SecretSource
from crosspost.text import (
    capitalise,
    event_when,
    markdown_to_html,
    markdown_to_plain,
    unique_names,
)

MARKER_KEY = "crosspost:delivery"
MARKER_TITLE = "Référence Crosspost"
#: Events read per page of the group's list, and pages read at most, by find_existing.
LOOKUP_PAGE = 50
LOOKUP_PAGES = 20
#: Looked back this much before the delivery's first due or sent time (clocks differ).
CLOCK_MARGIN = timedelta(minutes=10)
#: Roles of a group that may create its events (Mobilizon's Permission rules).
EVENT_ROLES = ("MODERATOR", "ADMINISTRATOR", "CREATOR")
TITLE_CHARS = (3, 200)
_POSTCODE_TOWN = re.compile(r"^(?P<code>\d{5})\s+(?P<town>\S.*)$")


@dataclass(frozen=True)
class Seat:
    """Where the channel publishes: the group, the profile, and what each may see or do."""

    group_id: str
    group_name: str
    organizer_id: str
    organizer: str
    #: The profile's role in the group (MemberRoleEnum), None when it is not a member.
    role: str | None
    #: Whether the account's default profile is a member (Mobilizon shows it drafts and
    #: unlisted or private events in the group's list only then).
    default_is_member: bool


class MobilizonChannel(Channel):
    """Events in a Mobilizon group, through its GraphQL API."""

    Settings: ClassVar[type[ChannelSettings]] = MobilizonSettings
    default_label = "Mobilizon"
    supports_lookup = True
    #: The kinds of item this channel publishes (config refuses routes sending others).
    only_kinds: ClassVar[tuple[str, ...]] = ("event",)
    #: Mobilizon creates the event within the request: one minute covers a slow answer.
    settling_delay = timedelta(minutes=1)

    def __init__(self, name: str, settings: ChannelSettings, secrets: SecretSource) -> None:
        super().__init__(name, settings, secrets)
        self.api = GraphQL(self.mz.instance_url, settings.timeout)
        self._seat: Seat | None = None

    @property
    def mz(self) -> MobilizonSettings:
        """The settings, typed as this adapter's."""
        assert isinstance(self.settings, MobilizonSettings)
        return self.settings

    # ------------------------------------------------------------ render & validate

    def render(self, item: Item, context: RenderContext) -> Rendered:
        """The event as Mobilizon will get it: `request["event"]` are createEvent's arguments
        (publish adds the organizer, the group, the picture's id and the marker)."""
        s = self.mz
        link = context.announced_url if context.role == "announce" else item.link
        description = markdown_to_html(item.body) if item.body.strip() else ""
        if link and link not in item.body:
            safe = html.escape(link, quote=True)
            more = f'<a href="{safe}">{html.escape(link)}</a>'
            description += f"\n<p>Plus d'informations : {more}</p>"
        event: dict[str, Any] = {
            "title": item.title.strip(),
            "description": description.strip() or f"<p>{html.escape(item.title.strip())}</p>",
            "beginsOn": _iso(item.event_start),
            "endsOn": _iso(item.event_end),
            "visibility": s.visibility.upper(),
            "joinOptions": s.join_options.upper(),
            "tags": unique_names(item.tags),
            "language": s.language,
            "options": {"timezone": context.timezone.key},
            "physicalAddress": address(item.location),
        }
        if s.category:
            event["category"] = s.category.upper()
        request: dict[str, Any] = {"group": s.group, "kind": item.kind, "event": event}
        if item.image_path:
            request["picture"] = {"path": item.image_path, "alt": item.image_alt or ""}
        if context.role == "announce":
            request["announces"] = context.announced_url
        when = (
            capitalise(event_when(item.event_start, item.event_end, context.timezone))
            if (item.event_start)
            else ""
        )
        lines = [item.title, when, item.location or "", markdown_to_plain(item.body), link or ""]
        text = "\n\n".join(line for line in lines if line)
        return Rendered(channel=self.name, text=text, parts=(text,), request=request)

    def validate(self, rendered: Rendered) -> list[Problem]:
        request = rendered.request
        event = request["event"]
        problems = super().validate(rendered)
        if request.get("kind") != "event":
            problems.append(
                Problem(
                    "error",
                    _(
                        "Mobilizon publishes events only, and this item is a {kind}: "
                        "route only events to {channel}"
                    ).format(kind=request.get("kind"), channel=self.name),
                )
            )
        if not event["beginsOn"]:
            problems.append(Problem("error", _("a Mobilizon event needs a start (event_start)")))
        elif event["endsOn"] and event["endsOn"] < event["beginsOn"]:
            problems.append(Problem("error", _("the event ends before it starts (event_end)")))
        low, high = TITLE_CHARS
        if not low <= len(event["title"]) <= high:
            problems.append(
                Problem(
                    "error",
                    _("Mobilizon wants a title of {low} to {high} characters").format(
                        low=low, high=high
                    ),
                )
            )
        if "announces" in request and not request["announces"]:
            problems.append(Problem("error", _("the announced post has no URL yet")))
        if request.get("picture"):
            problems.extend(picture_problems(request["picture"], self.mz.max_picture_bytes))
        return problems

    # ------------------------------------------------------------ publish & look up

    def publish(self, job: PublishJob) -> Receipt:
        progress = dict(job.delivery.progress or {})
        if progress.get("sent_at"):
            # An earlier try sent the event; its answer may have been lost.
            existing = self.find_existing(job)
            if existing is not None:
                return existing
        request = job.rendered.request
        if request.get("kind") != "event" or not request["event"]["beginsOn"]:
            raise Permanent(f"Mobilizon publishes events with a start date only ({self.name})")
        seat = self.seat()
        variables = {
            **{k: v for k, v in request["event"].items() if v not in (None, "")},
            "organizerActorId": seat.organizer_id,
            "attributedToId": seat.group_id,
            "draft": False,
            "metadata": [{"key": MARKER_KEY, "title": MARKER_TITLE, "value": job.idempotency_key}],
        }
        if request.get("picture"):
            variables["picture"] = {"mediaId": self._picture(job, progress)}
        progress.setdefault("sent_at", utcnow().isoformat())
        job.save_progress(progress)
        data = self._ask(queries.CREATE, variables, doing="creating the event", may_publish=True)
        event = data.get("createEvent")
        if not isinstance(event, dict) or not event.get("uuid"):
            raise Ambiguous("Mobilizon's answer to the new event has no event in it")
        return _receipt(event)

    def _picture(self, job: PublishJob, progress: dict[str, Any]) -> str:
        """The media id of the event's picture: uploaded once per delivery, with its alt."""
        picture = job.rendered.request["picture"]
        saved = progress.get("picture") or {}
        if saved.get("path") == picture["path"] and saved.get("media_id"):
            return str(saved["media_id"])
        path = Path(picture["path"])
        data = read_image(path, "picture")
        kind = upload_type(data)
        name = upload_name(path, kind)
        upload = Upload("picture", name, kind, data)
        variables = {"file": "picture", "name": name, "alt": picture.get("alt") or None}
        answer = self._ask(
            queries.UPLOAD, variables, doing=f"uploading the picture {path.name}", upload=upload
        )
        media = answer.get("uploadMedia") or {}
        if not media.get("id"):
            raise Transient(f"Mobilizon took the picture {path.name} but gave no media id")
        progress["picture"] = {"path": picture["path"], "media_id": str(media["id"])}
        job.save_progress(progress)
        return str(media["id"])

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The event carrying this delivery's key, among the group's events since it was due.

        The list is read newest first (by creation time) until an event older than the
        horizon, or its end. Raises Permanent when it cannot see that far: that is
        "cannot tell", never "not there".
        """
        if self.mz.visibility != "public" and not self.seat().default_is_member:
            raise Permanent(
                "the account's default profile is not a member of the group, so Mobilizon "
                "hides its unlisted and private events from it, and Crosspost cannot tell "
                "whether the event went out: look on Mobilizon"
            )
        horizon = _horizon(job)
        seen = 0
        for page in range(1, LOOKUP_PAGES + 1):
            variables = {"name": self.mz.group, "page": page, "limit": LOOKUP_PAGE}
            data = self._ask(
                queries.GROUP_EVENTS, variables, doing="looking for the event in the group"
            )
            listing = (data.get("group") or {}).get("organizedEvents")
            if not isinstance(listing, dict) or not isinstance(listing.get("elements"), list):
                raise Transient(
                    "Mobilizon listed the group's events in a form Crosspost cannot read"
                )
            elements = [e for e in listing["elements"] if isinstance(e, dict)]
            for event in elements:
                if _marker(event) == job.idempotency_key:
                    return _receipt(event)
            seen += len(elements)
            created = [t for t in map(_inserted_at, elements) if t is not None]
            if created and min(created) < horizon:
                return None
            if seen >= int(listing.get("total") or 0):
                return None  # every event of the group has been seen
            if len(elements) < LOOKUP_PAGE:
                raise Transient(
                    "the group's event list changed while Crosspost read it; it will look again"
                )
        raise Permanent(
            f"more than {LOOKUP_PAGE * LOOKUP_PAGES:,} events in the group since this one "
            "was due, so Crosspost cannot tell whether it went out: look on Mobilizon"
        )

    # ------------------------------------------------------------ check

    def check(self) -> CheckResult:
        """Log in (or resume the session), find the profile and the group, and its rights."""
        seat = self.seat(fresh=True)
        who = (
            f"logged in to {self.mz.instance_url} as @{seat.organizer}, "
            f"{(seat.role or 'not a member').lower()} of the group {seat.group_name} "
            f"(@{self.mz.group})"
        )
        if seat.role not in EVENT_ROLES:
            return CheckResult(False, f"{who}: {GROUP_RIGHTS}")
        return CheckResult(True, who)

    # ------------------------------------------------------------ the account

    def seat(self, *, fresh: bool = False) -> Seat:
        """The group and the profile, looked up once per process."""
        if self._seat is not None and not fresh:
            return self._seat
        s = self.mz
        group = self._ask(queries.GROUP, {"name": s.group}, doing="finding the group").get("group")
        if not isinstance(group, dict) or not group.get("id"):
            raise Permanent(f"Mobilizon has no group @{s.group} on {s.instance_url}")
        user = self._ask(queries.WHO, {"groupId": group["id"]}, doing="reading the profiles")
        logged = user.get("loggedUser") or {}
        profiles = [p for p in logged.get("actors") or [] if isinstance(p, dict)]
        default = logged.get("defaultActor") or (profiles[0] if profiles else {})
        wanted = s.identity or default.get("preferredUsername")
        profile = next((p for p in profiles if p.get("preferredUsername") == wanted), None)
        if profile is None:
            names = ", ".join(f"@{p.get('preferredUsername')}" for p in profiles) or "none"
            raise Permanent(
                f"this Mobilizon account has no profile @{wanted} (identity); its profiles: {names}"
            )
        self._seat = Seat(
            group_id=str(group["id"]),
            group_name=str(group.get("name") or s.group),
            organizer_id=str(profile["id"]),
            organizer=str(profile["preferredUsername"]),
            role=_role(profile),
            default_is_member=_role(default) not in (None, "INVITED", "NOT_APPROVED", "REJECTED"),
        )
        return self._seat

    def _ask(
        self,
        query: str,
        variables: dict[str, Any],
        *,
        doing: str,
        may_publish: bool = False,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        """One authenticated call; a refused token is renewed once, then the call repeated
        (a refused token is refused before anything is done, so repeating is safe)."""
        try:
            token = self._token()
            return self.api.call(
                query, variables, token=token, doing=doing, may_publish=may_publish, upload=upload
            )
        except TokenRefused:
            token = self._token(fresh=True)
        try:
            return self.api.call(
                query, variables, token=token, doing=doing, may_publish=may_publish, upload=upload
            )
        except TokenRefused as refused:
            raise AuthExpired(f"{refused.message}; {self._credentials_hint()}") from refused

    def _token(self, *, fresh: bool = False) -> str:
        s = self.mz
        store = session_file(s.session_file, self.name)
        try:
            email = s.email or self.secrets.get(s.email_env)
            return access_token(
                store,
                self.api,
                email=email,
                password=lambda: self.secrets.get(s.password_env),
                fresh=fresh,
            )
        except MissingSecret as missing:
            raise AuthExpired(f"{missing}; {self._credentials_hint()}") from missing
        except LoginRefused as refused:
            raise AuthExpired(f"{refused.message}: {self._credentials_hint()}") from refused

    def _credentials_hint(self) -> str:
        s = self.mz
        email = f"email = {s.email!r}" if s.email else s.email_env
        return f"check the account's e-mail ({email}) and password ({s.password_env})"


# ---------------------------------------------------------------- small helpers


def address(location: str | None) -> dict[str, str] | None:
    """A Mobilizon address from the place as typed: its name, and the town when given.

    "Salle des fêtes, 12 rue de la Paix, 69001 Lyon" keeps the whole text as the
    description (what Mobilizon shows first), "69001" as postal code and "Lyon" as
    locality (what its lists and search use).
    """
    if not location or not location.strip():
        return None
    place = location.strip()
    parts = [p.strip() for p in place.split(",") if p.strip()]
    found: dict[str, str] = {"description": place}
    if len(parts) > 1:
        last = _POSTCODE_TOWN.match(parts[-1])
        if last:
            found.update(postalCode=last["code"], locality=last["town"])
        else:
            found["locality"] = parts[-1]
        if len(parts) > 2 and parts[-2][:1].isdigit():
            found["street"] = parts[-2]
    return found


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _role(profile: dict[str, Any]) -> str | None:
    memberships = (profile.get("memberships") or {}).get("elements") or []
    roles = [m.get("role") for m in memberships if isinstance(m, dict)]
    return str(roles[0]) if roles else None


def _marker(event: dict[str, Any]) -> str | None:
    for item in event.get("metadata") or []:
        if isinstance(item, dict) and item.get("key") == MARKER_KEY:
            return str(item.get("value"))
    return None


def _inserted_at(event: dict[str, Any]) -> datetime | None:
    with suppress(TypeError, ValueError):
        return datetime.fromisoformat(str(event["insertedAt"]).replace("Z", "+00:00"))
    return None


def _horizon(job: PublishJob) -> datetime:
    """How far back an earlier try's event can be: its first due, attempt or send time."""
    delivery = job.delivery
    times = [delivery.due_at, *(a.started_at for a in delivery.attempt_history)]
    sent = (delivery.progress or {}).get("sent_at")
    with suppress(TypeError, ValueError):
        times.append(datetime.fromisoformat(str(sent)))
    aware = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
    return min(aware) - CLOCK_MARGIN


def _receipt(event: dict[str, Any]) -> Receipt:
    return Receipt(
        remote_id=str(event["uuid"]),
        url=str(event.get("url") or "") or None,
        published_at=_inserted_at(event) or utcnow(),
        detail={"id": event.get("id")},
    )
