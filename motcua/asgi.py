import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_asgi_application()

from core.warmup import warm_up  # noqa: E402  (needs the settings loaded above)

warm_up()
