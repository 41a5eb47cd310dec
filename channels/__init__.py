"""Platform adapters, all behind the one protocol of channels.base."""
