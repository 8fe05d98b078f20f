import gc
import sys

from core.warmup import warm_up


def test_a_warmed_up_process_sets_what_it_loaded_aside_from_the_collector() -> None:
    gc.unfreeze()
    try:
        warm_up()
        assert "weasyprint" in sys.modules
        assert gc.get_freeze_count() > 10_000  # the project and its libraries
    finally:
        gc.unfreeze()
