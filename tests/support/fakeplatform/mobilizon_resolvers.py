"""The root fields of the fake Mobilizon: what each query and mutation does and refuses."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from tests.support.fakeplatform.media import sniff_image
from tests.support.fakeplatform.mobilizon_state import (
    EVENT_ROLES,
    NOT_LOGGED_IN,
    Account,
    Caller,
    MobilizonError,
    StoredMedia,
    media_view,
    validation,
)
from tests.support.fakeplatform.platform import Env

if TYPE_CHECKING:
    from tests.support.fakeplatform.mobilizon import Mobilizon

UPLOAD_LIMIT = 10_485_760
ALLOWED_MIME = ("image/gif", "image/jpeg", "image/png", "image/webp")


class Resolvers:
    """The root fields, resolved for one request (graphql-core calls them with info, args)."""

    def __init__(self, platform: Mobilizon, caller: Caller, env: Env) -> None:
        self.p = platform
        self.caller = caller
        self.env = env
        self.base = env.base_url

    def _account(self) -> Account:
        if self.caller.account is None:
            raise MobilizonError(*NOT_LOGGED_IN)
        return self.caller.account

    # ---------------------------------------------------------------- queries

    def loggedUser(self, _info: Any) -> dict[str, Any]:
        return self._user(self._account())

    def _user(self, account: Account) -> dict[str, Any]:
        people = [self.p._person_view(self.p.people[i], self.base) for i in account.person_ids]
        return {
            "id": account.user_id,
            "email": account.email,
            "role": "USER",
            "actors": people,
            "defaultActor": people[0],
        }

    def loggedPerson(self, _info: Any) -> dict[str, Any]:
        account = self._account()
        return self.p._person_view(self.p.people[account.person_ids[0]], self.base)

    def identities(self, _info: Any) -> list[dict[str, Any]]:
        account = self._account()
        return [self.p._person_view(self.p.people[i], self.base) for i in account.person_ids]

    def group(self, _info: Any, preferredUsername: str) -> dict[str, Any]:
        group = self.p._group_named(preferredUsername)
        if group is None:
            raise MobilizonError("Group not found", "group_not_found", 404)
        return self.p._group_view(group, self.base, self.caller)

    def event(self, _info: Any, uuid: str) -> dict[str, Any]:
        with self.p._lock:
            found = next((e for e in self.p._events.values() if e.uuid == uuid), None)
        account = self.caller.account
        if found is not None and found.args.get("draft"):
            owner = self.p.people.get(found.organizer_id)
            if account is None or owner is None or owner.user_id != account.user_id:
                found = None
        if found is None:
            raise MobilizonError("Event not found", "event_not_found", 404)
        return self.p._event_view(found, self.base)

    # ---------------------------------------------------------------- mutations

    def login(self, _info: Any, email: str, password: str) -> dict[str, Any]:
        self.p._hit(self.caller.ip, "login:ip")
        self.p._hit(email.lower(), "login:email")
        account = next(
            (a for a in self.p.accounts.values() if a.email.lower() == email.lower()), None
        )
        if account is None:
            raise MobilizonError("User not found", "user_not_found", 404)
        if not hmac.compare_digest(account.password.encode(), password.encode()):
            raise MobilizonError(
                "Impossible to authenticate, either your email or password are invalid."
            )
        self.p.logins += 1
        return self._tokens(account) | {"user": self._user(account)}

    def refreshToken(self, _info: Any, refreshToken: str) -> dict[str, Any]:
        claims, _reason = self.p.tokens.verify(refreshToken, "refresh")
        with self.p._lock:
            user_id = self.p._refresh_tokens.pop(claims["jti"], None) if claims else None
        account = self.p.accounts.get(user_id) if user_id else None
        if account is None:
            raise MobilizonError("Cannot refresh the token")
        self.p.refreshes += 1
        return self._tokens(account)

    def _tokens(self, account: Account) -> dict[str, Any]:
        access, _ = self.p.tokens.issue(account.user_id, "access")
        refresh, jti = self.p.tokens.issue(account.user_id, "refresh")
        with self.p._lock:
            self.p._refresh_tokens[jti] = account.user_id
        return {"accessToken": access, "refreshToken": refresh}

    def uploadMedia(
        self,
        _info: Any,
        name: str,
        file: str,
        alt: str | None = None,
        actorId: str | None = None,
    ) -> dict[str, Any]:
        account = self._account()
        self.p._hit(account.user_id, "uploadMedia")
        media = self._store_upload(account, name, alt, file, actorId)
        return media_view(media)

    def _store_upload(
        self, account: Account, name: str, alt: str | None, part: str, actor_id: str | None
    ) -> StoredMedia:
        upload = self.caller.uploads.get(part)
        if upload is None:
            raise GraphQLError('Argument "file" has invalid value $file.')
        if len(upload.data) > UPLOAD_LIMIT:
            raise MobilizonError("file_too_large", "file_too_large", 422)
        info = sniff_image(upload.data)
        if info is None or info.mime not in ALLOWED_MIME:
            raise MobilizonError("File doesn't have an allowed MIME type.")
        digest = hashlib.sha256(upload.data).hexdigest()
        extension = info.mime.split("/")[1].replace("jpeg", "jpg")
        url = f"{self.base}/media/{digest}.{extension}?name={name}"
        with self.p._lock:
            media = StoredMedia(
                str(next(self.p._ids)),
                name,
                alt,
                url,
                info.mime,
                len(upload.data),
                info.width,
                info.height,
                actor_id or account.person_ids[0],
            )
            self.p._media[media.id] = media
        return media

    def createEvent(self, _info: Any, **args: Any) -> dict[str, Any]:
        account = self._account()
        self.p._hit(account.user_id, "createEvent")
        organizer = args["organizerActorId"]
        if organizer not in account.person_ids:
            raise MobilizonError("Organizer profile is not owned by the user")
        external = args.get("joinOptions") == "EXTERNAL" or args.get("externalParticipationUrl")
        if external and not self.p.event_external:
            raise MobilizonError("Providing external registration is not allowed")
        group_id = args.get("attributedToId")
        if group_id is not None:
            group = self.p.groups.get(group_id)
            if group is None or self.p._member_role(organizer, group) not in EVENT_ROLES:
                raise MobilizonError(
                    "Organizer profile doesn't have permission to create an event on behalf "
                    "of this group"
                )
        _check_changeset(args)
        picture = args.get("picture") or {}
        if picture.get("media"):
            inline = picture["media"]
            media = self._store_upload(
                account, inline["name"], inline.get("alt"), inline.get("file") or "", organizer
            )
            args["picture"] = {"mediaId": media.id}
        elif picture.get("mediaId") and picture["mediaId"] not in self.p._media:
            raise MobilizonError("Resource not found", "not_found", 404)
        args["description"] = _scrub(args["description"])
        event = self.p._store_event(args, organizer, group_id, self.p.now())
        recorded = {k: v for k, v in args.items() if k not in ("beginsOn", "endsOn")}
        recorded["beginsOn"] = args["beginsOn"].isoformat()
        if args.get("endsOn"):
            recorded["endsOn"] = args["endsOn"].isoformat()
        self.env.record("event", event.id, recorded, post_id=event.uuid)
        return self.p._event_view(event, self.base)


# ---------------------------------------------------------------- helpers


def _check_changeset(args: dict[str, Any]) -> None:
    """Event.changeset's validations, with Ecto's messages."""
    title = args["title"]
    if len(title) < 3:
        raise validation("title", "should be at least 3 character(s)")
    if len(title) > 200:
        raise validation("title", "should be at most 200 character(s)")
    ends = args.get("endsOn")
    if ends is not None and ends < args["beginsOn"]:
        raise MobilizonError(
            ["ends_on cannot be set before begins_on"], "validation", 422, "ends_on"
        )


def _scrub(html: str) -> str:
    """What Mobilizon's HTML sanitiser surely drops: scripts, styles and event handlers."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", html)
    return re.sub(r"(?i)\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", "", html)
