"""The project's ASGI application with intake's write skipped (see ``unwritten``), served by
``bench/intake.py`` as ``bench.support.unwritten_asgi:application``."""

from bench.support.unwritten import write_skipped
from motcua.asgi import application

write_skipped()

__all__ = ["application"]
