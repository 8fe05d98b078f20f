"""Every change to a dossier: one function per transition of ``dossiers.workflow``.

Each runs in one transaction, locks the dossier row, checks the transition
table (status, role, unit), updates the projection on the dossier and appends
one event. Pages, the API, the admin and commands all call these, through this
package: ``from dossiers import services``.

- ``common``: input types, the lock, events, papers and the due moment;
- ``intake``: drafts, submission, reception at the desk, refusal;
- ``processing``: routing, assignment and the agency's steps up to the result;
- ``clock``: supplements, fees and extensions, which stop or move the clock;
- ``endings``: stop, withdrawal and the return of the result.
"""

from dossiers.services.clock import (
    dossier_extend,
    dossier_receive_supplement,
    dossier_record_payment,
    dossier_request_fees,
    dossier_request_supplement,
    dossier_supplement_upload,
    supplement_uploads,
)
from dossiers.services.common import (
    ApplicantIn,
    DossierInputError,
    PaperIn,
    due_moment,
    pauses_of,
)
from dossiers.services.endings import (
    dossier_return,
    dossier_stop,
    dossier_withdraw,
    electronic_result,
    has_electronic_result,
)
from dossiers.services.intake import (
    APPLICANT_SQL,
    applicant_find_or_create,
    dossier_create,
    dossier_intake,
    dossier_receive,
    dossier_refuse,
    dossier_submit,
)
from dossiers.services.processing import (
    dossier_approve,
    dossier_assign,
    dossier_forward,
    dossier_propose,
    dossier_resolve,
    dossier_route,
    dossier_send_back,
    result_problems,
)

__all__ = [
    "APPLICANT_SQL",
    "ApplicantIn",
    "DossierInputError",
    "PaperIn",
    "applicant_find_or_create",
    "dossier_approve",
    "dossier_assign",
    "dossier_create",
    "dossier_extend",
    "dossier_forward",
    "dossier_intake",
    "dossier_propose",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_record_payment",
    "dossier_refuse",
    "dossier_request_fees",
    "dossier_request_supplement",
    "dossier_resolve",
    "dossier_return",
    "dossier_route",
    "dossier_send_back",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement_upload",
    "dossier_withdraw",
    "due_moment",
    "electronic_result",
    "has_electronic_result",
    "pauses_of",
    "result_problems",
    "supplement_uploads",
]
