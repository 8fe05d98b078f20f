import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

from core.asgi import get_asgi_application

application = get_asgi_application()

from core.warmup import warm_up  # noqa: E402  (needs the settings loaded above)

warm_up()
