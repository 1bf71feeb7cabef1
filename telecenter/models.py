"""Every model module, imported so that metadata (and Alembic autogenerate) sees all tables."""

from telecenter import audit  # noqa: F401
from telecenter.attendance import models as attendance_models  # noqa: F401
from telecenter.auth import models as auth_models  # noqa: F401
from telecenter.central import api_keys, targets  # noqa: F401
from telecenter.central import models as central_models  # noqa: F401
from telecenter.courses import models as course_models  # noqa: F401
from telecenter.participants import models as participant_models  # noqa: F401
from telecenter.sync import models as sync_models  # noqa: F401
