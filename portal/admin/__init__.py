"""Staff pages, one subpackage per audience.

``workspace`` (Kominfo queue, complaint page, bulk actions), ``desk`` (OPD liaison pages), ``intake``
(import and staff entry), ``settings`` (people, OPDs, categories, holidays, Open311 API keys).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

# registration order as before the move: API keys, intake, OPD desk, workspace (which adds settings)
# isort: off
from portal.admin.settings import apikeys as _apikeys  # noqa: E402,F401
from portal.admin.intake import routes as _intake  # noqa: E402,F401
from portal.admin.desk import routes as _desk  # noqa: E402,F401
from portal.admin.workspace import routes as _workspace  # noqa: E402,F401
from portal.admin.workspace import notes as _notes  # noqa: E402,F401
from portal.admin.settings import outbox as _outbox  # noqa: E402,F401
from portal.admin.settings import standard as _standard  # noqa: E402,F401
from portal.admin.intake import survey as _survey  # noqa: E402,F401
from portal.admin.lapor import routes as _lapor  # noqa: E402,F401
from portal.admin.oversight import routes as _oversight  # noqa: E402,F401
from portal.admin.desk import entry as _desk_entry  # noqa: E402,F401
# isort: on
