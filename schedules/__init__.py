"""When things run: one publish pass (engine), the daemon around it, retry policy."""
