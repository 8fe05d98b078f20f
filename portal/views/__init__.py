"""The citizen portal's pages, one module per part of the journey."""

from portal.views.account import paper_download, profile, signin, signin_code, wallet
from portal.views.browse import life_event
from portal.views.filing import (
    file_details,
    file_done,
    file_papers,
    file_review,
    file_start,
)
from portal.views.lookup import lookup, lookup_rate
from portal.views.mine import (
    dossier_book,
    dossier_delivery,
    dossier_detail,
    dossier_rate,
    dossier_supplement,
    mine,
    result_download,
)
from portal.views.uploads import file_paper_upload, supplement_upload, upload_piece

__all__ = [
    "dossier_book",
    "dossier_delivery",
    "dossier_detail",
    "dossier_rate",
    "dossier_supplement",
    "file_details",
    "file_done",
    "file_paper_upload",
    "file_papers",
    "file_review",
    "file_start",
    "life_event",
    "lookup",
    "lookup_rate",
    "mine",
    "paper_download",
    "profile",
    "result_download",
    "signin",
    "signin_code",
    "supplement_upload",
    "upload_piece",
    "wallet",
]
