"""`crosspost serve`: the calendar feeds to subscribe to, behind access tokens.

Imported only by that command (Starlette and uvicorn are not loaded otherwise).
"""
