"""The editorial calendar: the ledger's deliveries exported for people and their calendar apps.

One module per format, all fed by `rows.iter_rows` (deliveries in due order, in
batches), so an export of any size streams instead of loading the ledger:

  table     an agenda grouped by day, for the terminal
  ics       RFC 5545 for calendar applications (one event per delivery)
  agenda    RFC 5545 public agenda (one event per event item, at its own date and place)
  csv       one row per delivery, for spreadsheets
  html      a self-contained page: month grids and a week list, for a projector or A4
  markdown  for a wiki or a board report

Every export only reads the ledger.
"""

from __future__ import annotations

FORMATS = ("table", "ics", "csv", "html", "markdown")

__all__ = ["FORMATS"]
