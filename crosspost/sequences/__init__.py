"""Items that run themselves: an event's announcement, reminders, recap and cancellation
notice, a job offer's "last days" post, each one a delivery of its own.

`settings` reads `[sequences.KIND]`, `offsets` turns "-1d 18:00" into an instant in
local time, `texts` words each step, `plan` adds the steps to an item's deliveries.
"""
