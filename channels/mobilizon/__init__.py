"""Mobilizon, the federated events platform: an event item becomes an event of a group.

See channel.py for what is published and how it stays exactly once, session.py for
how the login is kept, api.py for what Mobilizon's answers mean.
"""

from channels.mobilizon.channel import MobilizonChannel
from channels.mobilizon.settings import MobilizonSettings

__all__ = ["MobilizonChannel", "MobilizonSettings"]
