"""A fake Mobilizon instance: its GraphQL API at ``POST /api``, event pages and media.

What a client meets, as Mobilizon 5 does it:

- Queries are checked against the real schema's names (mobilizon_schema.py): a field or
  argument Mobilizon does not have fails validation, with HTTP 200 and ``errors``.
- ``login(email, password)`` gives a JWT access token valid 15 minutes (of the fake's
  clock: ``advance()``) and a refresh token valid 60 days and usable once:
  ``refreshToken`` revokes it and hands a new pair.
- A Bearer token that is expired, forged or garbled is refused before GraphQL, by the
  auth plug: HTTP 401 ``{"message": "invalid_token", "details": ":token_expired"}``. No
  token at all reaches GraphQL, where what needs a user answers "You need to be logged in".
- Resolver errors are HTTP 200 with ``data: {"createEvent": null}`` and ``errors`` in
  Mobilizon's shape: ``message`` (a list for changeset errors), ``code``, ``field``,
  ``status_code``, ``locations``, ``path``.
- ``uploadMedia`` takes Absinthe's multipart form (fields ``query`` and ``variables``, the
  ``file`` variable naming a part); gif, jpeg, png and webp up to 10 MB.
- ``createEvent`` checks the organizer belongs to the user and is at least a moderator of
  the ``attributedToId`` group, that ``endsOn`` is after ``beginsOn``, the title's 3 to
  200 characters, and refuses external registration (``externalParticipationUrl``) as an
  instance does unless its admin allowed it.
- ``group(preferredUsername).organizedEvents(page, limit, order, orderDirection)`` pages
  with ``total``: default page 1, limit 10, ordered by BEGINS_ON ascending; a member sees
  drafts and private events, others only public ones.
- Rate limits of Rajska: login 10 a minute per address and 5 per e-mail; createEvent and
  uploadMedia 60 a minute. A "429" fault is that answer ("Too many requests").
- A "5xx" fault is the 503 page of the nginx in front.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError, GraphQLSchema, execute_sync, parse, validate
from graphql.language import DocumentNode, FieldNode, OperationDefinitionNode, visit
from graphql.language.visitor import Visitor

from tests.support.fakeplatform.mobilizon_resolvers import Resolvers
from tests.support.fakeplatform.mobilizon_schema import build
from tests.support.fakeplatform.mobilizon_state import (
    EVENT_ROLES,
    Account,
    Caller,
    Group,
    MobilizonError,
    Person,
    StoredEvent,
    StoredMedia,
    ends_within,
    media_view,
    public,
    slug,
)
from tests.support.fakeplatform.mobilizon_tokens import Tokens
from tests.support.fakeplatform.platform import Env, Platform
from tests.support.fakeplatform.wire import (
    BadBody,
    Request,
    Response,
    html_response,
    json_response,
    parse_multipart,
)

ACCESS_TTL_S = 15 * 60
REFRESH_TTL_S = 60 * 86_400
MAX_COMPLEXITY = 300
#: Rajska.RateLimiter defaults: per minute.
RATE_WINDOW_S = 60.0
RATE_LIMITS = {"login:ip": 10, "login:email": 5, "createEvent": 60, "uploadMedia": 60}
CONTENT_TYPE = "application/json; charset=utf-8"


class Mobilizon(Platform):
    """One Mobilizon instance with one user, one profile and one group (more can be added)."""

    name = "mobilizon"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schema: GraphQLSchema = build()
        self.tokens = Tokens(self.clock)
        self._skew = 0.0
        #: The server's address, as the last request gave it (for events()).
        self._base_url = ""
        self.reset()

    # ------------------------------------------------------------ scripting (tests)

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._ids = itertools.count(100)
            self._events: dict[str, StoredEvent] = {}
            self._media: dict[str, StoredMedia] = {}
            self._addresses: dict[str, dict[str, Any]] = {}
            self._refresh_tokens: dict[str, str] = {}  # jti -> user id
            self._hits: dict[str, deque[float]] = defaultdict(deque)
            self.accounts: dict[str, Account] = {}
            self.people: dict[str, Person] = {}
            self.groups: dict[str, Group] = {}
            self.logins = 0
            self.refreshes = 0
            #: Whether the admin allowed external registration (off by default, as shipped).
            self.event_external = False
            self.rate_limits = dict(RATE_LIMITS)
        person = self.add_account(
            "communication@asso-exemple.fr", "mot de passe sûr", "chargee_com"
        )
        self.add_group("asso_exemple", "Association Exemple", {person.id: "ADMINISTRATOR"})

    def add_account(self, email: str, password: str, username: str) -> Person:
        """A user with one profile (person); returns the profile."""
        with self._lock:
            user_id, person_id = str(next(self._ids)), str(next(self._ids))
            person = Person(person_id, username, username.replace("_", " ").title(), user_id)
            self.people[person_id] = person
            self.accounts[user_id] = Account(user_id, email, password, [person_id])
        return person

    def add_group(self, username: str, name: str, members: dict[str, str]) -> Group:
        with self._lock:
            group = Group(str(next(self._ids)), username, name, dict(members))
            self.groups[group.id] = group
        return group

    def add_event(
        self,
        group: str,
        title: str,
        begins_on: datetime,
        *,
        inserted_at: datetime | None = None,
        visibility: str = "PUBLIC",
        draft: bool = False,
        metadata: list[dict[str, Any]] | None = None,
    ) -> StoredEvent:
        """An event made elsewhere (by someone else, earlier): for paging and lookups."""
        target = self._group_named(group)
        if target is None:
            raise ValueError(f"no group {group!r}")
        organizer = next(iter(target.members))
        args = {
            "title": title,
            "description": f"<p>{title}</p>",
            "beginsOn": begins_on.astimezone(UTC).replace(microsecond=0),
            "visibility": visibility,
            "draft": draft,
            "metadata": metadata or [],
        }
        return self._store_event(args, organizer, target.id, inserted_at or self.now())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC).replace(microsecond=0)

    def clock(self) -> float:
        """The fake's time: the machine's (time-machine moves it too) plus advance()."""
        return time.time() + self._skew

    def advance(self, seconds: float) -> None:
        """Move the fake's clock on (tokens expire, rate-limit windows pass)."""
        self._skew += seconds

    def revoke_sessions(self) -> None:
        """Every token given so far stops working (the instance's secret key changed)."""
        self.tokens = Tokens(self.clock)
        with self._lock:
            self._refresh_tokens.clear()

    def media(self) -> list[StoredMedia]:
        """Every uploaded media, oldest first."""
        with self._lock:
            return list(self._media.values())

    def events(self) -> list[dict[str, Any]]:
        """Every event, as createEvent answered it (for assertions)."""
        with self._lock:
            stored = list(self._events.values())
        return [self._event_view(e, self._base_url) for e in stored]

    # ------------------------------------------------------------ the Platform side

    def owns(self, request: Request) -> bool:
        return request.path in ("/api", "/api/") or request.path.startswith(
            ("/events/", "/media/", "/@")
        )

    def is_create(self, request: Request) -> bool:
        if request.method != "POST" or not request.path.startswith("/api"):
            return False
        try:
            query = _operation(request)[0]
        except (BadBody, ValueError):
            return False
        return re.search(r"\bcreateEvent\s*\(", query) is not None

    def handle(self, request: Request, env: Env) -> Response:
        self._base_url = env.base_url
        if not request.path.startswith("/api"):
            return self._page(request, env)
        try:
            query, variables, operation_name, uploads = _operation(request)
        except BadBody:
            return json_response(400, {"errors": {"detail": "Bad Request"}})
        if not query:
            return Response(400, b"No query document supplied", (("Content-Type", "text/plain"),))
        refused = self._authenticate(request)
        if isinstance(refused, Response):
            return refused
        caller = Caller(refused, request.header("x-forwarded-for") or "127.0.0.1", uploads)
        return self._graphql(query, variables, operation_name, caller, env)

    def unavailable(self, request: Request, env: Env) -> Response:
        page = (
            "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
            "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        )
        return html_response(503, page)

    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        try:
            query = _operation(request)[0]
            document = parse(query)
            fields = [_root_field(document) or "createEvent"]
        except Exception:
            fields = ["createEvent"]
        error = MobilizonError("Too many requests").payload
        payload = {"data": dict.fromkeys(fields), "errors": [{**error, "path": fields}]}
        return json_response(200, payload, content_type=CONTENT_TYPE)

    # ------------------------------------------------------------ auth plug

    def _authenticate(self, request: Request) -> Account | Response | None:
        """The user the Bearer token names; a 401 when a token is there but not valid."""
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token.strip():
            return None
        claims, reason = self.tokens.verify(token.strip(), "access")
        if claims is None:
            body = {"message": "invalid_token", "details": reason}
            return json_response(401, body, content_type="text/plain; charset=utf-8")
        account = self.accounts.get(claims["sub"].removeprefix("User:"))
        if account is None:
            body = {"message": "no_resource_found", "details": ":no_result"}
            return json_response(401, body, content_type="text/plain; charset=utf-8")
        return account

    # ------------------------------------------------------------ GraphQL

    def _graphql(
        self,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        caller: Caller,
        env: Env,
    ) -> Response:
        try:
            document = parse(query)
        except GraphQLError as error:
            return _answer({"errors": [_document_error(error)]})
        problems = validate(self._schema, document)
        if not problems:
            complexity = _complexity(document)
            if complexity > MAX_COMPLEXITY:
                name = operation_name or "anonymous"
                message = (
                    f"Operation {name} is too complex: complexity is {complexity} "
                    f"and maximum is {MAX_COMPLEXITY}"
                )
                problems = [GraphQLError(message)]
        if problems:
            return _answer({"errors": [_document_error(e) for e in problems]})
        resolvers = Resolvers(self, caller, env)
        result = execute_sync(
            self._schema,
            document,
            root_value=resolvers,
            variable_values=variables,
            operation_name=operation_name,
        )
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [_result_error(e) for e in result.errors]
        if result.data is not None or not result.errors:
            payload["data"] = result.data
        elif any(isinstance(e.original_error, MobilizonError) for e in result.errors):
            payload["data"] = None
        return _answer(payload)

    # ------------------------------------------------------------ state, under the lock

    def _group_named(self, name: str) -> Group | None:
        bare = name.removeprefix("@").split("@")[0]
        return next((g for g in self.groups.values() if g.preferred_username == bare), None)

    def _store_event(
        self, args: dict[str, Any], organizer: str, group_id: str | None, inserted: datetime
    ) -> StoredEvent:
        with self._lock:
            event_id = str(next(self._ids))
            address_id = None
            if args.get("physicalAddress"):
                address_id = str(next(self._ids))
                self._addresses[address_id] = {**args["physicalAddress"], "id": address_id}
            picture = args.get("picture") or {}
            event = StoredEvent(
                event_id,
                str(uuid.uuid4()),
                args,
                organizer,
                group_id,
                inserted,
                picture.get("mediaId"),
                address_id,
            )
            self._events[event_id] = event
        return event

    def _hit(self, key: str, limit_name: str) -> None:
        """Count one call against a Rajska rate limit; MobilizonError when over it."""
        now = self.clock()
        limit = self.rate_limits[limit_name]
        with self._lock:
            hits = self._hits[f"{limit_name}:{key}"]
            while hits and hits[0] <= now - RATE_WINDOW_S:
                hits.popleft()
            if len(hits) >= limit:
                raise MobilizonError("Too many requests")
            hits.append(now)

    def _member_role(self, person_id: str | None, group: Group) -> str | None:
        return group.members.get(person_id) if person_id else None

    def _is_member(self, account: Account | None, group: Group) -> bool:
        if account is None:
            return False
        role = self._member_role(account.person_ids[0], group)
        return role in ("MEMBER", *EVENT_ROLES)

    # ------------------------------------------------------------ views

    def _person_view(self, person: Person, base_url: str) -> dict[str, Any]:
        def memberships(
            _info: Any, page: int = 1, limit: int = 10, group: str | None = None, **args: Any
        ) -> dict[str, Any]:
            rows = [
                {"id": f"{g.id}-{person.id}", "role": role, "parent": self._group_view(g, base_url)}
                for g in self.groups.values()
                if (role := g.members.get(person.id))
                and (group is None or g.preferred_username == group.split("@")[0])
                and (args.get("groupId") in (None, g.id))
            ]
            return {"elements": rows[(page - 1) * limit : page * limit], "total": len(rows)}

        return {
            "__typename": "Person",
            "id": person.id,
            "url": f"{base_url}/@{person.preferred_username}",
            "type": "PERSON",
            "name": person.name,
            "domain": None,
            "local": True,
            "preferredUsername": person.preferred_username,
            "summary": "",
            "memberships": memberships,
        }

    def _group_view(
        self, group: Group, base_url: str, caller: Caller | None = None
    ) -> dict[str, Any]:
        def organized_events(_info: Any, **args: Any) -> dict[str, Any]:
            return self._organized(group, caller, base_url, **args)

        return {
            "__typename": "Group",
            "id": group.id,
            "url": f"{base_url}/@{group.preferred_username}",
            "type": "GROUP",
            "name": group.name,
            "domain": None,
            "local": True,
            "preferredUsername": group.preferred_username,
            "summary": "",
            "organizedEvents": organized_events,
        }

    def _organized(
        self,
        group: Group,
        caller: Caller | None,
        base_url: str,
        *,
        page: int,
        limit: int,
        order: str,
        orderDirection: str,
        afterDatetime: datetime | None = None,
        beforeDatetime: datetime | None = None,
    ) -> dict[str, Any]:
        if page < 1 or limit < 0:
            # OFFSET/LIMIT must not be negative: PostgreSQL refuses the query.
            raise MobilizonError("Something went wrong", "unknown", 500)
        member = caller is not None and self._is_member(caller.account, group)
        with self._lock:
            events = [e for e in self._events.values() if e.group_id == group.id]
        if not member:
            events = [e for e in events if public(e)]
        events = [e for e in events if ends_within(e, afterDatetime, beforeDatetime)]

        def key(event: StoredEvent) -> tuple[datetime, int]:
            # Ties (same second) in the order PostgreSQL would most likely return: by id.
            when = event.args["beginsOn"] if order == "BEGINS_ON" else event.inserted_at
            return when, int(event.id)

        events.sort(key=key, reverse=orderDirection == "DESC")
        chosen = events[(page - 1) * limit : page * limit]
        return {
            "elements": [self._event_view(e, base_url) for e in chosen],
            "total": len(events),
        }

    def _event_view(self, event: StoredEvent, base_url: str | None) -> dict[str, Any]:
        base = base_url or ""
        args = event.args
        picture = self._media.get(event.picture_id) if event.picture_id else None
        group = self.groups.get(event.group_id) if event.group_id else None
        organizer = self.people.get(event.organizer_id)
        return {
            "id": event.id,
            "uuid": event.uuid,
            "url": f"{base}/events/{event.uuid}",
            "local": True,
            "title": args["title"],
            "slug": slug(args["title"]),
            "description": args["description"],
            "beginsOn": args["beginsOn"],
            "endsOn": args.get("endsOn"),
            "status": args.get("status") or "CONFIRMED",
            "visibility": args.get("visibility", "PUBLIC"),
            "joinOptions": args.get("joinOptions", "FREE"),
            "externalParticipationUrl": args.get("externalParticipationUrl"),
            "picture": media_view(picture) if picture else None,
            "publishAt": None if args.get("draft") else event.inserted_at,
            "physicalAddress": self._addresses.get(event.address_id or ""),
            "onlineAddress": args.get("onlineAddress"),
            "phoneAddress": args.get("phoneAddress"),
            "attributedTo": self._group_view(group, base) if group else None,
            "organizerActor": self._person_view(organizer, base) if organizer else None,
            "tags": [
                {"id": str(i + 1), "slug": slug(t), "title": t}
                for i, t in enumerate(args.get("tags") or [])
            ],
            "category": args.get("category", "MEETING"),
            "draft": bool(args.get("draft")),
            "updatedAt": event.inserted_at,
            "insertedAt": event.inserted_at,
            "options": args.get("options") or {},
            "metadata": [
                {"type": "STRING", "title": None, **m} for m in (args.get("metadata") or [])
            ],
            "language": args.get("language", "und"),
        }

    def _page(self, request: Request, env: Env) -> Response:
        """The event page (HTML) or an uploaded file, as the instance serves them."""
        match = re.fullmatch(r"/events/([0-9a-f-]{36})", request.path)
        if match:
            with self._lock:
                event = next((e for e in self._events.values() if e.uuid == match[1]), None)
            if event is not None and not event.args.get("draft"):
                title = event.args["title"]
                return html_response(200, f"<!DOCTYPE html><title>{title}</title>")
        return html_response(404, "<!DOCTYPE html><title>Page not found</title>")


def _operation(request: Request) -> tuple[str, dict[str, Any], str | None, dict[str, Any]]:
    """query, variables, operationName and uploaded parts of a JSON or multipart request."""
    uploads: dict[str, Any] = {}
    if request.method == "GET":
        raw: dict[str, Any] = {k: v[0] for k, v in request.query.items()}
    elif request.content_type == "multipart/form-data":
        form = parse_multipart(request.header("content-type") or "", request.body)
        raw = dict(form.fields)
        uploads = dict(form.files)
    else:
        raw = request.json()
        if not isinstance(raw, dict):
            raise BadBody("a JSON object was expected")
    variables = raw.get("variables") or {}
    if isinstance(variables, str):
        try:
            variables = json.loads(variables)
        except json.JSONDecodeError as error:
            raise BadBody(str(error)) from error
    if not isinstance(variables, dict):
        raise BadBody("variables must be an object")
    return str(raw.get("query") or ""), variables, raw.get("operationName"), uploads


def _root_field(document: DocumentNode) -> str | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    return selection.name.value
    return None


def _complexity(document: DocumentNode) -> int:
    """Absinthe's default complexity: one per field selected."""

    class Count(Visitor):
        fields = 0

        def enter_field(self, *_args: Any) -> None:
            Count.fields += 1

    visit(document, Count())
    return Count.fields


_VARIABLE = re.compile(
    r"Variable '\$(\w+)' (?:got invalid value|has invalid value|of required type)"
)


def _document_error(error: GraphQLError) -> dict[str, Any]:
    """A parse or validation error, worded as Absinthe words the common ones."""
    message = error.message
    match = _VARIABLE.match(message)
    if match:
        message = f'Argument "{match[1]}" has invalid value ${match[1]}.'
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return out


def _result_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    out: dict[str, Any] = (
        dict(original.payload) if isinstance(original, MobilizonError) else _document_error(error)
    )
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    return out


def _answer(payload: dict[str, Any]) -> Response:
    # Absinthe answers 200 whatever GraphQL thought of the request.
    return json_response(200, payload, content_type=CONTENT_TYPE)


def mobilizon_of(server: Any) -> Mobilizon:
    """The fake Mobilizon instance of a FakePlatformServer (to script accounts and events)."""
    return next(p for p in server.platforms if isinstance(p, Mobilizon))
