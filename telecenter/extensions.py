"""Extensions, created unbound and bound to an app by the factory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from telecenter.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

if TYPE_CHECKING:
    from typing import ClassVar

    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy import Table

    class Model(_FlaskModel, Base):
        """What `db.Model` is at run time: Flask-SQLAlchemy's model mixin on our `Base`.
        mypy takes no class attribute (db.Model) as a base class (python/mypy#8603)."""

        # Every model here is mapped to a Table (SQLAlchemy types it as any FromClause).
        __table__: ClassVar[Table]

else:
    Model = db.Model


def db_session() -> Session:
    """The session of the current app context, typed as the `Session` services take: the one
    way app code reaches it (`db.session` is Flask-SQLAlchemy's scoped proxy to the same
    session; tests may use it)."""
    return db.session()
