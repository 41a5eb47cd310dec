"""`crosspost add` and `crosspost edit`: write an item and route it to its channels."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say, warn
from crosspost.i18n import _
from crosspost.item_fields import DECLARED, EDITED, OPTIONS, Form, given_back

app = typer.Typer()

# The same options serve add and edit, so an officer learns them once.
FILE = typer.Argument(
    None, help="A Markdown file whose YAML front matter holds the fields below.", dir_okay=False
)
KIND = typer.Option(None, "--kind", "-k", help="event, scoop, article, job, announcement...")
TITLE = typer.Option(None, "--title", "-t", help="Title (also the first line of social posts).")
BODY = typer.Option(None, "--body", "-b", help="Text, in Markdown.")
BODY_FILE = typer.Option(None, "--body-file", help="Read the text from this Markdown file.")
LINK = typer.Option(None, "--link", help="Web address the posts point to.")
IMAGE = typer.Option(None, "--image", help="Picture to attach (jpg, png, gif, webp).")
ALT = typer.Option(None, "--alt", help="Description of the picture for blind readers.")
TAG = typer.Option(None, "--tag", help="A tag (repeat for several).")
EVENT_START = typer.Option(
    None, "--event-start", help="When the event starts (local time), e.g. '12/12 14h'."
)
EVENT_END = typer.Option(None, "--event-end", help="When the event ends (local time).")
LOCATION = typer.Option(None, "--location", help="Where the event takes place.")
DEADLINE = typer.Option(
    None, "--deadline", help="A job offer's closing date (a date alone: until that evening)."
)
STEP_TEXT = typer.Option(
    None,
    "--step-text",
    help='This item\'s wording of a step of its sequence, e.g. "-1d=Demain soir : {title}" '
    "(repeat for several).",
)
TEXT_FOR = typer.Option(
    None,
    "--text-for",
    help='This item\'s own text on one channel, e.g. "twitter=AG samedi 14 h : venez !" '
    "(repeat for several channels; the link is added as usual).",
)
AT = typer.Option(
    None,
    "--at",
    help="When to publish: now, +2h, 14h, 'demain 9h', 'lundi 10h', '12/12 14h30' "
    "(day/month), 2026-12-03 or '2026-12-03 14:30' "
    "(add also takes next: the next free posting slot of each channel).",
)
CHANNEL = typer.Option(None, "--channel", help="Send to this channel instead of the routes.")
REPEAT = typer.Option(
    None,
    "--repeat",
    help="A recurring event: 'chaque premier samedi à 14h de janvier à juin', 'every "
    "Tuesday at 18:30 from January to March', or a calendar rule like "
    "FREQ=MONTHLY;BYDAY=1SA;UNTIL=20270630. One item per date, each with its sequence.",
)
JSON = typer.Option(False, "--json", help="Print the result as JSON.")


#: The options add and edit share, in their --help order: the option of each item field
#: the officer gives (crosspost/item_fields.py names it), and --body-file.
ITEM_OPTIONS: dict[str, Any] = {
    "kind": KIND,
    "title": TITLE,
    "body": BODY,
    "body_file": BODY_FILE,
    "link": LINK,
    "image": IMAGE,
    "alt": ALT,
    "tag": TAG,
    "event_start": EVENT_START,
    "event_end": EVENT_END,
    "location": LOCATION,
    "deadline": DEADLINE,
    "step_text": STEP_TEXT,
    "text_for": TEXT_FOR,
    "at": AT,
    "channel": CHANNEL,
}
#: Command-line option -> item field, for the options add and edit share.
OPTION_FIELDS = OPTIONS | {"body_file": "body_file"}


def _option_type(option: str) -> Any:
    """What Typer reads an option as: a list when it may be repeated."""
    if option == "body_file":
        return Path | None
    field = next(f for f in DECLARED.given if f.option == option)
    return list[str] | None if field.form in (Form.WORDS, Form.TEXTS) else str | None


def with_item_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` taking the shared options (`ITEM_OPTIONS`) after its `file` argument.

    They reach it as one dict, `options`; Typer reads the signature built here, so
    a field declared once is an option of add and edit alike.
    """
    own = [
        p
        for p in inspect.signature(command, eval_str=True).parameters.values()
        if p.name != "options"
    ]
    place = next(i for i, p in enumerate(own) if p.name == "file") + 1
    shared = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=option,
            annotation=_option_type(name),
        )
        for name, option in ITEM_OPTIONS.items()
    ]
    parameters = [*own[:place], *shared, *own[place:]]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        options = {name: values.pop(name) for name in ITEM_OPTIONS}
        command(**values, options=options)

    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The item fields the officer gave on the command line (others stay as they are)."""
    fields = {
        field: options[option]
        for option, field in OPTION_FIELDS.items()
        if options.get(option) not in (None, [], ())
    }
    body_file = fields.pop("body_file", None)
    if body_file is not None:
        if "body" in fields:
            raise typer.BadParameter(_("give --body or --body-file, not both"))
        fields["body"] = _read_text(body_file)
    return fields


def _read_text(path: Path) -> str:
    from crosspost.errors import InputError

    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            _("body_file: cannot read {path} ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise InputError(_("body_file: {path} is not UTF-8 text").format(path=path)) from None


@app.command("add")
@with_item_options
def add(
    ctx: typer.Context,
    file: Path | None = FILE,
    repeat: str | None = REPEAT,
    allow_duplicate: bool = typer.Option(
        False,
        "--allow-duplicate",
        help="Queue it even if an identical item (kind, title, body, time) is already queued.",
    ),
    draft: bool = typer.Option(
        False,
        "--draft",
        help="Keep it for review: nothing is routed until `crosspost approve ID`.",
    ),
    as_json: bool = JSON,
    *,
    options: dict[str, Any],
) -> None:
    """Queue an item: from flags, or from a Markdown file with front matter."""
    from crosspost import intake
    from crosspost.when import is_next_slot

    context = app_context(ctx)
    settings = context.settings
    fields: dict[str, Any] = {}
    base_dir = Path.cwd()
    if file is not None:
        fields = intake.from_markdown(file)
        base_dir = file.resolve().parent
    fields.update(_given(options))
    if repeat or fields.get("repeat"):
        from crosspost.cli.series import add_series

        if draft:
            from crosspost.errors import InputError

            raise InputError(
                _(
                    "draft: a recurring event (repeat) is queued date by date and cannot wait "
                    "for review; add it without --draft, or one date as a draft without --repeat"
                )
            )

        add_series(context, fields, str(repeat or fields.pop("repeat")), base_dir)
        return
    # `--at next` is placed once the item is checked, in its channels' free slots.
    at_next = is_next_slot(str(fields.get("at", "")))
    if at_next:
        fields["at"] = "now"
    accepted = intake.accept(fields, settings, now=now(), base_dir=base_dir)
    if not allow_duplicate:
        _refuse_duplicate(context, accepted)
    accepted = _apply_policy(context, accepted, at_next=at_next)
    _refuse_on_errors(settings, accepted)
    from crosspost.media import keep_image

    if draft:
        from crosspost.review import as_draft

        accepted = as_draft(accepted, source=None)
    item = keep_image(accepted.item, settings)  # the workspace's copy, once nothing can refuse
    (item_id,) = context.reader.add_items([(item, accepted.plan.deliveries)])
    record = context.reader.get_item(item_id)
    if as_json:
        from crosspost.shapes import delivery_json, item_json

        emit_json(
            {
                "item": item_json(record.item, settings.zone),
                "deliveries": [delivery_json(d, settings.zone) for d in record.deliveries],
            }
        )
        return
    from crosspost.cli.output import delivery_line

    if draft:
        say(
            _(
                "Kept item {id} for review: {kind} «{title}»; `crosspost approve {id}` routes it"
            ).format(id=item_id, kind=record.item.kind, title=record.item.title)
        )
        return
    say(
        _("Queued item {id}: {kind} «{title}»").format(
            id=item_id, kind=record.item.kind, title=record.item.title
        )
    )
    for delivery in record.deliveries:
        say(delivery_line(delivery, settings.zone))
    for line in accepted.plan.notes:
        if _(" skipped, ") in line:
            say(f"  {line}")
    from crosspost.cli.costs import cost_lines
    from crosspost.preview import preview_delivery

    paying = [d for d in record.deliveries if settings.adapter(d.channel).paid]
    previews = [preview_delivery(settings, d, record.deliveries) for d in paying]
    for line in cost_lines(context, previews):
        say(line)


def _refuse_duplicate(context: Any, accepted: Any) -> None:
    """An identical item already queued is refused with its id: a command typed twice."""
    from crosspost.errors import InputError
    from crosspost.intake import find_duplicates
    from crosspost.wording import show_local

    for duplicate in find_duplicates([accepted], context.reader):
        existing = context.reader.get_item(duplicate.item_id).item
        raise InputError(
            _(
                "not queued: item {id} is the same {kind} «{title}» at {when}; "
                "see `crosspost show {id}`, or add --allow-duplicate to queue it again"
            ).format(
                id=duplicate.item_id,
                kind=existing.kind,
                title=existing.title,
                when=show_local(existing.requested_at, context.settings.zone),
            )
        )


def _apply_policy(context: Any, accepted: Any, *, at_next: bool) -> Any:
    """Slot the item (`--at next`) or warn when its time breaks the editorial policy."""
    from crosspost.policy import apply_policy

    accepted, warnings = apply_policy(
        context.settings, context.reader, accepted, now=now(), at_next=at_next
    )
    for line in warnings:
        warn(_("Warning: {message}").format(message=line))
    return accepted


def _refuse_on_errors(settings: Any, accepted: Any) -> None:
    """Render for every planned channel; warn about limits, refuse what cannot go out."""
    from crosspost.errors import InputError
    from crosspost.preview import planned_problems

    errors = []
    for channel, problem in planned_problems(settings, accepted.item, accepted.plan.deliveries):
        if problem.level == "error":
            errors.append(f"{channel}: {problem.message}")
        else:
            warn(_("Warning: {message}").format(message=f"{channel}: {problem.message}"))
    if errors:
        raise InputError(_("not queued:") + "\n  " + "\n  ".join(errors))


@app.command("edit")
@with_item_options
def edit(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., metavar="ID", help="The item to change."),
    file: Path | None = typer.Option(
        None, "--file", help="Take the new fields from this Markdown file.", dir_okay=False
    ),
    series: bool = typer.Option(
        False, "--series", help="Change the whole recurring event: every date still to come."
    ),
    *,
    options: dict[str, Any],
) -> None:
    """Change an item. Only deliveries still pending change; the rest is reported."""
    from crosspost import intake
    from crosspost.errors import InputError

    context = app_context(ctx)
    given: dict[str, Any] = {}
    base_dir = Path.cwd()
    if file is not None:
        given = intake.from_markdown(file)
        base_dir = file.resolve().parent
    given.update(_given(options))
    if not given:
        raise InputError(_("edit: nothing to change; give at least one field (see --help)"))
    if series:
        from crosspost.cli.series import edit_series

        edit_series(
            context,
            item_id,
            given,
            lambda other, fields: _edit_one(context, other, fields, base_dir),
        )
        return
    _edit_one(context, item_id, given, base_dir)


def _edit_one(context: Any, item_id: int, given: dict[str, Any], base_dir: Path) -> None:
    from crosspost import intake
    from crosspost.cli.output import print_changes

    settings = context.settings
    store = context.store
    record = store.get_item(item_id)
    # The stored text fields as `add` takes them; its times stay as accepted then.
    merged = given_back(record.item) | given
    accepted = intake.accept(merged, settings, now=now(), base_dir=base_dir, stored=record.item)
    # A sequence counts from the event (the deadline): moving it moves its steps.
    timed = (
        {"event_start", "event_end", "deadline", "steps"}
        if settings.sequence(accepted.item.kind)
        else set()
    )
    replan = bool(({"kind", "tags", "channels", "at"} | timed) & given.keys())
    _refuse_on_errors(settings, accepted)
    from crosspost.media import keep_image

    kept = keep_image(accepted.item, settings)
    changes = {key: getattr(kept, key) for key in EDITED}
    if replan:
        changes["requested_at"] = accepted.item.requested_at
    report = store.update_item(item_id, changes, accepted.plan.deliveries if replan else None)
    say(_("Item {id} updated:").format(id=item_id))
    print_changes(report)
    for line in accepted.plan.notes:
        if _(" skipped, ") in line:
            say(f"  {line}")
