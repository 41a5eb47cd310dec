"""Mobilizon, the federated events platform: an event item becomes an event of a group.

See channel.py for what is published and how it stays exactly once, session.py for
how the login is kept, api.py for what Mobilizon's answers mean.
"""

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.mobilizon.channel import MobilizonChannel
    from channels.mobilizon.settings import MobilizonSettings


__getattr__ = lazy_exports(
    __name__, {"MobilizonChannel": "channel", "MobilizonSettings": "settings"}
)


__all__ = ["MobilizonChannel", "MobilizonSettings"]
