"""Members' feeds in: RSS, Atom and ICS entries become drafts for review.

`fetch` speaks HTTP (validators, limits), `parse` reads the formats into plain
entries, `pull` turns entries into items and hands them to the store, which
remembers every GUID or UID it has seen (crosspost/store/_feeds.py).
"""
