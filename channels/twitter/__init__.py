"""X (Twitter): posts through API v2 with tweepy, OAuth 1.0a user context.

What an officer sees on X:

- a scoop or any other item: the title, a blank line, the body as plain text, then the link;
- an event: the title, then the date and time and the place, then the link;
- an announcement (role "announce"): the title and the link of the post it announces.

Length follows X's own weighting (twitter-text: 280, any URL counts 23, CJK and
emoji count 2). A text that is too long becomes, per the `overflow` setting,
either a thread (split between sentences, then between words, each post
numbered " 1/3") or a single post cut short with "…" that still ends with
the link.

A thread longer than `max_thread` posts (default 10) is refused when the item is
queued, with its count: a text that long belongs on the blog, announced on X.
Cuts fall between graphemes, never inside an emoji.

Tags become hashtags on a last line, one by one and only while the whole post
still fits in a single tweet: they never lengthen a thread or push the link
out of a cut post. A tag is written as X links it: its words joined in
CamelCase, without punctuation, a French elision left out ("l'ESS" -> #ESS);
tags that are only digits, or with another apostrophe, are left out (X would
not link them as written).

A thread is one delivery. After each post its id is saved as progress, so a
failed attempt resumes after the last post that went out, replying to it.

X offers no idempotency key. After an ambiguous attempt, `find_existing` looks
for the post among the account's recent posts, which needs an access level
that can read (see its docstring).
"""

from channels.twitter.channel import TwitterChannel
from channels.twitter.settings import TwitterSettings

__all__ = ["TwitterChannel", "TwitterSettings"]
