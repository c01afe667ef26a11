"""Import every model module so that Base.metadata is complete (Alembic, tests)."""

from bot.bulletins import models as bulletin_models  # noqa: F401
from bot.dashboard import models as dashboard_models  # noqa: F401
from bot.db import models as patient_models  # noqa: F401
from bot.db.base import Base
from bot.groups import models as group_models  # noqa: F401
from bot.handoff import models as handoff_models  # noqa: F401
from bot.inbox import models as inbox_models  # noqa: F401
from bot.proposals import models as proposal_models  # noqa: F401

metadata = Base.metadata
