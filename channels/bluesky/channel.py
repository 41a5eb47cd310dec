"""The Bluesky channel: render, validate, publish (putRecord once), find_existing, check."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    ChannelError,
    CheckResult,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.bluesky.errors import classify, sdk_failures, xrpc_error
from channels.bluesky.keys import KeyBase, created_at, key_base
from channels.bluesky.media import image_facts, image_problems
from channels.bluesky.session import LoginRefused, SavedSession, logged_in_client, session_file
from channels.bluesky.settings import (
    CARD_DESCRIPTION,
    ELLIPSIS,
    LIMIT,
    MAX_IMAGES,
    POST,
    UNIT,
    BlueskySettings,
)
from channels.bluesky.text import add_hashtags, facets, fits, graphemes, mentions, split_thread
from channels.media import read_image
from channels.microblog import compose, in_thread
from channels.sessions import SessionFile
from crosspost.domain import Item
from crosspost.i18n import _
from crosspost.text import markdown_to_plain

if TYPE_CHECKING:
    from atproto import Client


# Named after the package: the channel type is what people filter logs by.
log = logging.getLogger("channels.bluesky")


@dataclass(frozen=True)
class Posted:
    """A post of the thread that is on Bluesky: its strong reference."""

    uri: str
    cid: str

    def ref(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


class Connection:
    """A logged-in client and the account's DID, logged in again on demand."""

    def __init__(self, login: Callable[..., tuple[Client, str]]) -> None:
        self._login = login
        self.client, self.did = login()

    def reconnect(self, *, fresh: bool) -> None:
        self.close()
        self.client, self.did = self._login(fresh=fresh)

    def close(self) -> None:
        self.client.request.close()


class BlueskyChannel(Channel):
    """Posts to Bluesky: one post or a thread, with images and alt text, or a link card."""

    Settings = BlueskySettings
    default_label = "Bluesky"
    #: The lookup reads the exact record key back: "not there" is the truth.
    supports_lookup = True
    #: A record is readable as soon as putRecord has committed it.
    settling_delay = timedelta(seconds=30)

    @property
    def bsky(self) -> BlueskySettings:
        assert isinstance(self.settings, BlueskySettings)
        return self.settings

    # ------------------------------------------------------------ render

    def render(self, item: Item, context: RenderContext) -> Rendered:
        text, warnings = self._compose(item, context)
        if self.bsky.hashtags:
            text = add_hashtags(text, item.tags)
        length = graphemes(text)
        parts = [text]
        if not fits(text):
            parts = split_thread(text)
            warnings.append(
                _(
                    "post is {length}/{limit} graphemes (characters as people see them); "
                    "it will be sent as a {count}-post thread"
                ).format(length=length, limit=LIMIT, count=len(parts))
            )
        return Rendered(
            channel=self.name,
            text="\n\n".join(parts),
            parts=tuple(parts),
            request=self._request(parts, item, context),
            length=length,
            limit=LIMIT,
            unit=UNIT,
            warnings=tuple(warnings),
        )

    @staticmethod
    def _compose(item: Item, context: RenderContext) -> tuple[str, list[str]]:
        """The post before any cut, and warnings: an announcement's link is its card."""
        head, link, warnings = compose(item, context)
        if context.role == "announce":
            return head, warnings
        return "\n\n".join(part for part in (head, link) if part), warnings

    def _request(self, parts: Sequence[str], item: Item, context: RenderContext) -> dict[str, Any]:
        """What putRecord receives; what only publication knows is shown as <...>."""
        posts: list[dict[str, Any]] = []
        for number, text in enumerate(parts, start=1):
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": "<the delivery's due time>",
                "langs": [self.bsky.language],
            }
            found = [] if context.checking else facets(text)
            found += [
                {
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#mention", "did": f"<DID of @{handle}>"}
                    ],
                }
                for handle, start, end in ([] if context.checking else mentions(text))
            ]
            if found:
                record["facets"] = sorted(found, key=lambda f: f["index"]["byteStart"])
            if number > 1:
                record["reply"] = {"root": "<post 1>", "parent": f"<post {number - 1}>"}
            posts.append({"rkey": f"<record key {number} of the delivery>", "record": record})
        request: dict[str, Any] = {
            "endpoint": f"POST {self.bsky.service}/xrpc/com.atproto.repo.putRecord",
            "collection": POST,
            "swapRecord": None,
            "posts": posts,
        }
        images = [image_facts(item.image_path, item.image_alt)] if item.image_path else []
        if context.role == "announce" and context.announced_url:
            card: dict[str, Any] = {
                "uri": context.announced_url,
                "title": item.title,
                "description": _card_description(item),
            }
            if images:
                card["thumb"] = images[0]
            request["card"] = card
            posts[0]["record"]["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {**card, **({"thumb": "<uploaded image>"} if images else {})},
            }
        elif images:
            request["images"] = images
            posts[0]["record"]["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": m["alt"], "image": "<uploaded image>"} for m in images],
            }
        return request

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = super().validate(rendered)
        if not any(part.strip() for part in rendered.parts):
            problems.append(Problem("error", _("there is nothing to post")))
        images = rendered.request.get("images") or []
        if len(images) > MAX_IMAGES:
            problems.append(
                Problem(
                    "error",
                    _("{count} images; Bluesky takes up to {most}").format(
                        count=len(images), most=MAX_IMAGES
                    ),
                )
            )
        for media in images:
            problems += image_problems(media)
        thumb = (rendered.request.get("card") or {}).get("thumb")
        if thumb:
            problems += [p for p in image_problems(thumb) if p.level == "error"]
        return problems

    # ------------------------------------------------------------ publish

    def publish(self, job: PublishJob) -> Receipt:
        parts = job.rendered.parts
        progress = self._progress(job)
        posted = [Posted(**p) for p in progress.get("posts") or []]
        if len(posted) >= len(parts):
            return self._receipt(posted)
        base = KeyBase(int(progress["tid_base"]), int(progress["tid_clock"]))
        with self._connected() as connection:
            embed = None if posted else self._embed(connection.client, job.rendered.request)
            resolved: dict[str, str | None] = {}
            for index in range(len(posted), len(parts)):
                record = self._record(
                    connection.client, parts[index], str(progress["created_at"]), posted, resolved
                )
                if index == 0 and embed is not None:
                    record["embed"] = embed
                try:
                    posted.append(self._put_once_more(connection, base.rkey(index), record))
                except ChannelError as error:
                    raise self._in_thread(error, index, len(parts), posted) from None
                job.save_progress({**progress, "posts": [p.__dict__ for p in posted]})
        return self._receipt(posted)

    def _put_once_more(self, connection: Connection, rkey: str, record: dict[str, Any]) -> Posted:
        """putRecord; if the access token is refused (expired early, or revoked), refresh it
        or log in again, and send the same record once more."""
        try:
            return self._put(connection.client, connection.did, rkey, record)
        except AuthExpired:
            connection.reconnect(fresh=True)
            return self._put(connection.client, connection.did, rkey, record)

    def _progress(self, job: PublishJob) -> dict[str, Any]:
        """The delivery's record keys and createdAt, chosen once and saved before any write,
        so a rescheduled delivery still uses the keys of its first try."""
        progress = dict(job.delivery.progress or {})
        if "tid_base" not in progress:
            progress.update(_keys_of(job))
            job.save_progress(progress)
        return progress

    def _record(
        self,
        client: Client,
        text: str,
        when: str,
        posted: Sequence[Posted],
        resolved: dict[str, str | None],
    ) -> dict[str, Any]:
        """The exact record of one post: the same on every try of the delivery."""
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": when,
            "langs": [self.bsky.language],
        }
        found = facets(text)
        for handle, start, end in mentions(text):
            if handle not in resolved:
                resolved[handle] = self._resolve(client, handle)
            did = resolved[handle]
            if did:
                found.append(
                    {
                        "index": {"byteStart": start, "byteEnd": end},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                    }
                )
        if found:
            record["facets"] = sorted(found, key=lambda f: f["index"]["byteStart"])
        if posted:
            record["reply"] = {"root": posted[0].ref(), "parent": posted[-1].ref()}
        return record

    def _resolve(self, client: Client, handle: str) -> str | None:
        """The DID of `handle`, or None when it does not resolve (the mention stays text)."""
        from atproto_client import models
        from atproto_client.exceptions import BadRequestError

        try:
            answer = client.com.atproto.identity.resolve_handle(
                models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
            )
        except BadRequestError:
            log.info("%s: @%s does not resolve; it stays plain text", self.name, handle)
            return None
        except sdk_failures() as exc:
            raise classify(exc, may_publish=False, doing=f"resolving @{handle}") from None
        return str(answer.did)

    def _put(self, client: Client, did: str, rkey: str, record: dict[str, Any]) -> Posted:
        """putRecord with swapRecord null: written once; a repeat finds it there."""
        body = {
            "repo": did,
            "collection": POST,
            "rkey": rkey,
            "record": record,
            "swapRecord": None,  # the SDK's models would drop a None: the raw JSON keeps it
        }
        try:
            answer = client.invoke_procedure(
                "com.atproto.repo.putRecord",
                content=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
            )
        except sdk_failures() as exc:
            status, name, _ = xrpc_error(exc)
            if status == 400 and name == "InvalidSwap":
                # Something is already at our key: an earlier try of this delivery made it.
                existing = self._get(client, did, rkey)
                if existing is None:
                    raise Ambiguous(
                        f"Bluesky says a post exists at {rkey} but does not show it"
                    ) from None
                log.info("%s: post %s was already on Bluesky; not sent again", self.name, rkey)
                return existing
            raise classify(exc, may_publish=True, doing="publishing the post") from None
        content = answer.content if isinstance(answer.content, dict) else {}
        if not content.get("uri") or not content.get("cid"):
            raise Ambiguous("Bluesky accepted the post but its answer holds no uri")
        if "commit" not in content:
            log.info("%s: post %s was already on Bluesky, unchanged", self.name, rkey)
        return Posted(uri=str(content["uri"]), cid=str(content["cid"]))

    def _get(self, client: Client, did: str, rkey: str) -> Posted | None:
        """The record at `rkey` (getRecord), or None when Bluesky says it is not there."""
        from atproto_client import models

        try:
            answer = client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=rkey)
            )
        except sdk_failures() as exc:
            status, name, _ = xrpc_error(exc)
            if status == 400 and name == "RecordNotFound":
                return None
            raise classify(exc, may_publish=False, doing="looking for the post") from None
        if not answer.cid:
            return None
        return Posted(uri=str(answer.uri), cid=str(answer.cid))

    def _embed(self, client: Client, request: dict[str, Any]) -> dict[str, Any] | None:
        """The images or the link card of the first post, images uploaded as blobs."""
        card = request.get("card")
        if card:
            external = {k: card[k] for k in ("uri", "title", "description")}
            if card.get("thumb"):
                external["thumb"] = self._upload(client, card["thumb"])
            return {"$type": "app.bsky.embed.external", "external": external}
        images = request.get("images") or []
        if not images:
            return None
        return {
            "$type": "app.bsky.embed.images",
            "images": [{"alt": m["alt"], "image": self._upload(client, m)} for m in images],
        }

    def _upload(self, client: Client, media: dict[str, Any]) -> dict[str, Any]:
        """uploadBlob: the blob reference a record points to (the same bytes, the same blob)."""
        path = Path(media["file"])
        content = read_image(path)
        try:
            answer = client.invoke_procedure(
                "com.atproto.repo.uploadBlob",
                content=content,
                headers={"Content-Type": media.get("media_type") or "application/octet-stream"},
            )
        except sdk_failures() as exc:
            error = classify(exc, may_publish=False, doing=f"uploading the image {path.name}")
            raise error from None
        blob = answer.content.get("blob") if isinstance(answer.content, dict) else None
        if not isinstance(blob, dict):
            raise Transient(f"Bluesky's answer to the upload of {path.name} could not be read")
        return blob

    def _in_thread(
        self, error: ChannelError, index: int, count: int, posted: Sequence[Posted]
    ) -> ChannelError:
        """`error`, telling the officer where a thread stands when part of it is out."""
        first = self._url(posted[0].uri) if posted else None
        return in_thread(
            error, index=index, count=count, posted=len(posted), first_url=first, platform="Bluesky"
        )

    def _receipt(self, posted: Sequence[Posted]) -> Receipt:
        return Receipt(
            remote_id=posted[0].uri,
            url=self._url(posted[0].uri),
            published_at=datetime.now(UTC),
            detail={"uris": [p.uri for p in posted]},
        )

    def _url(self, uri: str) -> str:
        """at://did/app.bsky.feed.post/rkey -> its page on bsky.app."""
        did, _, rkey = uri.removeprefix("at://").partition(f"/{POST}/")
        return f"https://bsky.app/profile/{self._handle() or did}/post/{rkey}"

    # ------------------------------------------------------------ session

    def _handle(self) -> str | None:
        s = self.bsky
        if s.handle:
            return s.handle
        return (
            self.secrets.get(s.handle_env).lstrip("@") if self.secrets.has(s.handle_env) else None
        )

    def _session_file(self) -> SessionFile[SavedSession]:
        return session_file(self.bsky.session_file, self.name)

    @contextmanager
    def _connected(self) -> Iterator[Connection]:
        """A logged-in connection to the account's server, closed after use."""
        connection = Connection(self._session)
        try:
            yield connection
        finally:
            connection.close()

    def _session(self, *, fresh: bool = False) -> tuple[Client, str]:
        """A logged-in client and the account's DID (the saved session when it still works)."""
        s = self.bsky
        handle = self._handle()
        if not handle:
            raise AuthExpired(
                f"the Bluesky handle is missing: set `handle` in the channel's settings "
                f"or {s.handle_env}"
            )
        if not self.secrets.has(s.app_password_env):
            raise AuthExpired(
                f"the Bluesky app password is missing: set {s.app_password_env} "
                "(Bluesky: Settings > Privacy and security > App passwords)"
            )
        try:
            client = logged_in_client(
                self._session_file(),
                service=s.service,
                handle=handle,
                app_password=lambda: self.secrets.get(s.app_password_env),
                timeout=s.timeout,
                fresh=fresh,
            )
        except LoginRefused as exc:
            raise AuthExpired(
                f"Bluesky refused the handle {handle} with the app password in "
                f"{s.app_password_env} ({exc}): create a new app password"
            ) from None
        except sdk_failures() as exc:
            raise classify(exc, may_publish=False, doing="logging in") from None
        session = _session_did(client)
        return client, session

    # ------------------------------------------------------------ lookup and check

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The posts this delivery's record keys hold: exact, so None means "not there".

        Posts found are saved as progress, so a retry only sends what is really missing.
        """
        progress = dict(job.delivery.progress or {})
        if "tid_base" not in progress:
            # The keys are saved before any write, but the ledger may not hold them (its
            # save failed, the progress was cleared): they are the delivery's own, so look.
            progress.update(_keys_of(job))
        base = KeyBase(int(progress["tid_base"]), int(progress["tid_clock"]))
        posted = [Posted(**p) for p in progress.get("posts") or []]
        with self._connected() as connection:
            for index in range(len(posted), len(job.rendered.parts)):
                existing = self._get(connection.client, connection.did, base.rkey(index))
                if existing is None:
                    break
                posted.append(existing)
        if len(posted) > len(progress.get("posts") or []):
            job.save_progress({**progress, "posts": [p.__dict__ for p in posted]})
        return self._receipt(posted) if len(posted) >= len(job.rendered.parts) else None

    def check(self) -> CheckResult:
        """Log in (or resume the saved session) and resolve the handle to the same account."""
        with self._connected() as connection:
            did = connection.did
            handle = self._handle() or ""
            resolved = self._resolve(connection.client, handle)
        if resolved is None:
            said = _("logged in, but the handle @{handle} does not resolve")
            return CheckResult(False, said.format(handle=handle))
        if resolved != did:
            return CheckResult(
                False,
                _("logged in as {did}, but @{handle} resolves to another account ({other})").format(
                    did=did, handle=handle, other=resolved
                ),
            )
        said = _("authenticated as @{handle} ({did})")
        return CheckResult(True, said.format(handle=handle, did=did))


def _keys_of(job: PublishJob) -> dict[str, Any]:
    """A delivery's record keys and createdAt, from its key and due time: the same on every
    try, and what a lookup finds the posts by."""
    base = key_base(job.idempotency_key, job.delivery.due_at)
    return {
        "tid_base": base.micros,
        "tid_clock": base.clock,
        "created_at": created_at(job.delivery.due_at),
        "posts": [],
    }


def _session_did(client: Client) -> str:
    from atproto_client.client.session import Session

    return str(Session.decode(client.export_session_string()).did)


def _card_description(item: Item) -> str:
    """The start of the item's text, for the link card."""
    text = re.sub(r"\s+", " ", markdown_to_plain(item.body)).strip()
    if graphemes(text) <= CARD_DESCRIPTION:
        return text
    import regex

    cut = "".join(regex.findall(r"\X", text)[:CARD_DESCRIPTION])
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + ELLIPSIS
